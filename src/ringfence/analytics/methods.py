"""The names and defaults of the analytics methods: light to import (no SciPy), for the CLI's options."""

from __future__ import annotations

from enum import StrEnum

DEFAULT_BASELINE = 7  # EARS: periods in the moving baseline
DEFAULT_WINDOW = 7  # R(t): days per sliding window
FORECAST_LEVELS = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)  # the Hub's 7 levels for cases


class EarsMethod(StrEnum):
    c1 = "C1"
    c2 = "C2"
    c3 = "C3"


class C3Variant(StrEnum):
    textbook = "textbook"
    surveillance = "surveillance"


class ThresholdMethod(StrEnum):
    delta = "delta"
    nb_plugin = "nbPlugin"
    muan = "muan"


class PowerTransform(StrEnum):
    two_thirds = "2/3"
    half = "1/2"
    none = "none"
