"""`ringfence testing pool-size`: the Dorfman optimum as JSON, bad input as exit 2."""

from __future__ import annotations

import json

import pytest

from ringfence.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["testing", "pool-size", *args])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def test_one_percent_prevalence_gives_pools_of_eleven(capsys):
    code, out, err = run(capsys, "--prevalence", "0.01", "--json")
    assert code == 0, err
    document = json.loads(out)
    assert document["pool_size"] == 11
    assert document["tests_per_person"] == pytest.approx(0.1956, abs=5e-5)
    assert document["pooling_saves_tests"] is True
    assert "round" not in document


def test_an_imperfect_assay_changes_the_cost(capsys):
    _, out, _ = run(
        capsys, "--prevalence", "0.001", "--sensitivity", "0.95", "--specificity", "0.99", "--json"
    )
    document = json.loads(out)
    assert (document["pool_size"], round(document["tests_per_person"], 4)) == (33, 0.0708)
    assert document["pooled_sensitivity"] == pytest.approx(0.9025)


def test_a_round_of_people_reports_the_lab_load(capsys):
    _, out, _ = run(capsys, "--prevalence", "0.02", "--people", "25", "--max-size", "5", "--json")
    document = json.loads(out)
    assert document["pool_size"] == 5
    assert document["round"]["pools"] == 5
    assert document["round"]["expected_tests"] == pytest.approx(7.40198008)


def test_high_prevalence_says_pooling_does_not_pay(capsys):
    code, out, _ = run(capsys, "--prevalence", "0.4")
    assert code == 0
    assert "costs more than single tubes" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--prevalence", "1.5"],
        ["--prevalence", "0.01", "--sensitivity", "2"],
        ["--prevalence", "0.01", "--max-size", "1"],
        ["--prevalence", "lots"],
        [],
    ],
)
def test_it_refuses_bad_input_with_exit_2(capsys, args):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error:")
