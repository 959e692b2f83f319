"""A little world for tracing one case (c1) at its boundaries, in the event log alone.

c1: onset 2022-10-08 00:00Z, confirmed 2022-10-10 12:00Z: window [2022-10-04 00:00Z, 2022-10-10 12:00Z).
Venues: vA a restaurant (60 min by kind), vB an office with its own dwell of 20 min, vC a kiosk (a kind
the protocol does not know: 30 min).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.eventlog.worlds import events, scans, utc, write_register

from ringfence.config import Settings
from ringfence.eventlog.store import EventStore
from ringfence.tracing.exposures import CaseWindow
from ringfence.tracing.rules import Interval

WINDOW = Interval(utc(2022, 10, 4), utc(2022, 10, 10, 12))
C1 = CaseWindow("c1", WINDOW)
CELL = (113.65, 34.75)  # inside one 800 m cell of the grid around (113.6, 34.7)
NEXT_CELL = (113.65 + 0.0105, 34.75)  # about 960 m east: the next cell

PHONES = {"c1": "13800000001", "h2": "13800000002", "cm1": "13800000011", "cm2": "13800000012",
          "cm3": "13800000013", "cm4": "13800000014", "cm5": "13800000015", "cm6": "13800000016"}
HOUSEHOLDS = {"c1": "H1", "h2": "H1", "p15": "H15", "s1": "H15", "pK": "H15", "pB": "HB", "sB": "HB"}
PEOPLE = sorted({"c1", "h2", "p15", "p14", "ptouch", "pB", "pB2", "pK", "pK2", "pD", "pD2", "pN", "pE1", "pE2",
                 "pW", "s1", "sB", "cm1", "cm2", "cm3", "cm4", "cm5", "cm6", "c2", "q1"})


def day(d: int, hour: int = 0, minute: int = 0) -> datetime:
    return utc(2022, 10, d, hour, minute)


SCANS = [
    # the 15-minute rule and half-open stays at vA, 6 October
    ("c1", "vA", day(6, 10), day(6, 11)),
    ("p15", "vA", day(6, 10, 45), day(6, 12)),
    ("p14", "vA", day(6, 10, 46), day(6, 12)),
    ("ptouch", "vA", day(6, 11), day(6, 12)),
    ("ptouch", "vA", day(6, 9), day(6, 10)),
    ("h2", "vA", day(6, 10), day(6, 11)),  # household member also met at a venue
    # the venue's own dwell (20 min) for check-ins without check-out, 7 October
    ("c1", "vB", day(7, 10), None),
    ("pB", "vB", day(7, 10, 5), day(7, 11)),
    ("pB2", "vB", day(7, 10, 6), day(7, 11)),
    # the kind's dwell (restaurant, 60 min), 8 October
    ("c1", "vA", day(8, 10), None),
    ("pK", "vA", day(8, 10, 45), day(8, 12)),
    ("pK2", "vA", day(8, 10, 46), day(8, 12)),
    # the default dwell (30 min) and a contact without check-out, 9 October
    ("c1", "vC", day(9, 10), None),
    ("pD", "vC", day(9, 10, 15), day(9, 11)),
    ("pD2", "vC", day(9, 10, 16), day(9, 11)),
    ("pN", "vC", day(9, 10), None),
    # the window's start: only what lies inside counts
    ("c1", "vA", day(3, 23, 30), day(4, 0, 20)),
    ("pE1", "vA", day(3, 23, 30), day(4, 0, 14)),
    ("pE2", "vA", day(3, 23, 30), day(4, 0, 15)),
    # the window's end (isolation at 12:00)
    ("c1", "vC", day(10, 11, 50), day(10, 13)),
    ("pW", "vC", day(10, 11, 40), day(10, 13)),
    # another case's stay, elsewhere
    ("c2", "vB", day(9, 15), day(9, 16)),
    ("q1", "vB", day(9, 15), day(9, 16)),
]


def _presence(phone: str, start: datetime, end: datetime, where: tuple[float, float] = CELL) -> dict:
    return {"phone": phone, "lon": where[0], "lat": where[1], "start_at": start, "end_at": end}


LOCATIONS = [
    _presence(PHONES["c1"], day(9, 8), day(9, 10)),
    # cm1: 10 minutes together, and 31 h in the cell over the history
    _presence(PHONES["cm1"], day(9, 9), day(9, 9, 10)),
    _presence(PHONES["cm1"], day(1), day(2, 7)),
    # cm2: 9 minutes together only
    _presence(PHONES["cm2"], day(9, 9), day(9, 9, 9)),
    _presence(PHONES["cm2"], day(1), day(2, 7)),
    # cm3: long together, but nobody dwells there
    _presence(PHONES["cm3"], day(9, 9), day(9, 9, 30)),
    # cm4: exactly 30 h in the cell (29 h 40 + 20 min together): not more than 30 h
    _presence(PHONES["cm4"], day(9, 9), day(9, 9, 20)),
    _presence(PHONES["cm4"], day(1), day(1) + timedelta(hours=29, minutes=40)),
    # cm5: 30 h 01
    _presence(PHONES["cm5"], day(9, 9), day(9, 9, 20)),
    _presence(PHONES["cm5"], day(1), day(1) + timedelta(hours=29, minutes=41)),
    # cm6: dwells 31 h next door
    _presence(PHONES["cm6"], day(9, 9), day(9, 9, 30), NEXT_CELL),
    _presence(PHONES["cm6"], day(1), day(2, 7), NEXT_CELL),
    # a phone nobody registered
    _presence("13899999999", day(9, 9), day(9, 9, 30)),
    _presence("13899999999", day(1), day(2, 7)),
    # the household member is a companion too: still listed once, close
    _presence(PHONES["h2"], day(9, 9), day(9, 9, 30)),
    _presence(PHONES["h2"], day(1), day(2, 7)),
]


def build(settings: Settings, store: EventStore) -> None:
    """The registers and events above, in the data home of `settings`."""
    write_register(settings, "people", [
        {"person_id": p, "phone": PHONES.get(p), "household_id": HOUSEHOLDS.get(p), "building_id": "b1"}
        for p in PEOPLE
    ])
    write_register(settings, "venues", [
        {"venue_id": "vA", "kind": "restaurant", "lon": 113.61, "lat": 34.71},
        {"venue_id": "vB", "kind": "office", "dwell_minutes": 20, "lon": 113.62, "lat": 34.72},
        {"venue_id": "vC", "kind": "kiosk", "lon": 113.63, "lat": 34.73},
    ])
    write_register(settings, "buildings", [
        {"building_id": "b1", "community_id": "m1", "lon": 113.58, "lat": 34.68},
        {"building_id": "b2", "community_id": "m1", "lon": 113.62, "lat": 34.72},
    ])
    store.append("scans", scans(*SCANS), batch_id="tracing-scans")
    store.append("locations", events("locations", LOCATIONS), batch_id="tracing-locations")
