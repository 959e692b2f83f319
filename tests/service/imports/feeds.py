"""Little feed files and a little city for the importer's tests."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select

from ringfence.config import Settings
from ringfence.imports.flows import import_file
from ringfence.imports.schemas import FeedKind, ImportResult
from ringfence.people.rules import resident_id_check_digit

AREAS = [
    {"area_id": "zz", "parent_id": "", "level": "city", "name": "Zhengzhou"},
    {"area_id": "jinshui", "parent_id": "zz", "level": "district", "name": "Jinshui"},
    {"area_id": "fengchan", "parent_id": "jinshui", "level": "subdistrict", "name": "Fengchan"},
    {"area_id": "k1", "parent_id": "fengchan", "level": "community", "name": "Community One"},
    {"area_id": "k2", "parent_id": "fengchan", "level": "community", "name": "Community Two"},
]
BUILDINGS = [
    {"building_id": "b1", "community_id": "k1", "address": "1 Weilai Road", "lon": "113.70", "lat": "34.78"},
    {"building_id": "b2", "community_id": "k2", "address": "2 Weilai Road", "lon": "113.71", "lat": "34.79"},
]


def resident_id(region: str = "410105", born: date = date(1990, 3, 7), sequence: int = 123) -> str:
    """A resident ID built by the algorithm (odd sequence: a man)."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check_digit(first17)


def write_csv(path: Path, rows: list[dict[str, object]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(settings: Settings, kind: str, path: Path) -> ImportResult:
    return import_file(settings=settings, kind=FeedKind(kind), path=path, actor="test", progress=False)


def feed(settings: Settings, tmp_path: Path, kind: str, rows: list[dict], columns: list[str] | None = None,
         name: str | None = None) -> ImportResult:
    """Write `rows` as `<kind>.csv` (or `name`) and import it."""
    return run(settings, kind, write_csv(tmp_path / (name or f"{kind}.csv"), rows, columns))


def seed_city(settings: Settings, tmp_path: Path) -> None:
    """Two communities of one subdistrict, a building in each."""
    feed(settings, tmp_path, "areas", AREAS, name="seed-areas.csv")
    feed(settings, tmp_path, "buildings", BUILDINGS, name="seed-buildings.csv")


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def rejects(result: ImportResult) -> list[dict[str, str]]:
    """The rejects file's rows (empty when there is none)."""
    if result.rejects_path is None:
        return []
    with open(result.rejects_path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
