"""`ringfence demo`: a synthetic city with an outbreak, imported day by day, responded to, served.

The simulator is the outside world: the demo hands its feed files to the importer exactly as a
city's feeds would arrive — registers first, then each day's events — and runs the daily cycle
(`respond --as-of` the end of that day) after each day.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ringfence.config import Settings, get_settings
from ringfence.imports.schemas import FeedKind

if TYPE_CHECKING:
    from ringfence.respond import Stopwatch

DEMO_MARKER = "demo.json"

# the time that puts each dated feed's row on a day
DAY_COLUMN = {
    FeedKind.scans: "scanned_at",
    FeedKind.locations: "start_at",
    FeedKind.samples: "collected_at",
    FeedKind.tube_results: "reported_at",
    FeedKind.sentinel: "occurred_at",
    FeedKind.cases: "confirmed_at",
    FeedKind.arrivals: "arrive_at",
}
# within a day: arrivals create people that samples and cases may name; results need their samples
DAILY_ORDER = [
    FeedKind.arrivals, FeedKind.scans, FeedKind.locations, FeedKind.samples,
    FeedKind.tube_results, FeedKind.sentinel, FeedKind.cases,
]


@dataclass(frozen=True)
class FeedFile:
    kind: FeedKind
    path: Path


def feed_files(folder: Path) -> list[FeedFile]:
    """The simulator's files in the order its manifest lists them (registers before events)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [FeedFile(FeedKind(entry["kind"]), folder / entry["path"]) for entry in manifest["files"]]


def split_by_day(feed: FeedFile, tz: str, target: Path) -> dict[date, Path]:
    """Split a dated feed into one Parquet folder per local day of its day column, in one pass."""
    column = DAY_COLUMN[feed.kind]  # one of ours, never user text
    if feed.path.suffix == ".parquet":
        sql = f'SELECT *, CAST(timezone($tz, "{column}") AS DATE) AS feed_day FROM read_parquet($path)'
        params = {"path": str(feed.path), "tz": tz}
    else:  # the simulator writes local times, so the date prefix is the local day
        sql = (
            f'SELECT *, CAST(substr("{column}", 1, 10) AS DATE) AS feed_day '
            "FROM read_csv($path, all_varchar = true, header = true)"
        )
        params = {"path": str(feed.path)}
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.sql(sql, params=params).write_parquet(str(target), partition_by=["feed_day"], overwrite=True)
    finally:
        con.close()
    return {date.fromisoformat(d.name.removeprefix("feed_day=")): d for d in target.glob("feed_day=*")}


def prepare_home(settings: Settings) -> None:
    """A demo owns its data home: it starts from nothing, but never wipes a home it did not make."""
    home = settings.home
    if home.exists() and any(home.iterdir()):
        if not (home / DEMO_MARKER).exists():
            from ringfence.core.errors import InvalidInput

            raise InvalidInput(
                f"{home} holds data that is not a demo's; set RINGFENCE_HOME to another folder for the demo"
            )
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)


def run(
    *,
    people: int,
    days: int,
    seed: int,
    start: date,
    actor: str,
    say: Callable[[str], None],
    stopwatch: Stopwatch | None = None,
) -> dict:
    """Simulate, import and respond day by day; returns what was done (counts, days, users).

    A `stopwatch` is told the time of each part: simulate, init, each feed kind's import, each
    respond step (summed over the days) and each day's import and respond (`day.DATE.…`).
    """
    from ringfence import respond as cycle
    from ringfence.bootstrap import engine
    from ringfence.imports.flows import import_file
    from ringfence.protocols import service as protocols
    from ringfence.simulate.engine import run as simulate
    from ringfence.simulate.parameters import SimulationConfig

    settings = get_settings()
    prepare_home(settings)
    (settings.home / DEMO_MARKER).write_text(json.dumps({"people": people, "days": days, "seed": seed}))
    feeds_dir = settings.home / "demo-feeds"
    say(f"Simulating {people:,} people for {days} days …")
    # more seeds than the simulator's default, so every capability has something to act on
    index_cases = max(10, people // 2_500)
    timed = stopwatch or cycle.Stopwatch()
    with timed.step("simulate"):
        simulate(SimulationConfig(
            people=people, days=days, seed=seed, out=feeds_dir, start=start, index_cases=index_cases,
        ))

    with timed.step("init"):
        admin_password = initialise(settings, actor=actor)
    settings = get_settings()
    files = feed_files(feeds_dir)
    registers = [f for f in files if f.kind not in DAY_COLUMN]
    dated = [f for f in files if f.kind in DAY_COLUMN]
    say("Importing the registers …")
    imported: dict[str, int] = {}
    for feed in registers:
        with timed.step(f"import.{feed.kind.value}"):
            result = import_file(settings=settings, kind=feed.kind, path=feed.path, actor=actor, progress=False)
        imported[feed.kind.value] = imported.get(feed.kind.value, 0) + result.accepted

    protocol = protocols.load(settings.protocol)
    store_engine = engine(settings)
    responses: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="ringfence-demo-") as scratch:
        with timed.step("split_by_day"):
            by_day = [
                (feed, split_by_day(feed, settings.timezone, Path(scratch) / f"{index}-{feed.path.stem}"))
                for index, feed in enumerate(dated)
            ]
        for offset in range(days):
            day = start + timedelta(days=offset)
            with timed.step(f"day.{day}.import"):
                for kind in DAILY_ORDER:
                    for feed, parts in by_day:
                        if feed.kind is not kind or day not in parts:
                            continue
                        for part in sorted(parts[day].glob("*.parquet")):
                            with timed.step(f"import.{kind.value}"):
                                result = import_file(
                                    settings=settings, kind=kind, path=part, actor=actor, progress=False
                                )
                            imported[kind.value] = imported.get(kind.value, 0) + result.accepted
            as_of = datetime.combine(day, time(23, 59, 59), tzinfo=settings.tz)
            context = cycle.Context(as_of=as_of, settings=settings, protocol=protocol, actor=actor)
            with timed.step(f"day.{day}.respond"):
                done = cycle.run(engine=store_engine, context=context, stopwatch=timed)
            for step, counts in done.items():
                for name, value in counts.items():
                    responses.setdefault(f"{step}.{name}", {})[str(day)] = value
            say(f"  {day}: imported and responded")
    with timed.step("users"):
        users = demo_users(settings, password=admin_password, actor=actor)
    return {"imported": imported, "responses": responses, "admin_password": admin_password, "users": users}


def initialise(settings: Settings, *, actor: str) -> str:
    """Create the stores and the admin user; the admin password is $RINGFENCE_ADMIN_PASSWORD or new."""
    from ringfence.auth import service as auth_service
    from ringfence.auth.models import Role
    from ringfence.auth.schemas import UserCreate
    from ringfence.bootstrap import engine
    from ringfence.config import save_home_settings
    from ringfence.core.db import transaction
    from ringfence.core.migrate import upgrade

    values: dict[str, object] = {"protocol": settings.protocol}
    if settings.secret_key is None:
        values["secret_key"] = secrets.token_urlsafe(32)
    save_home_settings(settings, **values)
    settings = get_settings()
    upgrade(engine(settings))
    password = os.environ.get("RINGFENCE_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    with transaction(engine(settings)) as session:
        auth_service.create(
            session=session, user_in=UserCreate(username="admin", role=Role.admin, password=password), actor=actor
        )
    return password


def demo_users(settings: Settings, *, password: str, actor: str) -> list[dict[str, str | None]]:
    """One user per role, so each role's view can be tried; they share the admin's password."""
    from sqlalchemy import select

    from ringfence.areas.models import Area, AreaLevel
    from ringfence.auth import service as auth_service
    from ringfence.auth.models import Role
    from ringfence.auth.schemas import UserCreate
    from ringfence.bootstrap import engine
    from ringfence.core.db import transaction

    made = []
    with transaction(engine(settings)) as session:
        def first(level: AreaLevel) -> str | None:
            return session.scalar(select(Area.area_id).where(Area.level == level).order_by(Area.area_id).limit(1))

        district = first(AreaLevel.district)
        community = session.scalar(
            select(Area.area_id).where(Area.level == AreaLevel.community, Area.path.like(f"%/{district}/%"))
            .order_by(Area.area_id).limit(1)
        )
        for username, role, area in [
            ("commander", Role.commander, None),
            ("analyst", Role.analyst, None),
            ("district", Role.district, district),
            ("community", Role.community, community),
        ]:
            auth_service.create(
                session=session,
                user_in=UserCreate(username=username, role=role, password=password, area_id=area),
                actor=actor,
            )
            made.append({"username": username, "role": role.value, "area_id": area})
    return made
