"""Tracing over the event log at every rule's boundary, with the same contacts on DuckDB and Spark."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pyarrow.parquet as pq
import pytest
from tests.eventlog import tracing_world as world
from tests.eventlog.tracing_world import day
from tests.eventlog.worlds import events, home_settings, scans, utc

from ringfence.config import Settings
from ringfence.eventlog import row_groups
from ringfence.eventlog.duckdb_store import DuckDBEventStore
from ringfence.eventlog.kinds import EventKind
from ringfence.eventlog.parquet_log import BY_PLACE
from ringfence.eventlog.store import EventStore
from ringfence.protocols import service as protocols
from ringfence.tracing import exposures
from ringfence.tracing.exposures import CaseWindow, trace_batch, trace_in_passes
from ringfence.tracing.rules import ContactCategory, ExposureVia, Interval

PROTOCOL = protocols.load("covid19-cn-9")

@pytest.fixture(params=["scanned", "narrowed"])
def store(request: pytest.FixtureRequest, log_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[EventStore]:
    """The world's log on DuckDB, its keyed lookups read by DuckDB's own scan, or from just the keys' row
    groups (`row_groups.narrowed`, forced here: the world's files are too small to need it)."""
    if request.param == "narrowed":
        monkeypatch.setattr(row_groups, "AT_MOST", 1.0)
    opened = DuckDBEventStore(log_settings)
    world.build(log_settings, opened)
    with opened:
        yield opened


def traced(store: EventStore, *cases: CaseWindow):
    return trace_batch(store, list(cases), PROTOCOL, tz=store.settings.tz)


def by_person(store: EventStore, case: CaseWindow = world.C1) -> dict:
    return {c.person_id: c for c in traced(store, case).contacts_of(case.person_id)}


def test_a_shared_stay_of_fifteen_minutes_makes_a_close_contact_and_fourteen_does_not(store) -> None:
    contacts = by_person(store)
    assert (contacts["p15"].category, contacts["p15"].via, contacts["p15"].venue_id) == (
        ContactCategory.close, ExposureVia.venue, "vA")
    assert contacts["p15"].overlap_minutes == 15
    assert contacts["p15"].last_exposure == day(6, 11)
    assert "p14" not in contacts


def test_stays_that_only_touch_do_not_overlap(store) -> None:
    assert "ptouch" not in by_person(store)


def test_a_check_in_without_check_out_lasts_the_venues_own_dwell(store) -> None:
    contacts = by_person(store)
    assert (contacts["pB"].overlap_minutes, contacts["pB"].last_exposure) == (15, day(7, 10, 20))
    assert "pB2" not in contacts  # 14 minutes of the case's 20


def test_without_its_own_dwell_a_venue_takes_its_kinds_then_the_protocol_default(store) -> None:
    contacts = by_person(store)
    assert (contacts["pK"].overlap_minutes, contacts["pK"].last_exposure) == (15, day(8, 11))  # restaurant: 60
    assert "pK2" not in contacts
    assert (contacts["pD"].overlap_minutes, contacts["pD"].last_exposure) == (15, day(9, 10, 30))  # kiosk: 30
    assert "pD2" not in contacts
    assert contacts["pN"].overlap_minutes == 30  # both without check-out


def test_only_the_overlap_inside_the_infectious_window_counts(store) -> None:
    contacts = by_person(store)
    assert (contacts["pE2"].overlap_minutes, contacts["pE2"].last_exposure) == (15, day(4, 0, 15))
    assert "pE1" not in contacts  # 44 minutes together, 14 of them inside the window
    assert "pW" not in contacts  # 10 minutes before isolation, the rest after


def test_household_members_are_close_contacts_listed_once_even_when_also_met_at_a_venue(store) -> None:
    contacts = by_person(store)
    h2 = contacts["h2"]
    assert (h2.category, h2.via, h2.venue_id, h2.last_exposure) == (
        ContactCategory.close, ExposureVia.household, None, world.WINDOW.end)
    assert "c1" not in contacts


def test_household_members_of_close_contacts_are_secondary_unless_close_themselves(store) -> None:
    contacts = by_person(store)
    assert (contacts["s1"].category, contacts["s1"].through) == (ContactCategory.secondary, "pK")
    assert (contacts["sB"].category, contacts["sB"].through) == (ContactCategory.secondary, "pB")
    assert contacts["pK"].category is ContactCategory.close  # in p15's household, but met the case itself


def test_companions_share_a_cell_ten_minutes_where_someone_dwelt_over_thirty_hours(store) -> None:
    result = traced(store, world.C1)
    contacts = {c.person_id: c for c in result.contacts_of("c1")}
    companions = {p for p, c in contacts.items() if c.category is ContactCategory.companion}
    assert companions == {"cm1", "cm5"}
    assert (contacts["cm1"].via, contacts["cm1"].overlap_minutes, contacts["cm1"].last_exposure) == (
        ExposureVia.grid, 10, day(9, 9, 10))
    assert contacts["h2"].category is ContactCategory.close
    assert result.unregistered_companion_phones == 1


def test_a_phone_written_unlike_the_registers_phones_is_nobody_s_companion_and_not_counted(store) -> None:
    # the register keeps digits, or + and digits: "138 0000 0099" is no one's phone, however long it stayed
    before = traced(store, world.C1)
    odd = "138 0000 0099"
    store.append("locations", events("locations", [
        world._presence(odd, day(9, 9), day(9, 9, 30)), world._presence(odd, day(1), day(2, 7))]), batch_id="odd")
    after = traced(store, world.C1)
    assert after.contacts_of("c1") == before.contacts_of("c1")
    assert after.unregistered_companion_phones == before.unregistered_companion_phones == 1


def test_every_contact_is_found_and_nobody_else(store) -> None:
    assert set(by_person(store)) == {"h2", "p15", "pB", "pK", "pD", "pN", "pE2", "s1", "sB", "cm1", "cm5"}


def test_the_case_of_an_earlier_isolation_sees_no_exposure_after_it(store) -> None:
    isolated = CaseWindow("c1", Interval(world.WINDOW.start, day(7, 10, 10)))
    contacts = by_person(store, isolated)
    assert "pB" not in contacts  # met 10 minutes before the isolation: not 15
    assert contacts["p15"].category is ContactCategory.close
    assert (contacts["pK"].category, contacts["pK"].through) == (ContactCategory.secondary, "p15")


def test_a_batch_finds_for_each_case_what_tracing_it_alone_finds(store) -> None:
    c2 = CaseWindow("c2", Interval(day(8), day(10)))
    batch = traced(store, world.C1, c2)
    assert batch.contacts_of("c1") == traced(store, world.C1).contacts_of("c1")
    assert [(c.person_id, c.venue_id) for c in batch.contacts_of("c2")] == [("q1", "vB")]


# h2's window ends six days after c1's, so its companion history starts on 2 October, when cm1's 31 h in the
# cell (1 October to 2 October 07:00) are mostly behind it: cm1, 10 minutes with each, is c1's companion only
H2_LATER = CaseWindow("h2", Interval(day(9), day(16)))


def test_a_batch_of_different_windows_counts_each_phones_stay_over_each_cases_own_history(store) -> None:
    batch = traced(store, world.C1, H2_LATER)
    assert batch.contacts_of("c1") == traced(store, world.C1).contacts_of("c1")
    assert batch.contacts_of("h2") == traced(store, H2_LATER).contacts_of("h2")
    assert {"cm1", "cm5"} <= {c.person_id for c in batch.contacts_of("c1") if c.via == ExposureVia.grid}
    assert not {"cm1", "cm5"} & {c.person_id for c in batch.contacts_of("h2")}


def test_compacted_days_and_their_by_person_and_by_place_copies_give_the_same_contacts(store) -> None:
    before = traced(store, world.C1).contacts_of("c1")
    store.append("scans", scans(("zz", "vA", day(6, 10, 30), day(6, 11))), batch_id="late-scans")
    for kind in ("scans", "locations"):
        store.compact_all(kind)
    by_person = list((store.settings.events_dir / "_by_person" / "scans").rglob("*.parquet"))
    by_place = list((store.settings.events_dir / BY_PLACE / "locations").rglob("*.parquet"))
    assert {_compression(f) for f in by_person} == {"ZSTD"}
    assert {_compression(f) for f in by_place} == {"LZ4"}  # LZ4_RAW, as Arrow names it: decoded faster
    after = {c.person_id: c for c in traced(store, world.C1).contacts_of("c1")}
    assert after.pop("zz").overlap_minutes == 30
    assert list(after.values()) == before


# c1 itself dwells 31 h next door, and meets cm3 there for 20 minutes in its window: cm3 is a companion
# through c1's own stay, so that cell needs no one else's history
NEXT_DOOR = [
    world._presence(world.PHONES["c1"], day(1), day(2, 7), world.NEXT_CELL),
    world._presence(world.PHONES["c1"], day(9, 11), day(9, 12), world.NEXT_CELL),
    world._presence(world.PHONES["cm3"], day(9, 11), day(9, 11, 20), world.NEXT_CELL),
]


def test_cells_where_the_case_itself_stayed_long_are_read_for_its_window_only_with_the_same_companions(
    store, monkeypatch
) -> None:
    from ringfence.tracing import exposures

    seen: list[list] = []
    query = store.query

    def recording(sql, params=None, *, tables=None, lookups=None):
        if tables and "wanted_cells" in tables:
            seen.append(tables["wanted_cells"].column("from_day").to_pylist())
        return query(sql, params, tables=tables, lookups=lookups)

    store.append("locations", events("locations", NEXT_DOOR), batch_id="next-door")
    monkeypatch.setattr(store, "query", recording)
    read_by_cell = traced(store, world.C1).contacts_of("c1")
    monkeypatch.setattr(exposures.rules, "dwelt_long", lambda seconds, rules: False)  # every cell's whole history

    assert len(set(seen[0])) == 2  # one cell from the history's first day, the other from the window's
    assert "cm3" in {c.person_id for c in read_by_cell if c.via == "grid"}
    assert traced(store, world.C1).contacts_of("c1") == read_by_cell
    assert len(set(seen[1])) == 1


def test_a_case_with_no_stays_and_no_phone_has_only_its_household(tmp_path) -> None:
    settings = home_settings(tmp_path)
    with DuckDBEventStore(settings) as store:
        world.build(settings, store)
        lonely = CaseWindow("pW", Interval(utc(2022, 9, 1), utc(2022, 9, 2)))
        assert traced(store, lonely).contacts_of("pW") == []


def test_a_stay_starting_two_days_before_the_window_is_still_read(tmp_path) -> None:
    settings = home_settings(tmp_path)
    with DuckDBEventStore(settings) as store:
        world.build(settings, store)
        long_stay = world.WINDOW.start - timedelta(hours=40)
        store.append("scans", scans(("c1", "vC", long_stay, day(4, 1)), ("zz", "vC", long_stay, day(4, 2))),
                     batch_id="hotel")
        assert by_person(store)["zz"].last_exposure == day(4, 1)


@pytest.mark.spark
def test_spark_traces_a_batch_exactly_as_duckdb_does_before_and_after_compaction(store, spark_engine) -> None:
    from ringfence.eventlog.spark_store import SparkEventStore

    batch = (world.C1, CaseWindow("c2", Interval(day(8), day(10))), H2_LATER)
    with SparkEventStore(store.settings) as spark:
        assert traced(spark, *batch) == traced(store, *batch)
        store.compact_all("scans")
        store.compact_all("locations")
        assert traced(spark, *batch) == traced(store, *batch)
        store.append("locations", events("locations", NEXT_DOOR), batch_id="after-compaction")
        assert traced(spark, *batch) == traced(store, *batch)


def test_locations_appended_after_compaction_are_read_beside_the_by_place_copies(store) -> None:
    store.compact_all("locations")
    store.append("locations", events("locations", NEXT_DOOR), batch_id="after-compaction")
    copies, not_copied = store.log.split_second_order(EventKind.locations, store.by_place_sources())

    assert copies and not_copied
    assert "cm3" in {c.person_id for c in traced(store, world.C1).contacts_of("c1") if c.via == "grid"}


def _compression(path) -> str:
    return pq.ParquetFile(path).metadata.row_group(0).column(0).compression


def test_a_case_s_own_stays_locations_venues_and_cells_are_read_from_their_row_groups_where_they_are_few(
    log_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(row_groups, "AT_MOST", 1.0)
    read: list[tuple[str, int]] = []
    narrowed = row_groups.narrowed

    def spy(files, lookup, schema):
        rows = narrowed(files, lookup, schema)
        read.append((lookup.column, -1 if rows is None else rows.num_rows))
        return rows

    monkeypatch.setattr(row_groups, "narrowed", spy)
    with DuckDBEventStore(log_settings) as store:
        world.build(log_settings, store)
        for kind in ("scans", "locations"):
            store.compact_all(kind)
        assert set(by_person(store)) == {"h2", "p15", "pB", "pK", "pD", "pN", "pE2", "s1", "sB", "cm1", "cm5"}
    assert {column for column, rows in read if rows > 0} == {"person_id", "venue_id", "phone", "tile"}


def test_an_unregistered_phone_beside_two_cases_of_a_batch_is_counted_once(store) -> None:
    # 13899999999 shares the cell with c1 and with h2 (30 minutes, after 31 hours there): one phone, two rows
    both = traced(store, world.C1, CaseWindow("h2", world.WINDOW))
    assert both.unregistered_companion_phones == 1
    assert traced(store, world.C1).unregistered_companion_phones == 1


FOUR = (world.C1, CaseWindow("c2", Interval(day(8), day(10))), H2_LATER, CaseWindow("p15", world.WINDOW))


def passes(store: EventStore, cases, most_contacts: int) -> list[exposures.BatchTrace]:
    return list(trace_in_passes(store, list(cases), PROTOCOL, tz=store.settings.tz, most_contacts=most_contacts))


def test_passes_find_for_each_case_what_one_batch_finds_and_count_each_unregistered_phone_once(
    store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exposures, "FIRST_PASS", 1)
    whole = traced(store, *FOUR)
    apart = passes(store, FOUR, most_contacts=1)  # every case has a contact: a pass of one case each
    assert [b.cases for b in apart] == [("c1",), ("c2",), ("h2",), ("p15",)]
    for batch in apart:
        (case,) = batch.cases
        assert batch.contacts_of(case) == whole.contacts_of(case)
        assert batch.contacts.num_rows == len(whole.contacts_of(case))
    # the phone beside c1 and h2 is met in two passes
    assert whole.unregistered_phones == apart[0].unregistered_phones | apart[2].unregistered_phones
    assert len(whole.unregistered_phones) == 1


def test_a_pass_holds_about_as_many_cases_as_make_the_aimed_contacts_and_at_most_four_times_the_one_before(
    store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exposures, "FIRST_PASS", 1)
    c1_contacts = traced(store, world.C1).contacts.num_rows
    six = (*FOUR, CaseWindow("q1", world.WINDOW), CaseWindow("pB", world.WINDOW))
    assert [b.cases for b in passes(store, six, most_contacts=10**9)] == [("c1",), ("c2", "h2", "p15", "q1"), ("pB",)]
    assert [len(b.cases) for b in passes(store, FOUR, most_contacts=2 * c1_contacts)] == [1, 2, 1]
    monkeypatch.setattr(exposures, "FIRST_PASS", 16)
    assert [len(b.cases) for b in passes(store, FOUR, most_contacts=1)] == [4]
    assert passes(store, (), most_contacts=1) == []
