"""`/api/incidents`: a district opens an outbreak point and reports it."""

from __future__ import annotations


def test_a_district_opens_an_incident_and_the_commander_reads_its_report(world) -> None:
    body = {"name": "Market cluster", "area_id": "D1", "team": [{"name": "Wu", "role": "lead", "party": "territory"}]}
    created = world.client.post("/api/incidents", headers=world.headers("district_a"), json=body)
    assert created.status_code == 201
    incident_id = created.json()["incident_id"]
    world.client.post(f"/api/incidents/{incident_id}/links", headers=world.headers("district_a"),
                      json={"kind": "zone", "ref": "high:B1"})
    report = world.get(f"/api/incidents/{incident_id}", "commander").json()
    assert (report["lead"], report["zones"], report["status"]) == ("Wu", ["high:B1"], "opened")
    assert world.get(f"/api/incidents/{incident_id}", "district_b").status_code == 404
    step = world.client.post(f"/api/incidents/{incident_id}/status", headers=world.headers("district_a"),
                             json={"status": "extinguished"})
    assert step.status_code == 409
    assert world.client.post("/api/incidents", headers=world.headers("commander"), json=body).status_code == 403
