"""The demo end to end at a small size: simulate, import day by day, respond, users to log in as."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from ringfence import demo
from ringfence.auth.models import User
from ringfence.cases.models import Case
from ringfence.cli import main
from ringfence.core.db import make_engine
from ringfence.imports.models import ImportBatch
from ringfence.people.models import Person
from ringfence.respond import Stopwatch, derivations


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_the_demo_imports_every_feed_without_rejects_and_creates_a_user_per_role(settings, capsys, monkeypatch) -> None:
    monkeypatch.setenv("RINGFENCE_ADMIN_PASSWORD", "demo-password-for-tests")
    code, out, err = run_cli(capsys, "demo", "--people", "2000", "--days", "4", "--no-serve", "--json")
    assert code == 0, err
    outcome = json.loads(out)
    assert outcome["admin_password"] == "demo-password-for-tests"
    assert outcome["url"] == "http://127.0.0.1:8000/"
    assert {u["username"] for u in outcome["users"]} == {"commander", "analyst", "district", "community"}
    for kind in ("areas", "buildings", "people", "venues", "scans", "locations", "samples", "tube-results"):
        assert outcome["imported"][kind] > 0, kind

    engine = make_engine(settings.resolved_database_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Person)) >= 2000
        assert conn.scalar(select(func.count()).select_from(User)) == 5
        assert conn.scalar(select(func.sum(ImportBatch.rejected))) == 0
        feeds_cases = conn.scalar(select(func.count()).select_from(Case))
    engine.dispose()
    assert feeds_cases == outcome["imported"].get("cases", 0)
    assert not list(settings.rejects_dir.glob("*.csv"))


def test_the_demo_refuses_a_home_that_holds_other_data(settings, capsys) -> None:
    (settings.home / "ringfence.db").write_text("not a demo")
    code, _out, err = run_cli(capsys, "demo", "--people", "2000", "--days", "1", "--no-serve")
    assert code == 2
    assert "not a demo" in err and len(err.strip().splitlines()) == 1


def test_the_demo_times_each_part_and_each_respond_step_for_its_benchmark(settings, monkeypatch) -> None:
    monkeypatch.setenv("RINGFENCE_ADMIN_PASSWORD", "demo-password-for-tests")
    stopwatch = Stopwatch()
    demo.run(people=2000, days=2, seed=7, start=date(2022, 10, 1), actor="test", say=lambda _text: None,
             stopwatch=stopwatch)
    parts = {"simulate", "init", "split_by_day", "users", "import.people", "import.scans"}
    steps = {f"respond.{name}" for name, _ in derivations()}
    days = {f"day.2022-10-0{d}.{part}" for d in (1, 2) for part in ("import", "respond")}
    assert parts | steps | days <= set(stopwatch.wall)
    assert set(stopwatch.cpu) == set(stopwatch.wall)
    assert all(seconds >= 0 for seconds in stopwatch.wall.values())
    # a day's respond contains its steps: the steps summed over both days fit in the two days' total
    assert sum(stopwatch.wall[s] for s in steps) <= sum(stopwatch.wall[f"day.2022-10-0{d}.respond"] for d in (1, 2))
