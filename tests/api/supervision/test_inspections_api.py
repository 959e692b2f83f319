"""`/api/inspections`: districts record inspections; findings are closed by the territory."""

from __future__ import annotations


def inspection(area: str = "M1") -> dict:
    return {"place_kind": "isolation_site", "place_id": "F1", "area_id": area, "team": "team-2", "inspector": "gao",
            "inspected_at": "2022-10-10T09:00:00+08:00",
            "findings": [{"category": "mixed_flows", "description": "clean and dirty flows cross",
                          "department": "health", "rectify_by": "2022-10-11T09:00:00+08:00"}]}


def test_an_inspection_is_recorded_with_its_findings_and_closed(world) -> None:
    created = world.client.post("/api/inspections", headers=world.headers("district_a"), json=inspection())
    assert created.status_code == 201
    [finding] = created.json()["findings"]
    assert finding["status"] == "open" and finding["task_id"] is not None
    overdue = world.get("/api/inspections/findings", "district_a", overdue="true", as_of="2022-10-11T10:00:00+08:00")
    assert [f["finding_id"] for f in overdue.json()["items"]] == [finding["finding_id"]]
    assert world.get("/api/inspections/findings", "district_b").json()["total"] == 0
    closed = world.client.post(f"/api/inspections/findings/{finding['finding_id']}/close",
                               headers=world.headers("district_a"), json={"note": "one-way corridor"})
    assert closed.json()["status"] == "rectified"


def test_who_may_record_inspections(world) -> None:
    assert world.client.post("/api/inspections", headers=world.headers("commander"), json=inspection()).status_code == 403
    assert world.client.post("/api/inspections", headers=world.headers("district_b"), json=inspection()).status_code == 404
    naive = inspection() | {"inspected_at": "2022-10-10T09:00:00"}
    assert world.client.post("/api/inspections", headers=world.headers("district_a"), json=naive).status_code == 422
