"""`ringfence tasks …` and `respond`: the JSON contract of DESIGN.md section 5."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from tests.service.areas.small_city import build_small_city

from ringfence.cases.models import Case, Classification
from ringfence.cli import main
from ringfence.core.db import transaction

CONFIRMED = datetime(2022, 10, 10, 8, 0, tzinfo=UTC)
ROW_FIELDS = {"task_id", "kind", "subject_id", "area_id", "department", "unit", "assignee", "due_at", "status",
              "escalated_to"}


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.fixture
def outbreak(engine):
    with transaction(engine) as session:
        build_small_city(session)
        session.add_all([
            Case(person_id="P1", classification=Classification.confirmed, confirmed_at=CONFIRMED),
            Case(person_id="P3", classification=Classification.confirmed, confirmed_at=CONFIRMED + timedelta(days=3)),
        ])


def test_tasks_list_prints_the_contract_rows_with_escalation_as_of(settings, outbreak, capsys) -> None:
    code, out, err = run_cli(["respond", "--as-of", "2022-10-14T00:00:00+00:00", "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["steps"]["investigate_case"] == {"investigate_case": 2}

    code, out, err = run_cli(["tasks", "list", "--overdue", "--as-of", "2022-10-11T09:00:00+00:00", "--json"], capsys)
    assert code == 0, err
    document = json.loads(out)
    assert list(document) == ["tasks"]
    [row] = document["tasks"]
    assert set(row) == ROW_FIELDS
    assert (row["kind"], row["subject_id"], row["area_id"], row["status"], row["escalated_to"]) == (
        "investigate_case", "P1", "M1", "open", "S1")
    assert datetime.fromisoformat(row["due_at"]) == CONFIRMED + timedelta(hours=24)

    code, out, _ = run_cli(["tasks", "list", "--as-of", "2022-10-12T09:00:00+00:00", "--area", "D2", "--json"], capsys)
    assert [(r["subject_id"], r["escalated_to"]) for r in json.loads(out)["tasks"]] == [("P3", None)]


def test_tasks_done_closes_a_task_and_the_sla_table_counts_it(settings, outbreak, capsys) -> None:
    run_cli(["respond", "--as-of", "2022-10-14T00:00:00+00:00", "--json"], capsys)
    _, out, _ = run_cli(["tasks", "list", "--json"], capsys)
    p1 = next(r for r in json.loads(out)["tasks"] if r["subject_id"] == "P1")
    code, out, err = run_cli(["tasks", "done", str(p1["task_id"]), "--at", "2022-10-10T20:00:00+00:00", "--json"],
                             capsys)
    assert code == 0, err
    assert json.loads(out)["status"] == "done"
    code, out, _ = run_cli(["tasks", "sla", "--as-of", "2022-10-15T00:00:00+00:00", "--json"], capsys)
    rows = {r["area_id"]: r for r in json.loads(out)["sla"]}
    assert (rows["M1"]["done"], rows["M1"]["done_on_time"], rows["M1"]["on_time_share"]) == (1, 1, 1.0)
    assert rows["M2"]["overdue_now"] == 1


def test_closing_an_unknown_task_exits_2_with_one_line(settings, outbreak, capsys) -> None:
    code, out, err = run_cli(["tasks", "done", "999"], capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "no task 999" in err
