"""`ringfence cases …`: record cases, list them, move them through their statuses, export the graph."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from ringfence.cases.models import CaseStatus, Classification, FoundVia

cases_app = typer.Typer(help="Cases: record, list, status changes, transmission graph.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
Time = str | None


@contextmanager
def _city() -> Iterator[tuple[Any, Any, Any]]:
    """The unit of work, the settings and the operator's city-wide scope."""
    from ringfence.auth.rules import Role, Scope
    from ringfence.config import get_settings
    from ringfence.terminal import cli_actor, unit_of_work

    settings = get_settings()
    with unit_of_work(settings) as session:
        yield session, settings, Scope(actor=cli_actor(), role=Role.commander, subtree=None, origin="cli")


def _time(text: str | None, settings) -> Any:
    from ringfence.core import clock

    return clock.parse_time(text, settings.tz) if text else None


@cases_app.command("add")
def add(
    person: Annotated[str, typer.Argument(help="the person_id of the case")],
    classification: Annotated[Classification, typer.Option(help="confirmed or asymptomatic")],
    confirmed_at: Annotated[str, typer.Option("--confirmed-at", help="time of confirmation")],
    onset_at: Annotated[Time, typer.Option("--onset-at", help="symptom onset")] = None,
    sampled_at: Annotated[Time, typer.Option("--sampled-at", help="first positive sample")] = None,
    isolated_at: Annotated[Time, typer.Option("--isolated-at", help="isolated before confirmation")] = None,
    found_via: Annotated[FoundVia, typer.Option("--found-via", help="how the case was found")] = FoundVia.other,
    json_output: JsonFlag = False,
) -> None:
    """Record a case (times: ISO 8601, without an offset local to the configured zone)."""
    from ringfence.cases import service
    from ringfence.cases.schemas import CaseCreate, CaseRead
    from ringfence.terminal import cli_actor, emit_json

    with _city() as (session, settings, _scope):
        case_in = CaseCreate(
            person_id=person, classification=classification, confirmed_at=_time(confirmed_at, settings),
            onset_at=_time(onset_at, settings), sampled_at=_time(sampled_at, settings),
            isolated_at=_time(isolated_at, settings), found_via=found_via,
        )
        shown = CaseRead.model_validate(service.create(session=session, case_in=case_in, actor=cli_actor()))
    if json_output:
        emit_json(shown)
        return
    typer.echo(f"Case {shown.case_id}: {shown.person_id} {shown.classification.value}, "
               f"confirmed {shown.confirmed_at.isoformat()} ({shown.found_via.value})")


@cases_app.command("list")
def list_cases(
    page: Annotated[int, typer.Option(min=1, help="page number")] = 1,
    size: Annotated[int, typer.Option(min=1, max=10_000, help="cases per page")] = 100,
    json_output: JsonFlag = False,
) -> None:
    """The cases, newest confirmation first."""
    from ringfence.cases import service
    from ringfence.cases.schemas import CaseRead
    from ringfence.terminal import emit_json

    with _city() as (session, _settings, scope):
        found, total = service.get_page(session=session, scope=scope, page=page, size=size)
        rows = [CaseRead.model_validate(c).model_dump(mode="json") for c in found]
    if json_output:
        emit_json({"items": rows, "total": total, "page": page, "size": size})
        return
    for row in rows:
        typer.echo(f"{row['case_id']:>6}  {row['person_id']:<20} {row['classification']:<13} {row['status']:<10} "
                   f"{row['confirmed_at']}  {row['found_via']}")
    typer.echo(f"{total} cases")


@cases_app.command("show")
def show(case_id: Annotated[int, typer.Argument(help="the case id")], json_output: JsonFlag = False) -> None:
    """One case and its timeline."""
    from ringfence.cases import service
    from ringfence.cases.schemas import CaseDetail, CaseRead, TimelineRead
    from ringfence.terminal import emit_json

    with _city() as (session, _settings, scope):
        case = service.get_visible(session=session, scope=scope, case_id=case_id)
        detail = CaseDetail(
            **CaseRead.model_validate(case).model_dump(),
            timeline=[TimelineRead.model_validate(e) for e in service.history(session=session, case=case)],
        )
    if json_output:
        emit_json(detail)
        return
    typer.echo(f"Case {detail.case_id}: {detail.person_id} {detail.status.value}")
    for entry in detail.timeline:
        typer.echo(f"  {entry.at.isoformat()}  {entry.actor:<20} {entry.action}  {entry.detail or ''}")


@cases_app.command("status")
def set_status(
    case_id: Annotated[int, typer.Argument(help="the case id")],
    status: Annotated[CaseStatus, typer.Argument(help="the new status")],
    at: Annotated[Time, typer.Option("--at", help="when it changed (default: now)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Move a case to a new status (isolated, recovered, deceased, discarded); recorded on its timeline."""
    from ringfence.cases import service
    from ringfence.cases.schemas import CaseRead
    from ringfence.core import clock
    from ringfence.terminal import cli_actor, emit

    with _city() as (session, settings, scope):
        case = service.get_visible(session=session, scope=scope, case_id=case_id)
        changed = service.transition(
            session=session, case=case, to=status, at=_time(at, settings) or clock.now(), actor=cli_actor()
        )
        shown = CaseRead.model_validate(changed)
    emit(shown, json_output, f"Case {shown.case_id} is now {shown.status.value}")


@cases_app.command("graph")
def graph(
    cases_only: Annotated[bool, typer.Option("--cases-only", help="leave out contacts who are not cases")] = False,
    json_output: JsonFlag = False,
) -> None:
    """The transmission graph: cases, their recorded contacts, who became a case, and the clusters."""
    from ringfence.terminal import emit_json
    from ringfence.tracing import service as tracing_service
    from ringfence.tracing.schemas import GraphRead

    with _city() as (session, _settings, scope):
        document = GraphRead.of(tracing_service.graph(session=session, scope=scope, with_contacts=not cases_only))
    if json_output:
        emit_json(document)
        return
    for cluster in document.clusters:
        typer.echo(f"cluster {cluster.cluster}: {cluster.size} cases: {', '.join(cluster.cases)}")
