"""Run the `ringfence` command in-process, as the shell would, and collect what it printed."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass

import pytest

from ringfence.cli import main


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def run_cli(argv: list[str], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> Outcome:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    return Outcome(code=exited.value.code, out=captured.out, err=captured.err)
