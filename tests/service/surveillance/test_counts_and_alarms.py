"""Daily sentinel counts by site, district and category, and the day's aberration verdicts per district."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.service.surveillance.sentinel_world import T0, append, build_city, daily_sentinel, sentinel_row

from ringfence.eventlog.store import open_store
from ringfence.surveillance import service
from ringfence.surveillance.aberration import AlarmMethod
from ringfence.surveillance.schemas import CountDimension

FIRST = date(2022, 10, 10)  # the local day of T0


@pytest.fixture
def city(session, settings):
    build_city(session, settings)
    session.commit()
    return settings


def test_counts_place_a_registered_site_in_its_district_and_others_in_unknown(city) -> None:
    append(city, "sentinel", [
        sentinel_row("V1", T0, "antipyretic", "P1"),
        sentinel_row("V1", T0 + timedelta(hours=1), "antipyretic", count=4),
        sentinel_row("V2", T0, "fever_clinic", "P3", site_kind="fever_clinic"),
        sentinel_row("PH9", T0, "antiviral", count=2),
        sentinel_row("V1", T0 + timedelta(days=1), "antibiotic", count=3),
    ], "s1")
    with open_store(city) as store:
        full = service.counts(store=store, first=FIRST, last=FIRST + timedelta(days=1))
        by_district = service.counts(store=store, first=FIRST, last=FIRST, by=[CountDimension.district])
    assert [(r.day, r.district_id, r.site_id, r.category, r.count) for r in full.counts] == [
        (FIRST, "D1", "V1", "antipyretic", 5),
        (FIRST, "D2", "V2", "fever_clinic", 1),
        (FIRST, "unknown", "PH9", "antiviral", 2),
        (FIRST + timedelta(days=1), "D1", "V1", "antibiotic", 3),
    ]
    assert {r.district_id: r.count for r in by_district.counts} == {"D1": 5, "D2": 1, "unknown": 2}
    assert all(r.site_id is None and r.category is None for r in by_district.counts)


def test_a_surge_in_one_district_alarms_there_and_not_elsewhere(city) -> None:
    usual = [4, 5, 6, 5, 4, 9, 10] * 3 + [4, 5, 6, 5, 4, 9]
    append(city, "sentinel", daily_sentinel("V1", T0, [*usual, 40]) + daily_sentinel("V2", T0, [*usual, 10]), "s1")
    day = FIRST + timedelta(days=len(usual))
    with open_store(city) as store:
        document = service.alarms(store=store, day=day)
    assert document.history_from == FIRST
    verdicts = {(a.district_id, a.method): a for a in document.alarms}
    assert {a.district_id for a in document.alarms} == {"D1", "D2", "D_"}
    for method in AlarmMethod:
        assert verdicts[("D1", method)].alarm and verdicts[("D1", method)].observed == 40
        assert not verdicts[("D2", method)].alarm and verdicts[("D2", method)].judged


def test_the_series_starts_with_the_feed_so_a_young_feed_is_not_judged_by_every_method(city) -> None:
    append(city, "sentinel", daily_sentinel("V1", T0, [3, 4, 3, 5, 4, 3, 4, 3, 4]), "s1")
    with open_store(city) as store:
        document = service.alarms(store=store, day=FIRST + timedelta(days=8))
    judged = {a.method for a in document.alarms if a.district_id == "D1" and a.judged}
    assert judged == {AlarmMethod.ears_c1}  # 9 days: C1 needs 8, C2 10, C3 12, Farrington 23


def test_without_any_sentinel_event_there_is_nothing_to_judge(city) -> None:
    with open_store(city) as store:
        document = service.alarms(store=store, day=FIRST)
    assert document.alarms == [] and document.history_from is None
