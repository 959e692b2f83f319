"""What delineation needs, gathered in a few set-based queries: the active cases (relational
store), their long venue stays, the city's resident counts and the units' screening verdicts
(event log). 1,000 cases over 12.6 M residents cost four event-log queries, not thousands."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from ringfence.areas.models import AreaLevel, Building
from ringfence.cases.models import Case, CaseStatus
from ringfence.eventlog.kinds import UTC_TIME
from ringfence.eventlog.store import EventStore
from ringfence.people.models import Person
from ringfence.protocols.models import Protocol
from ringfence.tracing.rules import MAX_STAY, CaseFacts, infectious_window
from ringfence.zones import queries
from ringfence.zones.kinds import Hit, UnitKey, ZoneUnit
from ringfence.zones.lifecycle import RoundVerdict
from ringfence.zones.rules import ActiveCase, CityMap, VenueStay


def active_cases(*, session: Session, as_of: datetime) -> list[tuple[ActiveCase, CaseFacts]]:
    """Every case confirmed by `as_of` and not discarded, with its home and its tracing facts."""
    rows = session.execute(
        select(Case.person_id, Case.confirmed_at, Case.onset_at, Case.sampled_at, Case.isolated_at,
               Person.building_id, Building.community_id)
        .outerjoin(Person, Person.person_id == Case.person_id)
        .outerjoin(Building, Building.building_id == Person.building_id)
        .where(Case.confirmed_at <= as_of, Case.status != CaseStatus.discarded)
        .order_by(Case.case_id)
    ).all()
    return [
        (
            ActiveCase(person_id, confirmed_at, building_id, community_id),
            CaseFacts(person_id, confirmed_at, onset_at, sampled_at, isolated_at),
        )
        for person_id, confirmed_at, onset_at, sampled_at, isolated_at, building_id, community_id in rows
    ]


def long_stays(
    store: EventStore, cases: Iterable[CaseFacts], protocol: Protocol, *, as_of: datetime, tz: tzinfo
) -> list[VenueStay]:
    """The cases' stays at venues of a building, inside their infectious windows, long enough to count."""
    windows = {c.person_id: infectious_window(c, protocol.contact, as_of) for c in cases}
    windows = {p: w for p, w in windows.items() if w.start < w.end}
    if not windows:
        return []
    people = sorted(windows)
    first_day = (min(w.start for w in windows.values()) - MAX_STAY).astimezone(tz).date()
    last_day = max(w.end for w in windows.values()).astimezone(tz).date()
    kinds = sorted(protocol.contact.dwell_minutes_by_kind.items())
    table = store.query(
        queries.LONG_STAYS,
        {
            "first_day": first_day, "last_day": last_day, "default_dwell": protocol.contact.default_dwell_minutes,
            "min_stay_seconds": protocol.zones.medium_min_stay_minutes * 60,
        },
        tables={
            "case_windows": pa.table({
                "case_person": pa.array(people, pa.string()),
                "start_at": pa.array([windows[p].start for p in people], UTC_TIME),
                "end_at": pa.array([windows[p].end for p in people], UTC_TIME),
            }),
            "dwell_by_kind": pa.table({
                "kind": pa.array([k for k, _ in kinds], pa.string()),
                "minutes": pa.array([m for _, m in kinds], pa.int64()),
            }),
        },
    )
    return [
        VenueStay(row["case_person"], row["building_id"], _utc(row["start_at"]), _utc(row["end_at"]))
        for row in table.to_pylist()
    ]


def city_map(store: EventStore, units: Iterable[UnitKey]) -> CityMap:
    """Where `units` lie and how many live there: each wanted building's community (and the buildings
    of each wanted community), every community's district, residents per unit of the three kinds.

    Counted in the engine and in Arrow: Python touches only the wanted buildings and the communities.
    """
    levels: dict[str, str] = {}
    paths: dict[str, str] = {}
    for row in store.query(queries.AREAS).to_pylist():
        levels[row["area_id"]], paths[row["area_id"]] = row["level"], row["path"] or ""
    community_district: dict[str, str] = {}
    for area_id, path in paths.items():
        district = next((part for part in path.strip("/").split("/") if levels.get(part) == AreaLevel.district), None)
        if district is not None:
            community_district[area_id] = district

    counts = store.query(queries.BUILDING_RESIDENTS)
    residents: dict[UnitKey, int] = defaultdict(int)
    by_community = counts.group_by("community_id").aggregate([("residents", "sum")])
    for community_id, count in zip(by_community.column("community_id").to_pylist(),
                                   by_community.column("residents_sum").to_pylist(), strict=True):
        if community_id is None:
            continue
        residents[UnitKey(ZoneUnit.community, community_id)] = count
        if (district := community_district.get(community_id)) is not None:
            residents[UnitKey(ZoneUnit.district, district)] += count

    wanted = list(units)
    buildings = pa.array(sorted({u.unit_id for u in wanted if u.unit is ZoneUnit.building}), pa.string())
    communities = pa.array(sorted({u.unit_id for u in wanted if u.unit is ZoneUnit.community}), pa.string())
    mask = pc.or_(pc.is_in(counts.column("building_id"), value_set=buildings),
                  pc.is_in(counts.column("community_id"), value_set=communities))
    chosen = counts.filter(mask)
    building_community: dict[str, str] = {}
    for building_id, community_id, count in zip(
        chosen.column("building_id").to_pylist(), chosen.column("community_id").to_pylist(),
        chosen.column("residents").to_pylist(), strict=True,
    ):
        building_community[building_id] = community_id
        residents[UnitKey(ZoneUnit.building, building_id)] = count
    return CityMap(building_community, community_district, dict(residents))


def round_verdicts(
    store: EventStore, hits: Mapping[UnitKey, list[Hit]], city: CityMap, *, cases: Iterable[str], as_of: datetime,
    tz: tzinfo,
) -> dict[UnitKey, dict[date, RoundVerdict]]:
    """Each hit unit's screening verdict per local day, from its first hit to `as_of`; the active
    `cases` are not screened (they are isolated or in hospital), so their samples count for nothing."""
    if not hits:
        return {}
    buildings_of: dict[str, list[str]] = defaultdict(list)
    for building_id, community_id in city.building_community.items():
        buildings_of[community_id].append(building_id)
    keys, buildings = [], []
    for unit in hits:
        members = buildings_of.get(unit.unit_id, []) if unit.unit is ZoneUnit.community else [unit.unit_id]
        keys.extend([unit.text] * len(members))
        buildings.extend(members)
    by_text = {unit.text: unit for unit in hits}
    first_day = min(h.at for found in hits.values() for h in found).astimezone(tz).date()
    table = store.query(
        queries.ROUND_VERDICTS,
        {"first_day": first_day, "last_day": as_of.astimezone(tz).date(), "as_of": as_of},
        tables={
            "unit_buildings": pa.table({
                "unit_key": pa.array(keys, pa.string()), "building_id": pa.array(buildings, pa.string()),
            }),
            "known_cases": pa.table({"person_id": pa.array(sorted(set(cases)), pa.string())}),
        },
    )
    verdicts: dict[UnitKey, dict[date, RoundVerdict]] = defaultdict(dict)
    for row in table.to_pylist():
        unit = by_text[row["unit_key"]]
        verdicts[unit][row["day"]] = RoundVerdict(
            residents=city.residents_of(unit), negative=int(row["negative"]), pending=int(row["pending"]),
            positive=int(row["positive"]),
        )
    return dict(verdicts)


def _utc(value: datetime) -> datetime:
    """Engines give instants back aware (DuckDB) or naive in the session zone, UTC (Spark)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

