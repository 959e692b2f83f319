"""Delineating risk areas for 1,000 cases over a 12.6 M-resident city (target: < 5 s on 2 cores).

Builds a data home straight into the stores (no CSV, no simulator): the area tree, buildings and
the cases' people in the relational store (SQLite); the people snapshot (12.6 M residents by
default), buildings, areas and venues snapshots written by DuckDB; the cases' check-ins over their
infectious windows plus background check-ins in the event log (compacted, with by-person copies);
and, for the high buildings whose day-7 round is due, every other resident sampled that day with a
negative result — so the lifting clock has real rounds to judge. Then times
`zones.service.delineate` (cases, long stays, resident counts, round verdicts, rules) as of the
last day, each repeat in a fresh process.

    .venv/bin/python bench/delineate_zones.py --people 12600000 --cases 1000 --repeat 3
    .venv/bin/python bench/delineate_zones.py --people 200000 --cases 100      # a quick look
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_load, median_run, report

from ringfence.areas.models import Area, Building
from ringfence.cases.models import Case, Classification
from ringfence.config import Settings
from ringfence.core.db import make_engine, transaction
from ringfence.core.migrate import upgrade
from ringfence.eventlog.kinds import UTC_TIME, EventKind
from ringfence.eventlog.parquet_log import ParquetLog
from ringfence.eventlog.store import open_store, register_path
from ringfence.people.models import Person
from ringfence.protocols import service as protocols
from ringfence.zones import service as zones_service  # imported once, before the timed runs fork

PROTOCOL = protocols.load("covid19-cn-9")
TZ = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2022, 10, 20, 12, tzinfo=TZ)
OUTBREAK_DAYS = 14  # cases confirmed over the 14 days before AS_OF
VENUE_KINDS = ["restaurant", "shop", "supermarket", "market", "office", "mall"]


def _id(prefix: str, width: int) -> str:
    """DuckDB text of an id like P00000042 from the integer column `i`."""
    return f"'{prefix}' || lpad(CAST(i AS VARCHAR), {width}, '0')"


def build_registers(settings: Settings, people: int, per_building: int, per_community: int, districts: int,
                    venues: int) -> dict[str, int]:
    """The snapshots people, buildings, areas and venues, written by DuckDB; their sizes."""
    buildings = -(-people // per_building)
    communities = -(-buildings // per_community)
    subdistricts = -(-communities // 10)
    log = ParquetLog(settings.events_dir, settings.tz)
    paths = {name: str(register_path(settings, name)) for name in ("people", "buildings", "areas", "venues")}
    register_path(settings, "people").parent.mkdir(parents=True, exist_ok=True)
    with log.connection() as con:
        con.execute(f"""COPY (
            SELECT {_id('P', 8)} AS person_id, CAST(NULL AS VARCHAR) AS id_number, CAST(NULL AS VARCHAR) AS phone,
                   'B' || lpad(CAST(i // {per_building} AS VARCHAR), 6, '0') AS building_id,
                   'H' || lpad(CAST(i // 3 AS VARCHAR), 8, '0') AS household_id,
                   CAST(NULL AS VARCHAR) AS workplace_id, CAST(NULL AS VARCHAR) AS key_group
            FROM range({people}) t(i)) TO '{paths["people"]}' (FORMAT parquet)""")
        con.execute(f"""COPY (
            SELECT {_id('B', 6)} AS building_id, 'M' || lpad(CAST(i // {per_community} AS VARCHAR), 5, '0') AS community_id,
                   'No. ' || CAST(i AS VARCHAR) AS address,
                   113.4 + (i % 200) * 0.002 AS lon, 34.6 + (i // 200) * 0.0015 AS lat
            FROM range({buildings}) t(i)) TO '{paths["buildings"]}' (FORMAT parquet)""")
        con.execute(f"""COPY (
            SELECT * FROM (
              SELECT 'C' AS area_id, CAST(NULL AS VARCHAR) AS parent_id, 'city' AS level, 'City' AS name, '/C/' AS path
              UNION ALL
              SELECT {_id('D', 2)}, 'C', 'district', 'District ' || CAST(i AS VARCHAR), '/C/' || {_id('D', 2)} || '/'
              FROM range({districts}) t(i)
              UNION ALL
              SELECT {_id('S', 4)}, 'D' || lpad(CAST(i * {districts} // {subdistricts} AS VARCHAR), 2, '0'),
                     'subdistrict', 'Subdistrict ' || CAST(i AS VARCHAR),
                     '/C/D' || lpad(CAST(i * {districts} // {subdistricts} AS VARCHAR), 2, '0') || '/' || {_id('S', 4)} || '/'
              FROM range({subdistricts}) t(i)
              UNION ALL
              SELECT {_id('M', 5)}, 'S' || lpad(CAST(i // 10 AS VARCHAR), 4, '0'), 'community',
                     'Community ' || CAST(i AS VARCHAR),
                     '/C/D' || lpad(CAST((i // 10) * {districts} // {subdistricts} AS VARCHAR), 2, '0')
                       || '/S' || lpad(CAST(i // 10 AS VARCHAR), 4, '0') || '/' || {_id('M', 5)} || '/'
              FROM range({communities}) t(i)
            )) TO '{paths["areas"]}' (FORMAT parquet)""")
        kinds = "[" + ", ".join(f"'{k}'" for k in VENUE_KINDS) + "]"
        con.execute(f"""COPY (
            SELECT {_id('V', 6)} AS venue_id, 'Venue ' || CAST(i AS VARCHAR) AS name,
                   list_extract({kinds}, CAST(i % {len(VENUE_KINDS)} AS INTEGER) + 1) AS kind,
                   0.0 AS lon, 0.0 AS lat,
                   'B' || lpad(CAST((i * 7919) % {buildings} AS VARCHAR), 6, '0') AS building_id,
                   CAST(NULL AS BIGINT) AS dwell_minutes
            FROM range({venues}) t(i)) TO '{paths["venues"]}' (FORMAT parquet)""")
    return {"buildings": buildings, "communities": communities, "subdistricts": subdistricts, "districts": districts}


def build_store(settings: Settings, sizes: dict[str, int], per_community: int, cases: list[tuple[str, str, datetime]]) -> None:
    """The relational store: the area tree, every building, the cases' people and the cases."""
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    districts, subdistricts, communities = sizes["districts"], sizes["subdistricts"], sizes["communities"]
    area_rows = [{"area_id": "C", "parent_id": None, "level": "city", "name": "City", "path": "/C/"}]
    area_rows += [{"area_id": f"D{d:02d}", "parent_id": "C", "level": "district", "name": f"District {d}",
                   "path": f"/C/D{d:02d}/"} for d in range(districts)]
    district_of = [s * districts // subdistricts for s in range(subdistricts)]
    area_rows += [{"area_id": f"S{s:04d}", "parent_id": f"D{district_of[s]:02d}", "level": "subdistrict",
                   "name": f"Subdistrict {s}", "path": f"/C/D{district_of[s]:02d}/S{s:04d}/"} for s in range(subdistricts)]
    area_rows += [{"area_id": f"M{m:05d}", "parent_id": f"S{m // 10:04d}", "level": "community", "name": f"Community {m}",
                   "path": f"/C/D{district_of[m // 10]:02d}/S{m // 10:04d}/M{m:05d}/"} for m in range(communities)]
    building_rows = [{"building_id": f"B{b:06d}", "community_id": f"M{b // per_community:05d}", "address": f"No. {b}",
                      "lon": 113.4 + (b % 200) * 0.002, "lat": 34.6 + (b // 200) * 0.0015}
                     for b in range(sizes["buildings"])]
    with transaction(engine) as session:
        for level in ("city", "district", "subdistrict", "community"):
            session.execute(insert(Area), [r for r in area_rows if r["level"] == level])
        session.execute(insert(Building), building_rows)
        session.execute(insert(Person), [{"person_id": p, "building_id": b} for p, b, _ in cases])
        session.execute(insert(Case), [{"person_id": p, "classification": Classification.confirmed,
                                        "status": "confirmed", "confirmed_at": at, "found_via": "other"}
                                       for p, _, at in cases])
    engine.dispose()


def draw_cases(count: int, people: int, per_building: int, seed: int) -> list[tuple[str, str, datetime]]:
    """(person_id, building_id, confirmed_at) of `count` residents drawn at random, confirmed over 14 days."""
    rng = random.Random(seed)
    chosen = rng.sample(range(people), count)
    span = OUTBREAK_DAYS * 86_400
    return [(f"P{i:08d}", f"B{i // per_building:06d}", AS_OF - timedelta(seconds=rng.randrange(span))) for i in chosen]


def write_scans(settings: Settings, cases: list[tuple[str, str, datetime]], people: int, venues: int, noise: int,
                seed: int) -> int:
    """Each case's check-ins over its window (4 a day, 10–90 minutes), plus `noise` background ones; compacted."""
    rng = random.Random(seed)
    rows = []
    for person, _, confirmed in cases:
        start = confirmed - timedelta(days=PROTOCOL.contact.lookback_days)
        for n in range(4 * (PROTOCOL.contact.lookback_days + 1)):
            at = start + timedelta(hours=6 * n + rng.uniform(0, 4))
            rows.append((person, f"V{rng.randrange(venues):06d}", at, at + timedelta(minutes=rng.uniform(10, 90))))
    table = pa.table({
        "person_id": pa.array([r[0] for r in rows], pa.string()),
        "venue_id": pa.array([r[1] for r in rows], pa.string()),
        "scanned_at": pa.array([r[2] for r in rows], UTC_TIME),
        "left_at": pa.array([r[3] for r in rows], UTC_TIME),
    })
    with open_store(settings) as store:
        store.append(EventKind.scans, table, batch_id="bench-case-scans")
    log = ParquetLog(settings.events_dir, settings.tz)
    first = AS_OF - timedelta(days=OUTBREAK_DAYS + PROTOCOL.contact.lookback_days + 1)
    if noise:
        with log.connection() as con:
            con.execute("SELECT setseed(0.42)")
            seconds = int((AS_OF - first).total_seconds())
            con.execute(
                f"CREATE TEMP TABLE noise AS SELECT 'P' || lpad(CAST(CAST(random() * {people} AS BIGINT) AS VARCHAR), 8, '0') AS person_id, "
                f"'V' || lpad(CAST(CAST(random() * {venues} AS BIGINT) AS VARCHAR), 6, '0') AS venue_id, "
                f"$first + INTERVAL 1 SECOND * CAST(random() * {seconds} AS BIGINT) AS scanned_at, "
                f"CAST(NULL AS TIMESTAMPTZ) AS left_at, i AS _ord FROM range({noise}) t(i)",
                {"first": first},
            )
            log.append_select(con, EventKind.scans, "SELECT * FROM noise", batch_id="bench-noise-scans")
    for day in log.days(EventKind.scans):
        log.compact(EventKind.scans, day)
    return len(rows)


def write_rounds(settings: Settings, cases: list[tuple[str, str, datetime]], per_building: int) -> int:
    """For each case's building whose day-7 round is due by AS_OF, every other resident sampled that day, negative."""
    cases_of = {p for p, _, _ in cases}
    last_case: dict[str, datetime] = {}
    for _, building, at in cases:
        last_case[building] = max(at, last_case.get(building, at))
    samples, results = [], []
    for building, confirmed in sorted(last_case.items()):
        day7 = confirmed.astimezone(TZ).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=7)
        if day7 + timedelta(hours=8) > AS_OF:
            continue
        first = int(building[1:]) * per_building
        for i in range(first, first + per_building):
            person = f"P{i:08d}"
            if person in cases_of:
                continue
            tube = f"T{i:08d}"
            samples.append((f"S{i:08d}", person, tube, day7))
            results.append((tube, "negative", day7 + timedelta(hours=6)))
    if not samples:
        return 0
    with open_store(settings) as store:
        store.append(EventKind.samples, pa.table({
            "sample_id": pa.array([s[0] for s in samples], pa.string()),
            "person_id": pa.array([s[1] for s in samples], pa.string()),
            "tube_id": pa.array([s[2] for s in samples], pa.string()),
            "collected_at": pa.array([s[3] for s in samples], UTC_TIME),
            "site_id": pa.nulls(len(samples), pa.string()), "round_id": pa.nulls(len(samples), pa.string()),
        }), batch_id="bench-samples")
        store.append(EventKind.tube_results, pa.table({
            "tube_id": pa.array([r[0] for r in results], pa.string()),
            "result": pa.array([r[1] for r in results], pa.string()),
            "reported_at": pa.array([r[2] for r in results], UTC_TIME),
            "lab_id": pa.nulls(len(results), pa.string()), "ct": pa.nulls(len(results), pa.float64()),
        }), batch_id="bench-results")
    return len(samples)


def delineate(settings: Settings) -> dict[str, int]:
    """One delineation as of AS_OF, from a fresh engine and store; the zones by level."""
    from ringfence.core.db import session_factory

    engine = make_engine(settings.resolved_database_url)
    try:
        with open_store(settings) as store, session_factory(engine)() as session:
            zones = zones_service.delineate(session=session, store=store, protocol=PROTOCOL, as_of=AS_OF, tz=TZ)
    finally:
        engine.dispose()
    levels = Counter(z.level.value for z in zones)
    return {f"{level} zones": levels.get(level, 0) for level in ("high", "medium", "low")} | {
        "demoted zones": sum(z.demoted for z in zones)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=12_600_000, help="residents of the city")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--per-building", type=int, default=300, help="residents per building")
    parser.add_argument("--per-community", type=int, default=40, help="buildings per community")
    parser.add_argument("--districts", type=int, default=12)
    parser.add_argument("--venues", type=int, default=50_000)
    parser.add_argument("--noise-scans", type=int, default=5_000_000, help="background check-ins besides the cases'")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", type=Path, help="build the data home here and keep it (reused if already built)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ringfence-zones-") as scratch:
        home = args.home or Path(scratch) / "home"
        settings = Settings(home=home, database_url=None, timezone=TZ.key)
        built_marker = home / "bench-sizes.json"
        started = time.perf_counter()
        if built_marker.is_file():
            sizes, case_scans, samples = json.loads(built_marker.read_text(encoding="utf-8"))
            cases = draw_cases(args.cases, args.people, args.per_building, args.seed)
        else:
            home.mkdir(parents=True, exist_ok=True)
            sizes = build_registers(settings, args.people, args.per_building, args.per_community, args.districts,
                                    args.venues)
            cases = draw_cases(args.cases, args.people, args.per_building, args.seed)
            build_store(settings, sizes, args.per_community, cases)
            case_scans = write_scans(settings, cases, args.people, args.venues, args.noise_scans, args.seed)
            samples = write_rounds(settings, cases, args.per_building)
            built_marker.write_text(json.dumps([sizes, case_scans, samples]), encoding="utf-8")
        built = time.perf_counter() - started
        run = median_run(lambda: delineate(settings), args.repeat)
        report(f"delineate {args.cases} cases over {args.people:,} residents (duckdb)", {
            "residents": args.people, **sizes, "venues": args.venues, "cases": len(cases),
            "case check-ins": case_scans, "background check-ins": args.noise_scans, "round samples": samples,
            **{k: v for k, v in run.items() if k != "outcome"}, **run["outcome"], "repeats": args.repeat,
            "build s": built, "load": machine_load(),
        }, args.json)


if __name__ == "__main__":
    main()
