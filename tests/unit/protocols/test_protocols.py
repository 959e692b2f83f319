from __future__ import annotations

import pytest

from ringfence.core.errors import InvalidInput
from ringfence.protocols import service as protocols
from ringfence.protocols.models import HighUnit


def test_the_bundled_protocol_carries_the_ninth_edition_values() -> None:
    p = protocols.load("covid19-cn-9")
    assert p.contact.lookback_days == 4
    assert p.contact.venue_min_overlap_minutes == 15
    assert p.contact.default_dwell_minutes == 30
    assert p.close_contact.central_isolation_days == 7
    assert p.close_contact.home_monitoring_days == 3
    assert p.close_contact.isolation_test_days == [1, 2, 3, 5, 7]
    assert p.close_contact.home_test_days == [3]
    assert p.secondary_contact.home_isolation_days == 7
    assert p.secondary_contact.test_days == [1, 4, 7]
    assert (p.companion.grid_metres, p.companion.min_minutes, p.companion.cumulative_hours) == (800, 10, 30)
    assert p.zones.high_unit is HighUnit.building
    assert (p.zones.high_quiet_days, p.zones.medium_quiet_days, p.zones.demoted_high_quiet_days) == (7, 7, 3)
    assert p.screening.pool_size["medium"] == 10
    assert p.screening.pool_size["low"] == 20
    assert p.screening.pool_size["high"] == 1
    assert p.screening.round_deadline_hours == 24
    assert p.deadlines.place_contacts == 24
    assert p.deadlines.recall_pool == 12
    assert p.arrivals.advance_report_days == 3


def test_a_check_in_without_check_out_lasts_the_venue_then_kind_then_default_dwell() -> None:
    rules = protocols.load("covid19-cn-9").contact
    assert rules.dwell_minutes("restaurant", venue_dwell=45) == 45
    assert rules.dwell_minutes("restaurant") == 60
    assert rules.dwell_minutes("unheard-of-kind") == 30
    assert rules.dwell_minutes(None) == 30


def test_it_refuses_a_protocol_naming_the_wrong_key(tmp_path) -> None:
    text = protocols._read("covid19-cn-9")[1].replace("venue_min_overlap_minutes = 15", "venue_min_overlap_minutes = -3")
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"contact\.venue_min_overlap_minutes"):
        protocols.load(str(path))


def test_it_refuses_a_protocol_with_a_missing_section(tmp_path) -> None:
    path = tmp_path / "short.toml"
    path.write_text('id = "x"\nname = "x"\nversion = "1"\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="bad protocol key contact"):
        protocols.load(str(path))


def test_it_refuses_an_unknown_protocol_id() -> None:
    with pytest.raises(InvalidInput, match="unknown protocol"):
        protocols.load("no-such-protocol")
