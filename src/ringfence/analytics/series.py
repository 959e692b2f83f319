"""Reads the count series the analytics commands take from CSV files, refusing bad ones in one line.

Layouts (UTF-8, header row; column names are case-insensitive):

* incidence for R(t): a count column `I` or `cases` (EpiEstim's Flu2009 layout is `dates,I`), or
  two columns `local,imported`; an optional label column `dates`, `date`, `day` or `week`;
* a serial-interval distribution: a column `w` (or `si`, `si_distr`, `probability`) of w_0, w_1, …,
  with an optional `k` column that must then be 0, 1, 2, … in order;
* counts for aberration detection, growth and forecasts: a column `observed`, `cases`, `count`
  or `I`, with an optional label column `date`, `dates`, `week`, `day` or `index`.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ringfence.core.errors import InvalidInput

INCIDENCE_COLUMNS = ("I", "cases")
COUNT_COLUMNS = ("observed", "cases", "count", "I")
SI_COLUMNS = ("w", "si", "si_distr", "probability")
LABEL_COLUMNS = ("dates", "date", "week", "day", "index")


@dataclass(frozen=True)
class CountSeries:
    """Counts per period in file order, with the periods' labels when the file names them."""

    counts: list[float]
    labels: list[str] | None


@dataclass(frozen=True)
class SplitIncidence:
    """Local and imported cases per day, with the days' labels when the file names them."""

    local: list[float]
    imported: list[float]
    labels: list[str] | None


def read_counts(path: Path, columns: Sequence[str] = COUNT_COLUMNS) -> CountSeries:
    """One non-negative count column (the first of `columns` present) and an optional label column."""
    header, rows = _read(path)
    column = _first_present(header, columns, path)
    return CountSeries(
        counts=[_count(row, column, line) for line, row in rows],
        labels=_labels(header, rows),
    )


def read_incidence(path: Path) -> CountSeries | SplitIncidence:
    """Daily incidence: `local,imported` columns when both are present, else `I` or `cases`."""
    header, rows = _read(path)
    if "local" in header and "imported" in header:
        return SplitIncidence(
            local=[_count(row, "local", line) for line, row in rows],
            imported=[_count(row, "imported", line) for line, row in rows],
            labels=_labels(header, rows),
        )
    column = _first_present(header, INCIDENCE_COLUMNS, path, extra="or local and imported")
    return CountSeries(counts=[_count(row, column, line) for line, row in rows], labels=_labels(header, rows))


def read_si_distribution(path: Path) -> list[float]:
    """The serial-interval probabilities w_0, w_1, … from a `k,w` (or single-column) file."""
    header, rows = _read(path)
    column = _first_present(header, SI_COLUMNS, path)
    values = [_number(row, column, line) for line, row in rows]
    if "k" in header:
        days = [_number(row, "k", line) for line, row in rows]
        if days != [float(i) for i in range(len(days))]:
            raise InvalidInput(f"{Path(path).name}: column k must be 0, 1, 2, … in order")
    return values


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            raw_header = next(reader, None)
            if raw_header is None:
                raise InvalidInput(f"{Path(path).name}: the file is empty")
            header = [name.strip().lower() for name in raw_header]
            rows = []
            for line, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    raise InvalidInput(
                        f"{Path(path).name}: line {line} has {len(values)} fields, the header {len(header)}"
                    )
                rows.append((line, dict(zip(header, (v.strip() for v in values), strict=True))))
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{Path(path).name}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{Path(path).name}: not a UTF-8 text file") from None
    except csv.Error as exc:
        raise InvalidInput(f"{Path(path).name}: not a readable CSV file ({exc})") from None
    if not rows:
        raise InvalidInput(f"{Path(path).name}: no data rows")
    return header, rows


def _first_present(header: list[str], columns: Sequence[str], path: Path, extra: str = "") -> str:
    for name in columns:
        if name.lower() in header:
            return name.lower()
    wanted = ", ".join(columns) + (f", {extra}" if extra else "")
    raise InvalidInput(f"{Path(path).name}: no column {wanted}")


def _number(row: dict[str, str], column: str, line: int) -> float:
    text = row[column]
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"line {line}: {column} is not a number: {text!r}") from None
    if not math.isfinite(value):
        raise InvalidInput(f"line {line}: {column} is not a finite number: {text!r}")
    return value


def _count(row: dict[str, str], column: str, line: int) -> float:
    value = _number(row, column, line)
    if value < 0:
        raise InvalidInput(f"line {line}: {column} must not be negative (got {row[column]})")
    return value


def _labels(header: list[str], rows: list[tuple[int, dict[str, str]]]) -> list[str] | None:
    for name in LABEL_COLUMNS:
        if name in header:
            return [row[name] for _, row in rows]
    return None
