"""`/api/requests`: co-investigation requests with their deadlines."""

from __future__ import annotations


def test_an_incoming_request_is_answered_by_the_district_it_concerns(world) -> None:
    body = {"direction": "incoming", "subject_kind": "person", "subject_ref": "P3", "counterpart": "Kaifeng CDC",
            "question": "contacts on 5 Oct?", "sent_at": "2022-10-10T08:00:00+08:00"}
    created = world.client.post("/api/requests", headers=world.headers("district_b"), json=body)
    assert created.status_code == 201
    request = created.json()
    assert (request["area_id"], request["missed"]) == ("M2", ["acknowledgement", "answer"])  # long ago, now
    assert world.get(f"/api/requests/{request['request_id']}", "district_a").status_code == 404
    answered = world.client.post(f"/api/requests/{request['request_id']}/answer", headers=world.headers("district_b"),
                                 json={"answer": "none"})
    assert answered.json()["status"] == "answered"
    assert world.client.post("/api/requests", headers=world.headers("lab"), json=body).status_code == 403
