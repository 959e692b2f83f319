from __future__ import annotations

import json

import pyarrow.parquet as pq
from sqlalchemy import select
from tests.service.imports.feeds import AREAS, count, feed, rejects, run

from ringfence.areas.models import Area
from ringfence.core import audit
from ringfence.imports.models import BatchStatus, ImportBatch
from ringfence.imports.snapshots import snapshot_path

SQUARE = {"type": "Polygon", "coordinates": [[[113.6, 34.7], [113.8, 34.7], [113.8, 34.9], [113.6, 34.7]]]}


def paths(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Area.area_id, Area.path)).all())


def test_it_places_children_listed_before_their_parents(settings, engine, tmp_path) -> None:
    result = feed(settings, tmp_path, "areas", list(reversed(AREAS)))
    assert (result.rows, result.accepted, result.rejected, result.duplicates) == (5, 5, 0, 0)
    assert paths(engine) == {
        "zz": "/zz/",
        "jinshui": "/zz/jinshui/",
        "fengchan": "/zz/jinshui/fengchan/",
        "k1": "/zz/jinshui/fengchan/k1/",
        "k2": "/zz/jinshui/fengchan/k2/",
    }


def test_it_rejects_a_row_whose_parent_is_unknown_and_its_children(settings, engine, tmp_path) -> None:
    rows = AREAS[:2] + [
        {"area_id": "lost", "parent_id": "nowhere", "level": "subdistrict", "name": "Lost"},
        {"area_id": "lost-k", "parent_id": "lost", "level": "community", "name": "Lost community"},
    ]
    result = feed(settings, tmp_path, "areas", rows)
    assert (result.accepted, result.rejected) == (2, 2)
    reasons = {r["area_id"]: (r["line"], r["reason"]) for r in rejects(result)}
    assert reasons["lost"] == ("4", "unknown parent area nowhere")
    assert reasons["lost-k"][0] == "5" and "lost" in reasons["lost-k"][1]
    assert set(paths(engine)) == {"zz", "jinshui"}


def test_it_finds_parents_stored_by_an_earlier_import(settings, engine, tmp_path) -> None:
    feed(settings, tmp_path, "areas", AREAS[:2], name="first.csv")
    result = feed(settings, tmp_path, "areas", AREAS[2:], name="second.csv")
    assert (result.accepted, result.rejected) == (3, 0)
    assert paths(engine)["k2"] == "/zz/jinshui/fengchan/k2/"


def test_levels_must_step_down_one_at_a_time(settings, engine, tmp_path) -> None:
    rows = AREAS[:2] + [
        {"area_id": "skip", "parent_id": "jinshui", "level": "community", "name": "Skips a level"},
        {"area_id": "up", "parent_id": "jinshui", "level": "city", "name": "A city under a district"},
        {"area_id": "orphan", "parent_id": "", "level": "district", "name": "No parent"},
        {"area_id": "odd", "parent_id": "zz", "level": "county", "name": "Unknown level"},
    ]
    result = feed(settings, tmp_path, "areas", rows)
    assert (result.accepted, result.rejected) == (2, 4)
    reasons = {r["area_id"]: r["reason"] for r in rejects(result)}
    assert "below it comes a subdistrict, not a community" in reasons["skip"]
    assert "a city has no parent" in reasons["up"]
    assert "a district needs a parent_id" in reasons["orphan"]
    assert "level 'county' is not one of" in reasons["odd"]


def test_reimporting_the_same_areas_adds_nothing(settings, engine, tmp_path) -> None:
    feed(settings, tmp_path, "areas", AREAS)
    again = feed(settings, tmp_path, "areas", AREAS)
    assert (again.accepted, again.rejected, again.duplicates, again.rejects_path) == (0, 0, 5, None)
    assert count(engine, Area) == 5


def test_a_renamed_area_is_updated_but_a_moved_one_is_rejected(settings, engine, tmp_path) -> None:
    feed(settings, tmp_path, "areas", AREAS)
    changed = [
        {**AREAS[3], "name": "Community One (renamed)"},
        {**AREAS[4], "parent_id": "jinshui", "level": "subdistrict"},
    ]
    result = feed(settings, tmp_path, "areas", changed, name="changed.csv")
    assert (result.accepted, result.rejected) == (1, 1)
    assert "does not move or re-level" in rejects(result)[0]["reason"]
    with engine.connect() as conn:
        names = dict(conn.execute(select(Area.area_id, Area.name)).all())
    assert names["k1"] == "Community One (renamed)"
    assert paths(engine)["k2"] == "/zz/jinshui/fengchan/k2/"


def test_it_reads_a_geojson_feature_collection(settings, engine, tmp_path) -> None:
    features = [
        {"type": "Feature", "properties": {**row, "parent_id": row["parent_id"] or None}, "geometry": SQUARE}
        for row in reversed(AREAS)
    ]
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    result = run(settings, "areas", path)
    assert (result.accepted, result.rejected) == (5, 0)
    with engine.connect() as conn:
        geometry = conn.execute(select(Area.geometry).where(Area.area_id == "k1")).scalar_one()
    assert json.loads(geometry) == SQUARE
    assert paths(engine)["k1"] == "/zz/jinshui/fengchan/k1/"


def test_a_geometry_cell_that_is_not_geojson_is_rejected(settings, engine, tmp_path) -> None:
    rows = [
        {**AREAS[0], "geometry": json.dumps(SQUARE)},
        {**AREAS[1], "geometry": "POLYGON((1 1, 2 2, 3 1, 1 1))"},
        {**AREAS[2], "geometry": json.dumps({"type": "Polygon", "coordinates": "nope"})},
    ]
    result = feed(settings, tmp_path, "areas", rows)
    assert (result.accepted, result.rejected) == (1, 2)
    assert all("geometry" in r["reason"] for r in rejects(result))


def test_it_records_one_batch_one_audit_entry_and_the_snapshot(settings, engine, session, tmp_path) -> None:
    result = feed(settings, tmp_path, "areas", AREAS + [{**AREAS[0], "area_id": "bad/id"}])
    batch = session.scalars(select(ImportBatch)).one()
    assert (batch.kind, batch.status, batch.rows, batch.accepted, batch.rejected) == (
        "areas", BatchStatus.done, 6, 5, 1
    )
    assert result.rejects_path == str(settings.rejects_dir / f"areas-{batch.batch_id}.csv")
    entries = audit.entries(session)
    assert [(e.action, e.subject) for e in entries] == [("import.areas", f"batch:{batch.batch_id}")]
    snapshot = pq.read_table(snapshot_path(settings, "areas"))
    assert snapshot.column_names == ["area_id", "parent_id", "level", "name", "path"]
    rows = {r["area_id"]: r for r in snapshot.to_pylist()}
    assert rows["k1"]["level"] == "community" and rows["k1"]["path"] == "/zz/jinshui/fengchan/k1/"
    assert rows["zz"]["parent_id"] is None
