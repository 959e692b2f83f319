"""How crowded the simulated venues are where tracing looks: a shared 15-minute stay makes a close contact."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ringfence.simulate.engine import run
from ringfence.simulate.parameters import OutputFormat, SimulationConfig

MIN_OVERLAP_MINUTES = 15  # protocol [contact] venue_min_overlap_minutes


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Big enough that every kind has many venue codes (no town-sized rounding), one day of visits."""
    out = tmp_path_factory.mktemp("venues")
    run(SimulationConfig(people=50_000, days=1, seed=3, out=out, format=OutputFormat.parquet))
    return out


def sharing_a_stay(town: Path) -> dict[str, float]:
    """Per venue kind: how many others, on average, a visit shares at least 15 minutes with."""
    con = duckdb.connect()
    try:
        con.execute(f"""
            CREATE TABLE stays AS
            SELECT s.person_id, s.venue_id, v.kind, s.scanned_at AS a,
                   coalesce(s.left_at, s.scanned_at + to_minutes(v.dwell_minutes)) AS b
            FROM read_parquet('{town / "scans.parquet"}') s
            JOIN read_parquet('{town / "venues.parquet"}') v USING (venue_id)
        """)
        rows = con.execute(f"""
            WITH sample AS (SELECT * FROM stays USING SAMPLE reservoir(4000 ROWS) REPEATABLE (11))
            SELECT sample.kind, count(other.person_id) / count(DISTINCT (sample.person_id, sample.a))
            FROM sample LEFT JOIN stays other
              ON other.venue_id = sample.venue_id AND other.person_id <> sample.person_id
             AND least(other.b, sample.b) - greatest(other.a, sample.a) >= INTERVAL {MIN_OVERLAP_MINUTES} MINUTE
            GROUP BY 1
        """).fetchall()
    finally:
        con.close()
    return dict(rows)


def test_a_visit_to_a_hub_mall_or_hospital_shares_a_stay_with_dozens_not_hundreds(town: Path) -> None:
    # one code for a whole station or mall gave each visit 400-1,000 close contacts (a case: thousands)
    shared = sharing_a_stay(town)
    for kind in ("transport_hub", "mall", "hospital", "restaurant"):
        assert shared[kind] < 150, (kind, shared[kind])
    assert shared["subway_station"] < 1  # passing through: stays of 5-15 minutes never overlap by 15
