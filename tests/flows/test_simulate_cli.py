from __future__ import annotations

import json
from pathlib import Path

import pytest

from ringfence.cli import main


def test_ringfence_simulate_writes_the_files_and_prints_the_manifest(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["simulate", "--people", "600", "--days", "2", "--seed", "3", "--out", str(tmp_path),
              "--start", "2022-11-01", "--json"])
    assert done.value.code == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["start"] == "2022-11-01" and manifest["rows"]["people"] == 600
    for feed in manifest["files"]:
        assert (tmp_path / feed["path"]).exists()
    assert (tmp_path / "truth.parquet").exists() and (tmp_path / "manifest.json").exists()


def test_a_bad_start_date_is_refused_with_one_line(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["simulate", "--people", "100", "--days", "1", "--out", str(tmp_path), "--start", "soon"])
    assert done.value.code == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
