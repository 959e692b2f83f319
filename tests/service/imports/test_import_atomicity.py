from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from tests.service.imports.feeds import count, run, seed_city, write_csv

from ringfence.areas.models import Building
from ringfence.core.audit import AuditEntry
from ringfence.imports import registers
from ringfence.imports.models import ImportBatch


def many_buildings(tmp_path, n: int):
    rows = [
        {"building_id": f"b{i:05d}", "community_id": "k1", "address": f"{i} Road", "lon": "113.7", "lat": "34.7"}
        for i in range(10, 10 + n)
    ]
    rows[5]["lon"] = "bad"  # one reject, so a rejects file would be written
    return write_csv(tmp_path / "buildings.csv", rows)


def test_a_failure_midway_leaves_nothing_and_a_rerun_completes(settings, engine, tmp_path, monkeypatch) -> None:
    seed_city(settings, tmp_path)
    path = many_buildings(tmp_path, 250)
    monkeypatch.setattr("ringfence.imports.job.CHUNK_ROWS", 100)
    real_write, calls = registers.write, []

    def failing_write(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(registers, "write", failing_write)
    batches_before, audit_before = count(engine, ImportBatch), count(engine, AuditEntry)
    with pytest.raises(RuntimeError, match="disk full"):
        run(settings, "buildings", path)
    assert count(engine, Building) == 2  # the seed's
    assert (count(engine, ImportBatch), count(engine, AuditEntry)) == (batches_before, audit_before)
    assert not list(settings.rejects_dir.glob("buildings-*"))
    assert not list(settings.rejects_dir.glob(".*"))

    monkeypatch.setattr(registers, "write", real_write)
    result = run(settings, "buildings", path)
    assert (result.accepted, result.rejected) == (249, 1)
    assert count(engine, Building) == 2 + 249


def test_a_process_killed_midway_writes_nothing_and_a_rerun_completes(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    path = many_buildings(tmp_path, 250)
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from ringfence.config import get_settings
        from ringfence.imports import job, registers
        from ringfence.imports.flows import import_file
        from ringfence.imports.schemas import FeedKind

        job.CHUNK_ROWS = 100
        real_write, calls = registers.write, []
        def write(*args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                os.kill(os.getpid(), signal.SIGKILL)
            return real_write(*args, **kwargs)
        registers.write = write
        import_file(settings=get_settings(), kind=FeedKind.buildings, path=Path({str(path)!r}), actor="t",
                    progress=False)
    """)
    engine.dispose()  # the child must not inherit pooled connections
    child = subprocess.run(
        [sys.executable, "-c", script], check=False, env=os.environ.copy(), capture_output=True, timeout=120
    )
    assert child.returncode == -9, child.stderr.decode()
    assert count(engine, Building) == 2
    assert count(engine, ImportBatch) == 2  # the seed's areas and buildings
    result = run(settings, "buildings", path)
    assert (result.accepted, result.rejected) == (249, 1)
    assert count(engine, Building) == 2 + 249
