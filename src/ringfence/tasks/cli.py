"""`ringfence tasks …`: the task list (DESIGN.md section 5), closing tasks, the SLA table."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from ringfence.auth.rules import Role, Scope
from ringfence.config import get_settings
from ringfence.core import clock
from ringfence.core.errors import NotFound
from ringfence.terminal import cli_actor, emit, emit_json, unit_of_work

tasks_app = typer.Typer(help="Tasks: who must do what by when; overdue ones escalate.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="judge overdue and escalation as of this time")]
AreaOption = Annotated[str | None, typer.Option("--area", help="only this area's subtree (a jurisdiction)")]


def as_of_time(text: str | None) -> datetime:
    """An ISO time (naive: local to the configured zone), or now."""
    return clock.now() if text is None else clock.parse_time(text, get_settings().tz)


def shell_scope(session, area_id: str | None) -> Scope:
    """The shell operator sees the city, or the subtree of `--area`."""
    from ringfence.areas.models import Area

    if area_id is None:
        return Scope(actor=cli_actor(), role=Role.commander, subtree=None, origin="cli")
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound(f"no area {area_id!r}")
    return Scope(actor=cli_actor(), role=Role.commander, subtree=area.path, origin="cli")


@tasks_app.command("list")
def list_tasks(
    overdue: Annotated[bool, typer.Option("--overdue", help="only tasks past due and not done")] = False,
    as_of: AsOf = None,
    area: AreaOption = None,
    escalated_to: Annotated[str | None, typer.Option("--escalated-to", help="only tasks raised to this area")] = None,
    json_output: JsonFlag = False,
) -> None:
    """The tasks, by due time, with escalation as of `--as-of` (default now)."""
    from ringfence.tasks import service
    from ringfence.tasks.schemas import TaskFilter

    at = as_of_time(as_of)
    with unit_of_work() as session:
        scope = shell_scope(session, area)
        found = service.get_all(
            session=session, scope=scope, overdue_at=at if overdue else None,
            filters=TaskFilter(escalated_to=escalated_to, as_of=at),
        )
        rows = service.rows(session=session, tasks=found, as_of=at)
    if json_output:
        emit_json({"tasks": [row.model_dump(mode="json") for row in rows]})
        return
    if not rows:
        typer.echo("No tasks.")
    for row in rows:
        raised = f" ↑{row.escalated_to}" if row.escalated_to else ""
        typer.echo(
            f"{row.task_id:>6} {row.kind.value:<20} {row.subject_id:<16} {row.area_id or '-':<12} "
            f"{row.department:<18} due {row.due_at.isoformat()} {row.status.value}{raised}"
        )


@tasks_app.command("done")
def done(
    task_id: Annotated[int, typer.Argument(help="the task's id")],
    at: Annotated[str | None, typer.Option("--at", help="when it was done (default now)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Mark a task done."""
    from ringfence.tasks import service
    from ringfence.tasks.schemas import TaskRow

    with unit_of_work() as session:
        scope = shell_scope(session, None)
        task = service.complete(session=session, task=service.get(session=session, scope=scope, task_id=task_id),
                                at=as_of_time(at), actor=cli_actor())
        row = TaskRow.model_validate(task)
    emit(row, json_output, f"Task {row.task_id} done.")


@tasks_app.command("assign")
def assign(
    task_id: Annotated[int, typer.Argument(help="the task's id")],
    assignee: Annotated[str, typer.Argument(help="the person answerable for it")],
    unit: Annotated[str | None, typer.Option(help="their unit")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Name the person (and unit) answerable for a task; they are notified."""
    from ringfence.notifications import service as notifications
    from ringfence.tasks import service
    from ringfence.tasks.schemas import TaskRow

    with unit_of_work() as session:
        task = service.get(session=session, scope=shell_scope(session, None), task_id=task_id)
        row = TaskRow.model_validate(service.assign(session=session, task=task, assignee=assignee, unit=unit,
                                                    actor=cli_actor()))
    with unit_of_work() as session:
        notifications.deliver_pending(session=session)
    emit(row, json_output, f"Task {row.task_id} assigned to {assignee}.")


@tasks_app.command("show")
def show(
    task_id: Annotated[int, typer.Argument(help="the task's id")],
    json_output: JsonFlag = False,
) -> None:
    """A task and its history."""
    from ringfence.tasks import service

    with unit_of_work() as session:
        task = service.get(session=session, scope=shell_scope(session, None), task_id=task_id)
        record = service.read(session=session, task=task)
    if json_output:
        emit_json(record)
        return
    typer.echo(f"{record.task_id} {record.kind.value} {record.subject_id} {record.status.value} due {record.due_at}")
    for entry in record.history:
        typer.echo(f"  {entry.at.isoformat()}  {entry.actor:<16} {entry.action:<16} {entry.detail or ''}")


@tasks_app.command("sla")
def sla(as_of: AsOf = None, area: AreaOption = None, json_output: JsonFlag = False) -> None:
    """The accountability table: per area and department, done on time and time to done."""
    from ringfence.tasks import service

    at = as_of_time(as_of)
    with unit_of_work() as session:
        table = service.sla(session=session, scope=shell_scope(session, area), as_of=at)
    if json_output:
        emit_json({"as_of": at.isoformat(), "sla": [row.model_dump(mode="json") for row in table]})
        return
    typer.echo(f"{'area':<14} {'department':<18} {'total':>6} {'done':>6} {'on time':>8} {'median h':>9} {'overdue':>8}")
    for row in table:
        share = "-" if row.on_time_share is None else f"{row.on_time_share:.0%}"
        median = "-" if row.median_hours_to_done is None else f"{row.median_hours_to_done:.1f}"
        typer.echo(f"{row.area_id or '-':<14} {row.department:<18} {row.total:>6} {row.done:>6} {share:>8} "
                   f"{median:>9} {row.overdue_now:>8}")
