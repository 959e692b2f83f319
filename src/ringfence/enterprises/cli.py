"""`ringfence enterprises …`: whitelist, rosters and compliance, help tickets."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.config import get_settings
from ringfence.tasks.cli import as_of_time, shell_scope
from ringfence.terminal import cli_actor, emit, emit_json, parse_input, unit_of_work

enterprises_app = typer.Typer(help="Whitelisted enterprises: closed-loop production, rosters, help tickets.",
                              no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
# a numbered record: within the store's integer range, so no id reaches the database as an overflow
TicketId = Annotated[int, typer.Argument(min=1, max=2_147_483_647, help="the help ticket")]


@enterprises_app.command("list")
def list_enterprises(
    whitelisted: Annotated[bool | None, typer.Option("--whitelisted/--not-whitelisted", help="filter")] = None,
    json_output: JsonFlag = False,
) -> None:
    """The enterprises, by id."""
    from ringfence.enterprises import service
    from ringfence.enterprises.schemas import EnterpriseFilter, EnterpriseRead

    with unit_of_work() as session:
        rows, _ = service.get_all(session=session, scope=shell_scope(session, None),
                                  filters=EnterpriseFilter(whitelisted=whitelisted), size=1_000_000)
        items = [EnterpriseRead.model_validate(e).model_dump(mode="json") for e in rows]
    if json_output:
        emit_json({"enterprises": items})
        return
    for e in items:
        typer.echo(f"{e['enterprise_id']:<12} {e['name']:<30} whitelisted={e['whitelisted']} {e['production_status'] or ''}")


@enterprises_app.command("roster")
def roster(
    enterprise_id: Annotated[str, typer.Argument(help="the enterprise")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="judge compliance as of this time")] = None,
    json_output: JsonFlag = False,
) -> None:
    """The staff and their routine-screening compliance."""
    from ringfence.enterprises import service
    from ringfence.eventlog.store import open_store
    from ringfence.tasks.service import load_protocol

    settings = get_settings()
    with unit_of_work() as session, open_store(settings) as events:
        result = service.roster(session=session, scope=shell_scope(session, None), enterprise_id=enterprise_id,
                                as_of=as_of_time(as_of), protocol=load_protocol(settings.protocol), events=events,
                                tz=settings.tz, actor=cli_actor())
    if json_output:
        emit_json(result)
        return
    share = "-" if result.share is None else f"{result.share:.1%}"
    typer.echo(f"{enterprise_id}: {result.compliant}/{result.staff} screened ({share}; threshold "
               f"{result.threshold:.0%}){'  ALERT' if result.alert else ''}")


@enterprises_app.command("apply")
def apply(
    enterprise_id: Annotated[str, typer.Argument(help="the enterprise")],
    project: Annotated[str | None, typer.Option(help="a key project of the enterprise")] = None,
    closed_loop: Annotated[bool, typer.Option("--closed-loop/--open", help="closed-loop production")] = True,
    plan: Annotated[str | None, typer.Option(help="how production stays closed (dormitories, shuttles…)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """File a whitelist application."""
    from ringfence.enterprises import service
    from ringfence.enterprises.schemas import ApplicationCreate, ApplicationRead

    application_in = parse_input(ApplicationCreate, enterprise_id=enterprise_id, project_id=project,
                                 closed_loop=closed_loop, plan=plan)
    with unit_of_work() as session:
        application = service.apply(session=session, scope=shell_scope(session, None), actor=cli_actor(),
                                    application_in=application_in)
        record = ApplicationRead.model_validate(application)
    emit(record, json_output, f"Application {record.application_id} filed.")


@enterprises_app.command("decide")
def decide(
    application_id: Annotated[int, typer.Argument(min=1, max=2_147_483_647, help="the application")],
    status: Annotated[str, typer.Argument(help="approved, rejected or revoked")],
    reason: Annotated[str | None, typer.Option(help="why")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Approve, reject or revoke a whitelist application."""
    from ringfence.core.errors import InvalidInput
    from ringfence.enterprises import service
    from ringfence.enterprises.models import ApplicationStatus
    from ringfence.enterprises.schemas import ApplicationRead

    try:
        decision = ApplicationStatus(status)
    except ValueError:
        raise InvalidInput(f"unknown decision {status!r} (approved, rejected or revoked)") from None
    with unit_of_work() as session:
        scope = shell_scope(session, None)
        application = service.get_application(session=session, scope=scope, application_id=application_id)
        record = ApplicationRead.model_validate(service.decide(session=session, application=application,
                                                               status=decision, reason=reason, actor=cli_actor()))
    emit(record, json_output, f"Application {application_id} {record.status.value}.")



@enterprises_app.command("applications")
def applications(
    status: Annotated[str | None, typer.Option(help="only pending, approved, rejected or revoked ones")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Whitelist applications, oldest first."""
    from ringfence.enterprises import service
    from ringfence.enterprises.schemas import ApplicationDecision, ApplicationRead

    wanted = parse_input(ApplicationDecision, status=status).status if status is not None else None
    with unit_of_work() as session:
        rows, _ = service.get_applications(session=session, scope=shell_scope(session, None), status=wanted,
                                           size=1_000_000)
        items = [ApplicationRead.model_validate(a).model_dump(mode="json") for a in rows]
    if json_output:
        emit_json({"applications": items})
        return
    for a in items:
        typer.echo(f"{a['application_id']:>5} {a['enterprise_id']:<12} {a['project_id'] or '-':<12} {a['status']}")


@enterprises_app.command("production")
def production(
    enterprise_id: Annotated[str, typer.Argument(help="the enterprise")],
    status: Annotated[str, typer.Argument(help="producing, closed_loop or suspended")],
    json_output: JsonFlag = False,
) -> None:
    """Record an enterprise's production status."""
    from ringfence.enterprises import service
    from ringfence.enterprises.schemas import EnterpriseRead, ProductionUpdate

    update = parse_input(ProductionUpdate, production_status=status)
    with unit_of_work() as session:
        enterprise = service.get(session=session, scope=shell_scope(session, None), enterprise_id=enterprise_id)
        record = EnterpriseRead.model_validate(service.set_production(
            session=session, enterprise=enterprise, status=update.production_status, actor=cli_actor()))
    emit(record, json_output, f"{enterprise_id}: {record.production_status.value}.")


projects_app = typer.Typer(help="Key construction projects and their three batches (signed, started, completed).",
                           no_args_is_help=True)
enterprises_app.add_typer(projects_app, name="projects")


@projects_app.command("list")
def list_projects(
    batch: Annotated[str | None, typer.Option(help="only signed, started or completed ones")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Key projects by id, with how many are in each batch."""
    from ringfence.enterprises import service
    from ringfence.enterprises.schemas import ProjectBatchUpdate, ProjectRead

    wanted = parse_input(ProjectBatchUpdate, batch=batch).batch if batch is not None else None
    with unit_of_work() as session:
        scope = shell_scope(session, None)
        items = [ProjectRead.model_validate(p).model_dump(mode="json")
                 for p in service.get_projects(session=session, scope=scope, batch=wanted)]
        batches = service.batch_counts(session=session, scope=scope)
    if json_output:
        emit_json({"projects": items, "batches": batches})
        return
    for p in items:
        typer.echo(f"{p['project_id']:<12} {p['name']:<30} {p['enterprise_id']:<12} {p['batch']}")
    typer.echo(", ".join(f"{name} {count}" for name, count in batches.items()))


@projects_app.command("add")
def add_project(
    project_id: Annotated[str, typer.Argument(help="the project's id")],
    name: Annotated[str, typer.Argument(help="the project's name")],
    enterprise: Annotated[str, typer.Option("--enterprise", help="the enterprise running it")],
    building: Annotated[str | None, typer.Option("--building", help="the building of its site")] = None,
    batch: Annotated[str, typer.Option(help="signed, started or completed")] = "signed",
    at: Annotated[str | None, typer.Option("--at", help="when it entered that batch (default now)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Register a key construction project."""
    from ringfence.enterprises import service
    from ringfence.enterprises.schemas import ProjectCreate, ProjectRead

    project_in = parse_input(ProjectCreate, project_id=project_id, name=name, enterprise_id=enterprise,
                             building_id=building, batch=batch, batch_at=as_of_time(at))
    with unit_of_work() as session:
        record = ProjectRead.model_validate(service.create_project(
            session=session, scope=shell_scope(session, None), project_in=project_in, actor=cli_actor()))
    emit(record, json_output, f"Project {record.project_id} ({record.batch.value}).")


@projects_app.command("advance")
def advance_project(
    project_id: Annotated[str, typer.Argument(help="the project")],
    batch: Annotated[str, typer.Argument(help="started or completed")],
    json_output: JsonFlag = False,
) -> None:
    """Move a project on to the next batch."""
    from ringfence.enterprises import service
    from ringfence.enterprises.schemas import ProjectBatchUpdate, ProjectRead

    update = parse_input(ProjectBatchUpdate, batch=batch)
    with unit_of_work() as session:
        project = service.get_project(session=session, scope=shell_scope(session, None), project_id=project_id)
        record = ProjectRead.model_validate(service.advance_project(session=session, project=project,
                                                                    batch=update.batch, actor=cli_actor()))
    emit(record, json_output, f"Project {record.project_id} {record.batch.value}.")


tickets_app = typer.Typer(help="Help tickets (万人助万企): without a command, the list by deadline.")
enterprises_app.add_typer(tickets_app, name="tickets")


def _ticket_line(t) -> str:
    return (f"{t.ticket_id:>5} {t.enterprise_id:<12} {t.category.value:<12} due {t.due_at.isoformat()} "
            f"{t.status.value} {t.assignee or ''}")


def _on_ticket(ticket_id: int, act):
    """Fetch the ticket in the shell's scope, apply `act(session, ticket)`, then send what it notified."""
    from ringfence.enterprises import tickets
    from ringfence.enterprises.schemas import TicketRead
    from ringfence.notifications import service as notifications

    with unit_of_work() as session:
        ticket = tickets.get(session=session, scope=shell_scope(session, None), ticket_id=ticket_id)
        record = TicketRead.model_validate(act(session, ticket))
    with unit_of_work() as session:
        notifications.deliver_pending(session=session)
    return record


@tickets_app.callback(invoke_without_command=True)
def tickets_list(
    context: typer.Context,
    overdue: Annotated[bool, typer.Option("--overdue", help="only unanswered past their deadline")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="judge overdue as of this time")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Help tickets (万人助万企), by deadline; `open`, `assign`, `answer`, `close` and `show` one."""
    from ringfence.enterprises import tickets
    from ringfence.enterprises.schemas import TicketFilter, TicketRead

    if context.invoked_subcommand is not None:
        return
    with unit_of_work() as session:
        rows, _ = tickets.get_all(session=session, scope=shell_scope(session, None),
                                  filters=TicketFilter(overdue=overdue), as_of=as_of_time(as_of), size=1_000_000)
        records = [TicketRead.model_validate(t) for t in rows]
    if json_output:
        emit_json({"tickets": [t.model_dump(mode="json") for t in records]})
        return
    for t in records:
        typer.echo(_ticket_line(t))


@tickets_app.command("open")
def open_ticket(
    enterprise_id: Annotated[str, typer.Argument(help="the enterprise reporting the problem")],
    category: Annotated[str, typer.Argument(help="supplies, logistics, staff_stuck or other")],
    description: Annotated[str, typer.Argument(help="the problem")],
    json_output: JsonFlag = False,
) -> None:
    """An enterprise reports a problem; it gets a deadline from the protocol and a task."""
    from ringfence.enterprises import tickets
    from ringfence.enterprises.schemas import TicketCreate, TicketRead
    from ringfence.tasks.service import load_protocol

    ticket_in = parse_input(TicketCreate, category=category, description=description)
    protocol = load_protocol(get_settings().protocol)
    with unit_of_work() as session:
        record = TicketRead.model_validate(tickets.report(
            session=session, scope=shell_scope(session, None), enterprise_id=enterprise_id, ticket_in=ticket_in,
            actor=cli_actor(), protocol=protocol))
    emit(record, json_output, f"Ticket {record.ticket_id} opened, to answer by {record.due_at.isoformat()}.")


@tickets_app.command("show")
def show_ticket(ticket_id: TicketId, json_output: JsonFlag = False) -> None:
    """One help ticket."""
    from ringfence.enterprises import tickets
    from ringfence.enterprises.schemas import TicketRead

    with unit_of_work() as session:
        record = TicketRead.model_validate(tickets.get(session=session, scope=shell_scope(session, None),
                                                       ticket_id=ticket_id))
    emit(record, json_output, _ticket_line(record))


@tickets_app.command("assign")
def assign_ticket(
    ticket_id: TicketId,
    assignee: Annotated[str, typer.Argument(help="the official who must answer")],
    json_output: JsonFlag = False,
) -> None:
    """Give a ticket to an official; they are notified."""
    from ringfence.enterprises import tickets
    from ringfence.enterprises.schemas import TicketAssign

    assignment = parse_input(TicketAssign, assignee=assignee)
    record = _on_ticket(ticket_id, lambda session, ticket: tickets.assign(
        session=session, ticket=ticket, assignee=assignment.assignee, actor=cli_actor(), origin="cli"))
    emit(record, json_output, f"Ticket {ticket_id} assigned to {record.assignee}.")


@tickets_app.command("answer")
def answer_ticket(
    ticket_id: TicketId,
    text: Annotated[str, typer.Argument(help="the answer to the enterprise")],
    json_output: JsonFlag = False,
) -> None:
    """Answer the enterprise; closes the ticket's task (on time or late)."""
    from ringfence.enterprises import tickets
    from ringfence.enterprises.schemas import TicketAnswer

    reply = parse_input(TicketAnswer, answer=text)
    record = _on_ticket(ticket_id, lambda session, ticket: tickets.answer(
        session=session, ticket=ticket, text=reply.answer, actor=cli_actor(), origin="cli"))
    emit(record, json_output, f"Ticket {ticket_id} answered.")


@tickets_app.command("close")
def close_ticket(ticket_id: TicketId, json_output: JsonFlag = False) -> None:
    """Close a ticket (the enterprise is satisfied, or the desk closes it)."""
    from ringfence.enterprises import tickets

    record = _on_ticket(ticket_id, lambda session, ticket: tickets.close(session=session, ticket=ticket,
                                                                         actor=cli_actor()))
    emit(record, json_output, f"Ticket {ticket_id} closed.")
