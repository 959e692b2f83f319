"""Supplies arithmetic: signed ledger quantities, daily needs of sealed buildings, shortfall
forecasts. Pure: no I/O; rations come from the protocol.

Quantities are Decimals in the item's unit; the ledger stores them exactly as thousandths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from ringfence.core.errors import InvalidInput

MILLI = Decimal(1000)


class MovementKind(StrEnum):
    receipt = "receipt"  # into a warehouse (a supplier, a donation, a transfer in)
    issue = "issue"  # out of a warehouse, to anyone but a sealed building's residents
    delivery = "delivery"  # out of a warehouse to a building's residents
    adjustment = "adjustment"  # a count correction, either sign


def quantity(value: Decimal | float | str) -> Decimal:
    """A quantity as given by a user: a finite number with at most three decimals."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"not a quantity: {value!r}") from None
    if not amount.is_finite():
        raise InvalidInput(f"not a quantity: {value!r}")
    if amount != amount.quantize(Decimal("0.001")):
        raise InvalidInput(f"quantity {value} has more than three decimals")
    return amount


def signed(kind: MovementKind, amount: Decimal) -> Decimal:
    """The ledger row's signed quantity: receipts add, issues and deliveries take, adjustments either."""
    if kind is MovementKind.adjustment:
        if amount == 0:
            raise InvalidInput("an adjustment of zero changes nothing")
        return amount
    if amount <= 0:
        raise InvalidInput(f"a {kind.value} takes a positive quantity, not {amount}")
    return amount if kind is MovementKind.receipt else -amount


def to_milli(amount: Decimal) -> int:
    return int((amount * MILLI).to_integral_value())


def from_milli(milli: int) -> Decimal:
    return (Decimal(milli) / MILLI).quantize(Decimal("0.001"))


def shown(amount: Decimal) -> str:
    """A quantity as people write it: `5`, `0.25`, never `5.000` nor `5E+1`."""
    text = f"{amount.normalize():f}"
    return "0" if text in {"-0", "0"} else text


def daily_needs(residents: int, rations: Mapping[str, float]) -> dict[str, Decimal]:
    """What `residents` people need a day: residents × the protocol's ration of each item."""
    return {item: (Decimal(str(per_person)) * residents).quantize(Decimal("0.001")) for item, per_person in rations.items()}


@dataclass(frozen=True)
class StockDay:
    day: date
    need: Decimal  # needed that day
    remaining: Decimal  # stock left after that day's needs (negative: short)


@dataclass(frozen=True)
class Shortfall:
    item_id: str
    stock: Decimal
    daily_need: Decimal
    days: list[StockDay]
    shortfall_on: date | None  # the first day stock does not cover the day's needs

    @property
    def days_covered(self) -> int:
        """Whole days the stock lasts (all `days` when it never runs short)."""
        return next((i for i, d in enumerate(self.days) if d.remaining < 0), len(self.days))


def forecast(item_id: str, *, stock: Decimal, daily_need: Decimal, start: date, days: int) -> Shortfall:
    """Stock minus cumulative needs over `days` days from `start`, and the first day it goes negative."""
    projected = [
        StockDay(day=start + timedelta(days=k), need=daily_need, remaining=stock - daily_need * (k + 1))
        for k in range(days)
    ]
    first = next((d.day for d in projected if d.remaining < 0), None)
    return Shortfall(item_id=item_id, stock=stock, daily_need=daily_need, days=projected, shortfall_on=first)
