"""`ringfence analytics …`: JSON documents, exit codes and one-line errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ringfence.cli import main

REFERENCE = Path(__file__).parents[1] / "data" / "reference"
FLU2009 = REFERENCE / "epiestim_Flu2009_incidence.csv"


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["analytics", *args])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def run_json(capsys, *args: str) -> dict:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_rt_with_a_parametric_si_reproduces_epiestim_example_3(capsys):
    document = run_json(capsys, "rt", str(FLU2009), "--si-mean", "2.6", "--si-sd", "1.5")
    assert document["si"]["kind"] == "parametric"
    assert document["si"]["mean"] == pytest.approx(2.6, rel=1e-7)
    windows = document["windows"]
    assert len(windows) == 25
    first = windows[0]
    assert (first["t_start"], first["t_end"], first["date_start"], first["date_end"]) == (
        2,
        8,
        "2009-04-28",
        "2009-05-04",
    )
    assert [first["mean"], first["sd"], first["q025"], first["median"], first["q975"]] == pytest.approx(
        [1.7357977, 0.40913143, 1.02874370, 1.7037612, 2.6247813], rel=1e-6
    )
    assert windows[-1]["mean"] == pytest.approx(0.9975352, rel=1e-6)


def test_rt_with_a_given_si_distribution_reproduces_epiestim_example_1(capsys):
    document = run_json(
        capsys, "rt", str(FLU2009), "--si-distr", str(REFERENCE / "epiestim_Flu2009_si_distr.csv")
    )
    assert document["si"]["kind"] == "non_parametric"
    by_window = {(w["t_start"], w["t_end"]): w for w in document["windows"]}
    assert by_window[(13, 19)]["mean"] == pytest.approx(1.0819346, rel=1e-6)
    assert by_window[(22, 28)]["q975"] == pytest.approx(0.5260890, rel=1e-6)


def test_rt_reads_local_and_imported_columns(capsys, tmp_path):
    local = [0, 2, 0, 0, 1, 2, 0, 1] + [0] * 18 + [1]
    imported = [1, 1, 1, 1, 2, 2, 1, 0, 0, 1] + [0] * 17
    rows = "".join(f"{a},{b}\n" for a, b in zip(local, imported, strict=True))
    path = write(tmp_path / "split.csv", "local,imported\n" + rows)
    document = run_json(capsys, "rt", str(path), "--si-mean", "2.6", "--si-sd", "1.5")
    assert document["windows"][0]["mean"] == pytest.approx(0.6413590, rel=1e-6)
    assert "date_start" not in document["windows"][0]


def test_rt_shows_a_window_ending_before_the_si_mean_as_null(capsys, tmp_path):
    path = write(tmp_path / "cases.csv", "date,cases\n" + "".join(f"d{i},{i}\n" for i in range(1, 13)))
    document = run_json(capsys, "rt", str(path), "--si-mean", "9", "--si-sd", "3", "--window", "3")
    windows = document["windows"]
    assert windows[0]["t_end"] == 4 and windows[0]["mean"] is None and windows[0]["q975"] is None
    assert windows[-1]["t_end"] == 12 and windows[-1]["mean"] > 0


def test_rt_prints_a_table_without_json(capsys):
    code, out, _ = run(capsys, "rt", str(FLU2009), "--si-mean", "2.6", "--si-sd", "1.5")
    assert code == 0
    assert "2-8" in out and "1.736" in out


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        ("dates,count\n2020-01-01,1\n", ["--si-mean", "3", "--si-sd", "1"], "no column I, cases"),
        ("dates,I\n" + "d,1\n" * 5 + "d,-3\n" + "d,1\n" * 5, ["--si-mean", "3", "--si-sd", "1"], "negative"),
        (
            "dates,I\n" + "d,1\n" * 5 + "d,many\n" + "d,1\n" * 5,
            ["--si-mean", "3", "--si-sd", "1"],
            "not a number",
        ),
        ("dates,I\n" + "d,1\n" * 20, ["--si-mean", "1", "--si-sd", "1"], "greater than 1"),
        (
            "dates,I\n" + "d,1\n" * 20,
            ["--si-mean", "3", "--si-sd", "1", "--window", "25"],
            "at least 26 days",
        ),
        ("dates,I\n" + "d,1\n" * 20, [], "either --si-mean"),
    ],
)
def test_rt_refuses_bad_input_with_one_line_and_exit_2(capsys, tmp_path, content, options, message):
    path = write(tmp_path / "bad.csv", content)
    code, out, err = run(capsys, "rt", str(path), *options)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_rt_refuses_a_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "rt", str(tmp_path / "none.csv"), "--si-mean", "3", "--si-sd", "1")
    assert code == 2 and "no such file" in err


def test_ears_c1_flags_the_2011_salmonella_newport_outbreak(capsys):
    document = run_json(
        capsys,
        "aberration",
        str(REFERENCE / "salmNewport_germany_weekly.csv"),
        "--method",
        "ears-c1",
        "--alpha",
        "0.05",
        "--range-start",
        "366",
    )
    assert document["method"] == "ears-c1" and document["alpha"] == 0.05
    periods = document["periods"]
    assert periods[0]["period"] == "2011-01-03"
    assert [p["upperbound"] for p in periods[:4]] == pytest.approx(
        [3.278854, 3.278854, 3.436517, 3.855617], abs=1e-6
    )
    alarms = [i + 1 for i, p in enumerate(periods[:52]) if p["alarm"]]
    assert alarms == [31, 35, 43, 44, 45, 46]


def test_ears_c3_is_the_textbook_sum_unless_surveillances_code_is_asked_for(capsys, tmp_path):
    path = write(
        tmp_path / "tiny.csv",
        "observed\n" + "".join(f"{x}\n" for x in [5, 7, 6, 8, 5, 6, 7, 9, 6, 5, 20, 7, 6, 8, 30, 9]),
    )
    textbook = run_json(capsys, "aberration", str(path), "--method", "ears-c3")
    assert [p["period"] for p in textbook["periods"] if p["alarm"]] == [12, 13, 15, 16]
    assert textbook["alpha"] == 0.025 and textbook["settings"]["c3_variant"] == "textbook"
    package = run_json(capsys, "aberration", str(path), "--method", "ears-c3", "--c3-variant", "surveillance")
    assert [p["period"] for p in package["periods"] if p["alarm"]] == [12, 13, 16]


def test_farrington_flexible_nb_plugin_reproduces_the_packages_bounds(capsys):
    document = run_json(
        capsys,
        "aberration",
        str(REFERENCE / "salmonella_agona_weekly.csv"),
        "--method",
        "farrington-flexible",
        "--b",
        "4",
        "--w",
        "3",
        "--no-periods",
        "10",
        "--weights-threshold",
        "2.58",
        "--past-weeks-not-included",
        "26",
        "--p-threshold-trend",
        "1",
        "--alpha",
        "0.1",
        "--threshold-method",
        "nbPlugin",
        "--range-start",
        "282",
    )
    with (REFERENCE / "farringtonFlexible_salmonella_agona_control4.csv").open() as handle:
        expected = list(csv.DictReader(handle))
    assert [p["period"] for p in document["periods"]] == [int(r["week"]) for r in expected]
    assert [p["upperbound"] for p in document["periods"]] == [float(r["upperbound"]) for r in expected]
    assert [p["alarm"] for p in document["periods"]] == [r["alarm"] == "1" for r in expected]


def test_the_original_farrington_is_two_sided(capsys):
    document = run_json(
        capsys,
        "aberration",
        str(REFERENCE / "salmonella_agona_weekly.csv"),
        "--method",
        "farrington",
        "--b",
        "4",
        "--alpha",
        "0.1",
        "--range-start",
        "282",
    )
    assert [p["upperbound"] for p in document["periods"][:3]] == pytest.approx(
        [5.021371, 5.214440, 3.986282], rel=1e-6
    )


def test_farrington_flexible_refuses_a_series_shorter_than_b_years(capsys, tmp_path):
    path = write(tmp_path / "short.csv", "week,cases\n" + "".join(f"{i},{i % 5}\n" for i in range(1, 100)))
    code, out, err = run(capsys, "aberration", str(path), "--method", "farrington-flexible")
    assert code == 2 and out == ""
    assert "decrease b" in err


def test_aberration_refuses_an_unknown_method(capsys):
    code, _, err = run(capsys, "aberration", str(FLU2009), "--method", "cusum")
    assert code == 2 and "cusum" in err


def test_growth_reports_the_doubling_time(capsys, tmp_path):
    counts = [1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 9, 11, 13, 16]
    path = write(tmp_path / "curve.csv", "cases\n" + "".join(f"{c}\n" for c in counts))
    document = run_json(capsys, "growth", str(path))
    assert document["kind"] == "doubling"
    assert document["time"] == pytest.approx(3.262512044, rel=1e-9)
    assert document["time_ci"] == pytest.approx([3.01837039, 3.549624305], rel=1e-8)


def test_forecast_gives_quantiles_per_horizon(capsys, tmp_path):
    path = write(tmp_path / "weekly.csv", "count\n10\n12\n15\n13\n18\n20\n")
    document = run_json(capsys, "forecast", str(path), "--horizon", "2")
    assert [f["horizon"] for f in document["forecasts"]] == [1, 2]
    first = {q["level"]: q["value"] for q in document["forecasts"][0]["quantiles"]}
    assert first[0.025] == pytest.approx(15.45) and first[0.975] == pytest.approx(24.55)
