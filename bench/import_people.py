"""Import throughput of the person register (target: 12.6 M people in minutes, not hours).

Writes N synthetic people (valid resident IDs, phones, homes in 1 building per 50 people) as a
CSV, imports areas and buildings, then times `import_file` for the people into a fresh store —
SQLite in a temporary home, or PostgreSQL: `--postgres SERVER_URL` creates a throw-away database
on that server and drops it afterwards (or `--database-url` names one you made) — and again
re-importing the same file (every row a duplicate). The snapshot refresh is included.

    .venv/bin/python bench/import_people.py --people 200000
    .venv/bin/python bench/import_people.py --people 200000 --postgres postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_load, report, run_isolated

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK = np.array(list("10X98765432"))


def resident_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unique valid 18-character IDs: region, birth date, a per-person sequence, check digit."""
    region = 410100 + rng.integers(1, 90, n)
    born = np.datetime64("1940-01-01") + rng.integers(0, 80 * 365, n).astype("timedelta64[D]")
    birth = np.char.replace(np.datetime_as_string(born, unit="D"), "-", "")
    sequence = np.arange(n) % 1000
    first17 = np.char.add(np.char.add(region.astype(str), birth), np.char.zfill(sequence.astype(str), 3))
    digits = np.frombuffer("".join(first17).encode(), dtype=np.uint8).reshape(n, 17) - ord("0")
    return np.char.add(first17, CHECK[(digits.astype(np.int64) @ WEIGHTS) % 11])


def write_city(folder: Path, people: int, seed: int) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    buildings = max(people // 50, 1)
    areas = folder / "areas.csv"
    areas.write_text(
        "area_id,parent_id,level,name\nzz,,city,Z\nd1,zz,district,D\ns1,d1,subdistrict,S\nk1,s1,community,K\n",
        encoding="utf-8",
    )
    building_ids = np.char.add("B", np.arange(buildings).astype(str))
    pacsv.write_csv(pa.table({
        "building_id": building_ids, "community_id": np.full(buildings, "k1"), "address": building_ids,
        "lon": rng.uniform(113.5, 113.9, buildings), "lat": rng.uniform(34.6, 34.9, buildings),
    }), folder / "buildings.csv")
    # unique IDs: the sequence number cycles, so re-draw until every number is distinct
    ids = np.unique(resident_ids(people * 2, rng))[:people]
    rng.shuffle(ids)
    pacsv.write_csv(pa.table({
        "person_id": np.char.add("P", np.arange(people).astype(str)),
        "name": np.full(people, "张三"),
        "id_number": ids,
        "phone": np.char.add("139", np.char.zfill(rng.permutation(people).astype(str), 8)),
        "sex": np.where(rng.random(people) < 0.5, "male", "female"),
        "birth_date": np.full(people, ""),
        "building_id": building_ids[rng.integers(0, buildings, people)],
    }), folder / "people.csv")
    return {"areas": areas, "buildings": folder / "buildings.csv", "people": folder / "people.csv"}


@contextmanager
def throwaway_database(server_url: str):
    """A new database on the PostgreSQL server of `server_url`, dropped on the way out; its URL."""
    from sqlalchemy import create_engine, make_url, text

    name = f"ringfence_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin.url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000, help="scale: people in the feed (city: 12,600,000)")
    parser.add_argument("--database-url", default=None, help="a throw-away PostgreSQL database (default: SQLite)")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL: a throw-away database is made there")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        with throwaway_database(args.postgres) as url:
            run(args, url)
    else:
        run(args, args.database_url)


def run(args: argparse.Namespace, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        os.environ["RINGFENCE_HOME"] = str(home)
        if database_url:
            os.environ["RINGFENCE_DATABASE_URL"] = database_url
        from ringfence.bootstrap import engine
        from ringfence.config import get_settings
        from ringfence.core.migrate import upgrade
        from ringfence.imports.flows import import_file
        from ringfence.imports.schemas import FeedKind

        settings = get_settings()
        upgrade(engine(settings))
        engine(settings).dispose()
        started = time.perf_counter()
        files = write_city(Path(tmp), args.people, args.seed)
        generated = time.perf_counter() - started

        def load(kind: str):
            return lambda: import_file(
                settings=settings, kind=FeedKind(kind), path=files[kind], actor="bench", progress=False
            ).model_dump()

        load("areas")()
        load("buildings")()
        engine(settings).dispose()
        load_before = machine_load()
        first_seconds, first_rss, first_cpu, first = run_isolated(load("people"))
        again_seconds, again_rss, again_cpu, again = run_isolated(load("people"))
        report("import people", {
            "store": "postgresql" if database_url else "sqlite",
            "people": args.people,
            "file_mib": files["people"].stat().st_size / 2**20,
            "generate_seconds": generated,
            "import_seconds": first_seconds,
            "import_cpu_seconds": first_cpu,
            "import_rows_per_s": args.people / first_seconds,
            "import_rows_per_cpu_s": args.people / first_cpu,
            "import_peak_rss_mib": first_rss / 2**20,
            "accepted": first["accepted"],
            "reimport_seconds": again_seconds,
            "reimport_cpu_seconds": again_cpu,
            "reimport_rows_per_s": args.people / again_seconds,
            "reimport_peak_rss_mib": again_rss / 2**20,
            "duplicates": again["duplicates"],
            "city_minutes_estimate": 12_600_000 / (args.people / first_seconds) / 60,
            "load_average": f"{load_before} before, {machine_load()} after",
            "note": "CPU time is this process only: a PostgreSQL server's work is not in it",
        }, args.json)


if __name__ == "__main__":
    main()
