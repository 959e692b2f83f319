from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ringfence.core.errors import InvalidInput
from ringfence.supplies import rules
from ringfence.supplies.rules import MovementKind


@pytest.mark.parametrize(("kind", "given", "signed"), [
    (MovementKind.receipt, "12.5", Decimal("12.5")),
    (MovementKind.issue, "3", Decimal(-3)),
    (MovementKind.delivery, "0.25", Decimal("-0.25")),
    (MovementKind.adjustment, "-1.5", Decimal("-1.5")),
    (MovementKind.adjustment, "2", Decimal(2)),
])
def test_receipts_add_issues_and_deliveries_take_adjustments_keep_their_sign(kind, given, signed) -> None:
    assert rules.signed(kind, rules.quantity(given)) == signed


@pytest.mark.parametrize(("kind", "given"), [
    (MovementKind.receipt, "-1"), (MovementKind.issue, "0"), (MovementKind.adjustment, "0"),
])
def test_a_movement_that_moves_nothing_or_the_wrong_way_is_refused(kind, given) -> None:
    with pytest.raises(InvalidInput):
        rules.signed(kind, rules.quantity(given))


@pytest.mark.parametrize("given", ["0.0001", "abc", "NaN", "Infinity"])
def test_a_quantity_must_be_a_finite_number_with_at_most_three_decimals(given) -> None:
    with pytest.raises(InvalidInput):
        rules.quantity(given)


def test_thousandths_round_trip_exactly() -> None:
    assert rules.from_milli(rules.to_milli(Decimal("-1234.567"))) == Decimal("-1234.567")
    assert sum(rules.to_milli(Decimal("0.1")) for _ in range(10)) == rules.to_milli(Decimal(1))


def test_daily_needs_are_residents_times_rations() -> None:
    needs = rules.daily_needs(7, {"rice_kg": 0.5, "water_l": 2.0, "masks": 1})
    assert needs == {"rice_kg": Decimal("3.5"), "water_l": Decimal(14), "masks": Decimal(7)}


def test_the_shortfall_day_is_the_first_day_needs_exceed_what_is_left() -> None:
    outlook = rules.forecast("rice_kg", stock=Decimal(10), daily_need=Decimal(3), start=date(2022, 10, 1), days=5)
    assert [d.remaining for d in outlook.days] == [Decimal(7), Decimal(4), Decimal(1), Decimal(-2), Decimal(-5)]
    assert (outlook.shortfall_on, outlook.days_covered) == (date(2022, 10, 4), 3)


def test_stock_that_exactly_covers_the_needs_is_no_shortfall() -> None:
    outlook = rules.forecast("masks", stock=Decimal(6), daily_need=Decimal(2), start=date(2022, 10, 1), days=3)
    assert (outlook.shortfall_on, outlook.days_covered) == (None, 3)
