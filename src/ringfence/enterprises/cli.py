"""`ringfence enterprises …`: whitelist, rosters and compliance, help tickets."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.config import get_settings
from ringfence.tasks.cli import as_of_time, shell_scope
from ringfence.terminal import cli_actor, emit_json, unit_of_work

enterprises_app = typer.Typer(help="Whitelisted enterprises: closed-loop production, rosters, help tickets.",
                              no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]


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
    json_output: JsonFlag = False,
) -> None:
    """File a whitelist application."""
    from ringfence.enterprises import service
    from ringfence.enterprises.schemas import ApplicationCreate, ApplicationRead

    with unit_of_work() as session:
        application = service.apply(session=session, scope=shell_scope(session, None), actor=cli_actor(),
                                    application_in=ApplicationCreate(enterprise_id=enterprise_id, project_id=project,
                                                                     closed_loop=closed_loop))
        record = ApplicationRead.model_validate(application)
    if json_output:
        emit_json(record)
        return
    typer.echo(f"Application {record.application_id} filed.")


@enterprises_app.command("decide")
def decide(
    application_id: Annotated[int, typer.Argument(help="the application")],
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
    if json_output:
        emit_json(record)
        return
    typer.echo(f"Application {application_id} {record.status.value}.")


@enterprises_app.command("tickets")
def tickets_list(
    overdue: Annotated[bool, typer.Option("--overdue", help="only unanswered past their deadline")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="judge overdue as of this time")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Help tickets (万人助万企), by deadline."""
    from ringfence.enterprises import tickets
    from ringfence.enterprises.schemas import TicketFilter, TicketRead

    with unit_of_work() as session:
        rows, _ = tickets.get_all(session=session, scope=shell_scope(session, None),
                                  filters=TicketFilter(overdue=overdue), as_of=as_of_time(as_of), size=1_000_000)
        items = [TicketRead.model_validate(t).model_dump(mode="json") for t in rows]
    if json_output:
        emit_json({"tickets": items})
        return
    for t in items:
        typer.echo(f"{t['ticket_id']:>5} {t['enterprise_id']:<12} {t['category']:<12} due {t['due_at']} "
                   f"{t['status']} {t['assignee'] or ''}")
