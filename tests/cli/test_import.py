from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.service.imports.feeds import count

from ringfence.areas.models import Area, Building
from ringfence.cli import main

DATA = Path(__file__).parent.parent / "data"


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_import_prints_one_json_document_with_the_counts(settings, engine, capsys) -> None:
    code, out, err = run_cli(["import", "areas", str(DATA / "areas-child-first.geojson"), "--json"], capsys)
    assert code == 0, err
    document = json.loads(out)
    assert set(document) == {"kind", "rows", "accepted", "rejected", "duplicates", "rejects_path"}
    assert {k: v for k, v in document.items() if k != "rejects_path"} == {
        "kind": "areas", "rows": 5, "accepted": 4, "rejected": 1, "duplicates": 0
    }
    assert Path(document["rejects_path"]).parent == settings.rejects_dir
    assert count(engine, Area) == 4

    code, out, _ = run_cli(["import", "areas", str(DATA / "areas-child-first.geojson"), "--json"], capsys)
    again = json.loads(out)
    assert (code, again["accepted"], again["duplicates"], again["rejected"]) == (0, 0, 4, 1)


def test_a_refused_file_exits_2_with_one_line_on_stderr(settings, engine, capsys) -> None:
    code, out, err = run_cli(["import", "buildings", str(DATA / "buildings-missing-lon.csv"), "--json"], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "required column lon is missing" in err
    assert count(engine, Building) == 0


def test_an_unknown_kind_exits_2(settings, capsys) -> None:
    code, out, err = run_cli(["import", "households", str(DATA / "buildings-missing-lon.csv")], capsys)
    assert code == 2 and out == "" and "unknown feed kind 'households'" in err


def test_without_json_it_prints_a_sentence(settings, engine, capsys) -> None:
    code, out, _ = run_cli(["import", "areas", str(DATA / "areas-child-first.geojson")], capsys)
    assert code == 0
    assert out.startswith("areas: 5 rows, 4 accepted, 1 rejected, 0 duplicates; rejects in ")
