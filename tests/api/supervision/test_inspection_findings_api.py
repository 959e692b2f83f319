"""`POST /api/inspections/{id}/findings`: another gap found at an inspected place, within the caller's jurisdiction."""

from __future__ import annotations


def recorded(world) -> dict:
    body = {"place_kind": "sealed_building", "place_id": "B1", "area_id": "M1", "team": "team-2", "inspector": "gao",
            "inspected_at": "2022-10-10T09:00:00+08:00", "findings": []}
    created = world.client.post("/api/inspections", headers=world.headers("district_a"), json=body)
    assert created.status_code == 201
    return created.json()


FINDING = {"category": "unsealed_exit", "description": "back door open", "unit": "property office",
           "rectify_by": "2022-10-10T21:00:00+08:00"}


def test_a_finding_is_added_to_an_inspection_with_its_task(world) -> None:
    inspection = recorded(world)
    url = f"/api/inspections/{inspection['inspection_id']}/findings"
    added = world.client.post(url, headers=world.headers("district_a"), json=FINDING)
    assert added.status_code == 201
    finding = added.json()
    assert (finding["category"], finding["unit"], finding["status"]) == ("unsealed_exit", "property office", "open")
    shown = world.get(f"/api/inspections/{inspection['inspection_id']}", "district_a").json()
    assert [f["finding_id"] for f in shown["findings"]] == [finding["finding_id"]]
    task = world.get(f"/api/tasks/{finding['task_id']}", "district_a").json()
    assert (task["kind"], task["subject_id"], task["area_id"]) == ("rectification", "sealed_building:B1", "M1")


def test_another_jurisdiction_or_role_may_not_add_findings(world) -> None:
    url = f"/api/inspections/{recorded(world)['inspection_id']}/findings"
    assert world.client.post(url, headers=world.headers("district_b"), json=FINDING).status_code == 404
    assert world.client.post(url, headers=world.headers("commander"), json=FINDING).status_code == 403
    assert world.client.post(url, headers=world.headers(None), json=FINDING).status_code == 401
    naive = FINDING | {"rectify_by": "2022-10-10T21:00:00"}
    assert world.client.post(url, headers=world.headers("district_a"), json=naive).status_code == 422
    early = FINDING | {"rectify_by": "2022-10-10T08:00:00+08:00"}
    assert world.client.post(url, headers=world.headers("district_a"), json=early).status_code == 422
    assert world.get(url.removesuffix("/findings"), "district_a").json()["findings"] == []
