"""A small simulated city: deterministic, complete, consistent and plausible (big runs live in bench/)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from ringfence.simulate.engine import Action, ActionKind, Simulation, run
from ringfence.simulate.parameters import OutputFormat, SimulationConfig

# DESIGN.md section 4, written out here so the test fails if the simulator drifts from the contract
DESIGN_COLUMNS = {
    "areas": {"area_id", "parent_id", "level", "name"} | {"geometry"},
    "buildings": {"building_id", "community_id", "address", "lon", "lat"},
    "people": {"person_id", "name", "id_number", "phone", "sex", "birth_date", "building_id"}
    | {"household_id", "workplace_id", "key_group"},
    "venues": {"venue_id", "name", "kind", "lon", "lat"} | {"building_id", "dwell_minutes"},
    "scans": {"PERSON", "venue_id", "scanned_at"} | {"left_at"},
    "locations": {"phone", "lon", "lat", "start_at", "end_at"},
    "cases": {"PERSON", "classification", "confirmed_at"} | {"onset_at", "sampled_at", "found_via"},
    "samples": {"sample_id", "PERSON", "tube_id", "collected_at"} | {"site_id", "round_id"},
    "tube-results": {"tube_id", "result", "reported_at"} | {"lab_id", "ct"},
    "arrivals": {"PERSON", "origin", "origin_risk", "arrive_at", "building_id"} | {"name", "phone", "mode", "reported_at"},
    "sentinel": {"site_id", "site_kind", "occurred_at", "category"} | {"PERSON", "count"},
    "facilities": {"facility_id", "name", "kind"} | {"building_id"},
    "rooms": {"facility_id", "room_id", "capacity"},
    "enterprises": {"enterprise_id", "name", "building_id", "industry"} | {"whitelisted", "closed_loop"},
}
PERSON_COLUMNS = {"person_id", "id_number", "phone"}
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _config(out: Path, **changes) -> SimulationConfig:
    values = {"people": 3000, "days": 10, "seed": 7, "out": out, "format": OutputFormat.csv, "index_cases": 25}
    values.update(changes)
    return SimulationConfig(**values)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    run(_config(out))
    return out


@pytest.fixture(scope="module")
def unchecked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An outbreak the world does not respond to beyond hospitalising confirmed cases."""
    out = tmp_path_factory.mktemp("unchecked")
    run(_config(out, days=12, format=OutputFormat.parquet, baseline_response=False, index_cases=10))
    return out


def read(out: Path, name: str) -> pa.Table:
    manifest = json.loads((out / "manifest.json").read_text())
    if name == "truth":
        return pq.read_table(out / manifest["truth"])
    path = out / next(f["path"] for f in manifest["files"] if f["name"] == name)
    if path.suffix == ".parquet":
        return pq.read_table(path)
    text_columns = {c: pa.string() for c in ("id_number", "phone", "area_id", "parent_id", "community_id")}
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True, column_types=text_columns))


def digests(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}


def test_the_same_seed_gives_byte_identical_files_and_another_seed_does_not(city: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    run(_config(again))
    run(_config(other, seed=8))
    assert digests(again) == digests(city)
    differing = {k for k, v in digests(other).items() if digests(city)[k] != v}
    assert {"people.csv", "scans.csv", "truth.parquet"} <= differing


def test_parquet_output_is_deterministic_too(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    run(_config(first, people=800, days=2, format=OutputFormat.auto))
    run(_config(second, people=800, days=2, format=OutputFormat.auto))
    assert (first / "scans.parquet").exists() and (first / "people.csv").exists()
    assert digests(first) == digests(second)


def test_every_file_has_exactly_the_design_columns(city: Path) -> None:
    manifest = json.loads((city / "manifest.json").read_text())
    kinds = {f["kind"] for f in manifest["files"]}
    assert kinds == set(DESIGN_COLUMNS)
    for feed in manifest["files"]:
        columns = set(read(city, feed["name"]).column_names)
        person = columns & PERSON_COLUMNS - (DESIGN_COLUMNS[feed["kind"]] - {"PERSON"})
        expected = DESIGN_COLUMNS[feed["kind"]]
        if "PERSON" in expected:
            assert len(person) == 1, f"{feed['name']} must name people by exactly one column"
            expected = expected - {"PERSON"} | person
        assert columns == expected, feed["name"]
        assert feed["rows"] == read(city, feed["name"]).num_rows


def test_every_reference_resolves(city: Path) -> None:
    areas = read(city, "areas").to_pylist()
    seen: set[str] = set()
    for area in areas:
        assert area["parent_id"] is None or area["parent_id"] in seen
        seen.add(area["area_id"])
    communities = {a["area_id"] for a in areas if a["level"] == "community"}
    buildings = set(read(city, "buildings")["building_id"].to_pylist())
    assert set(read(city, "buildings")["community_id"].to_pylist()) <= communities
    venues = read(city, "venues")
    assert set(pc.drop_null(venues["building_id"]).to_pylist()) <= buildings
    people = read(city, "people")
    person_ids = set(people["person_id"].to_pylist())
    assert set(people["building_id"].to_pylist()) <= buildings
    assert set(pc.drop_null(people["workplace_id"]).to_pylist()) <= set(venues["venue_id"].to_pylist())
    assert set(read(city, "enterprises")["building_id"].to_pylist()) <= buildings
    assert set(read(city, "rooms")["facility_id"].to_pylist()) <= set(read(city, "facilities")["facility_id"].to_pylist())
    assert set(read(city, "facilities")["building_id"].to_pylist()) <= buildings
    assert set(read(city, "scans")["person_id"].to_pylist()) <= person_ids
    assert set(pc.drop_null(read(city, "sentinel")["person_id"]).to_pylist()) <= person_ids
    assert set(read(city, "scans")["venue_id"].to_pylist()) <= set(venues["venue_id"].to_pylist())
    assert set(read(city, "locations")["phone"].to_pylist()) <= set(people["phone"].to_pylist())
    arrivals = read(city, "arrivals")
    assert set(arrivals["building_id"].to_pylist()) <= buildings
    residents, arrived = set(people["id_number"].to_pylist()), set(arrivals["id_number"].to_pylist())
    assert not residents & arrived
    # samples and cases name residents and arrivals alike by id_number, and both occur
    for name in ("samples", "cases"):
        named = set(read(city, name)["id_number"].to_pylist())
        assert named <= residents | arrived, name
        assert named & residents and named & arrived, name
    samples = read(city, "samples")
    assert set(samples["tube_id"].to_pylist()) <= set(read(city, "tube-results")["tube_id"].to_pylist())
    truth = read(city, "truth")
    assert set(truth["infectee"].to_pylist()) <= person_ids


def test_identities_are_valid_and_unique(city: Path) -> None:
    people = read(city, "people")
    numbers = people["id_number"].to_pylist() + read(city, "arrivals")["id_number"].to_pylist()
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert number[17] == "10X98765432"[sum(int(c) * w for c, w in zip(number[:17], WEIGHTS)) % 11]
    assert all(n.startswith("4101") for n in people["id_number"].to_pylist())
    phones = people["phone"].to_pylist() + read(city, "arrivals")["phone"].to_pylist()
    assert len(set(phones)) == len(phones)
    assert all(len(p) == 11 and "13" <= p[:2] <= "19" for p in phones)


def test_times_carry_the_local_offset(city: Path) -> None:
    text = (city / "scans.csv").read_text().splitlines()[1]
    assert "+08:00" in text
    assert "2022-10-01T" in text


def test_households_have_realistic_sizes(city: Path) -> None:
    sizes = Counter(read(city, "people")["household_id"].to_pylist())
    assert 2.5 <= np.mean(list(sizes.values())) <= 3.2
    assert max(sizes.values()) <= 6


def test_scans_come_with_and_without_check_out_and_of_many_kinds(city: Path) -> None:
    scans = read(city, "scans")
    left = scans["left_at"].null_count / scans.num_rows
    assert 0.3 < left < 0.5
    scanned = scans["scanned_at"].to_pandas()
    per_person = (scanned < pd.Timestamp("2022-10-02T00:00:00+08:00")).sum() / 3000  # before any isolation: DESIGN's ~70 M a day for 12.6 M
    assert 4 < per_person < 7
    kinds = set(read(city, "venues")["kind"].to_pylist())
    assert {"restaurant", "supermarket", "transport_hub", "hospital", "pharmacy", "school", "office"} <= kinds


def test_area_rounds_use_pools_of_ten_and_twenty(city: Path) -> None:
    samples = read(city, "samples")
    in_rounds = samples.filter(pc.invert(pc.is_null(samples["round_id"])))
    pool_sizes = Counter(Counter(in_rounds["tube_id"].to_pylist()).values())
    assert pool_sizes[10] > 0 and pool_sizes[20] > 0 and pool_sizes[1] > 0
    results = Counter(read(city, "tube-results")["result"].to_pylist())
    assert results["positive"] > 0 and results["negative"] > 0


@pytest.fixture(scope="module")
def towns(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Six towns of different seeds: the rarer routes to a case pool to a dozen or more cases each."""
    folders = []
    for seed in range(21, 27):
        out = tmp_path_factory.mktemp(f"town-{seed}")
        run(_config(out, seed=seed, format=OutputFormat.parquet))
        folders.append(out)
    return folders


def test_cases_are_found_by_every_route_in_plausible_shares(towns: list[Path]) -> None:
    cases = pa.concat_tables([read(town, "cases") for town in towns])
    found = Counter(cases["found_via"].to_pylist())
    # A town of 3,000 finds in 10 days about 2 arrival, 4 sentinel, 3 other, 18 screening and 37
    # controlled cases (mean of a 15-seed sweep; single towns had 0 sentinel or 0 other cases):
    # over six towns the rarest route expects a dozen, so one goes missing by a chance of a few
    # in a million (Poisson, e^-12).
    assert set(found) == {"screening", "sentinel", "controlled", "arrival", "other"}
    # Contact placing and area screening find most cases: 81-92% in each of 15 swept towns; the
    # pooled share has a standard error near 0.02, so 0.7 is more than 5 of them away.
    resident = cases.num_rows - found["arrival"]
    assert (found["controlled"] + found["screening"]) / resident >= 0.7


def test_arrival_cases_match_the_infection_risk_of_their_origins(towns: list[Path]) -> None:
    arrivals = pa.concat_tables([read(town, "arrivals") for town in towns])
    infected = {"high": 0.10, "medium": 0.03, "low": 0.005, "none": 0.001}  # response.RISK_INFECTED
    expected = sum(infected[r] for r in arrivals["origin_risk"].to_pylist()) * 0.95  # PCR sensitivity
    cases = pa.concat_tables([read(town, "cases") for town in towns])
    observed = Counter(cases["found_via"].to_pylist())["arrival"]
    # a sum of Bernoulli draws: variance below the mean, so 3.5 Poisson standard deviations (about
    # 15 expected: 2 to 29) fail a correct simulator less than once in 2,000 runs
    assert abs(observed - expected) <= 3.5 * expected**0.5


def test_cases_follow_their_infection(city: Path) -> None:
    cases = read(city, "cases").to_pylist()
    person_of = dict(zip(read(city, "people")["id_number"].to_pylist(), read(city, "people")["person_id"].to_pylist()))
    truth = {row["infectee"]: row for row in read(city, "truth").to_pylist()}
    residents = [case for case in cases if case["id_number"] in person_of]
    assert len(residents) == sum(case["found_via"] != "arrival" for case in cases)
    for case in residents:
        infection = truth[person_of[case["id_number"]]]
        assert case["sampled_at"] <= case["confirmed_at"]
        assert case["sampled_at"] >= infection["infected_at"]
        assert (case["onset_at"] is not None) == (case["classification"] == "confirmed")


def test_the_attack_rate_stays_in_a_plausible_band(unchecked: Path) -> None:
    # 10 index cases, R about 2-3.5 and a 3-day generation time give 4 generations in 12 days:
    # from a few dozen to about a thousand infections of 3,000; none or the whole town is wrong
    infections = read(unchecked, "truth").num_rows
    assert 0.01 <= infections / 3000 <= 0.40


def test_the_serial_interval_matches_the_configured_mean(unchecked: Path) -> None:
    truth = read(unchecked, "truth").to_pandas()
    onset = truth.set_index("infectee")["onset_at"]
    pairs = truth.dropna(subset=["infector"])
    assert len(pairs) >= 50
    intervals = (pairs["onset_at"].to_numpy() - onset.loc[pairs["infector"]].to_numpy()) / np.timedelta64(1, "D")
    # mean 3.0 days configured; tolerance about three standard errors of a 1.8-day spread over ~100 pairs
    assert intervals.mean() == pytest.approx(3.0, abs=0.75)


def test_transmission_happens_in_households_and_venues(unchecked: Path) -> None:
    settings = Counter(read(unchecked, "truth")["setting"].to_pylist())
    assert settings["household"] > 0 and settings["venue"] > 0 and settings["imported"] == 10


def test_isolated_people_infect_no_one_from_the_day_of_isolation(tmp_path: Path) -> None:
    simulation = Simulation(_config(tmp_path / "loop", days=6, baseline_response=False))
    simulation.step(0)
    infected = np.flatnonzero(~np.isnan(simulation.outbreak.infected_at))
    isolate = [Action(1, ActionKind.isolate, f"P{p:08d}", days=30) for p in infected]
    for day in range(1, 6):
        simulation.step(day, isolate if day == 1 else ())
    simulation.finish()
    truth = read(tmp_path / "loop", "truth").to_pandas()
    isolated = {f"P{p:08d}" for p in infected}
    after = truth[truth["infected_at"] >= pd.Timestamp("2022-10-02T00:00:00+08:00")]
    assert not set(after["infector"].dropna()) & isolated
    assert len(truth) > len(infected) or len(after) == 0


def test_tests_asked_for_by_the_platform_are_sampled(tmp_path: Path) -> None:
    actions = [Action(0, ActionKind.test, "P00000005"), Action(0, ActionKind.seal_building, "B0000000")]
    run(_config(tmp_path / "asked", days=1), actions=actions)
    people = read(tmp_path / "asked", "people")
    asked = people.filter(pc.equal(people["person_id"], "P00000005"))["id_number"][0].as_py()
    assert asked in read(tmp_path / "asked", "samples")["id_number"].to_pylist()
