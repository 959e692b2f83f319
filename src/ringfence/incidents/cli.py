"""`ringfence incidents …`: outbreak points and the report a district gives at the headquarters meeting."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.tasks.cli import AreaOption, as_of_time, shell_scope
from ringfence.terminal import cli_actor, emit, emit_json, parse_input, unit_of_work

incidents_app = typer.Typer(help="Incidents (燃点): handling teams, cases, zones, tasks.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
# a numbered record: within the store's integer range, so no id reaches the database as an overflow
IncidentId = Annotated[int, typer.Argument(min=1, max=2_147_483_647, help="the incident")]
MEMBER_FORMAT = "NAME:PARTY[:ORGANISATION] (party: territory, department, unit or individual)"


def _member(text: str, *, lead: bool):
    """A team member from `NAME:PARTY[:ORGANISATION]`."""
    from ringfence.core.errors import InvalidInput
    from ringfence.incidents.schemas import MemberIn

    name, _, rest = text.partition(":")
    party, _, organisation = rest.partition(":")
    if not name.strip() or not party.strip():
        raise InvalidInput(f"a team member is {MEMBER_FORMAT}, not {text!r}")
    return parse_input(MemberIn, name=name.strip(), party=party.strip(), organisation=organisation.strip() or None,
                       role="lead" if lead else "member")


def _get(session, incident_id: int):
    from ringfence.incidents import service

    return service.get(session=session, scope=shell_scope(session, None), incident_id=incident_id)


@incidents_app.command("open")
def open_incident(
    name: Annotated[str, typer.Argument(help="the outbreak point's name")],
    area: Annotated[str, typer.Option("--area", help="the area (district) reporting it")],
    summary: Annotated[str | None, typer.Option(help="what is known so far")] = None,
    at: Annotated[str | None, typer.Option("--at", help="when it was opened (default now)")] = None,
    lead: Annotated[str | None, typer.Option("--lead", help=f"the team lead, {MEMBER_FORMAT}")] = None,
    member: Annotated[list[str] | None, typer.Option("--member", help="a team member, same form (repeat)")] = None,
    case: Annotated[list[int] | None, typer.Option("--case", min=1, max=2_147_483_647,
                                                    help="a case id of the cluster (repeat)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Open an incident with its handling team (处置班子) and first cases."""
    from ringfence.incidents import service
    from ringfence.incidents.schemas import IncidentCreate, IncidentRead

    team = [_member(text, lead=False) for text in member or []]
    if lead is not None:
        team.append(_member(lead, lead=True))
    incident_in = parse_input(IncidentCreate, name=name, area_id=area, summary=summary, opened_at=as_of_time(at),
                              team=team, case_ids=case or [])
    with unit_of_work() as session:
        incident = service.open_incident(session=session, scope=shell_scope(session, None), incident_in=incident_in,
                                         actor=cli_actor())
        record = IncidentRead.model_validate(incident)
    emit(record, json_output, f"Incident {record.incident_id} opened: {record.name} ({record.area_id}).")


@incidents_app.command("member")
def add_member(
    incident_id: IncidentId,
    name: Annotated[str, typer.Argument(help="the member's name")],
    party: Annotated[str, typer.Option(help="territory, department, unit or individual")],
    organisation: Annotated[str | None, typer.Option(help="their organisation")] = None,
    lead: Annotated[bool, typer.Option("--lead", help="make them the team lead (the old lead stays a member)")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Add someone to the incident's handling team (or change their role)."""
    from ringfence.incidents import service
    from ringfence.incidents.schemas import MemberIn

    member_in = parse_input(MemberIn, name=name, party=party, organisation=organisation,
                            role="lead" if lead else "member")
    with unit_of_work() as session:
        incident = _get(session, incident_id)
        record = MemberIn.model_validate(service.add_member(session=session, incident=incident, member_in=member_in,
                                                            actor=cli_actor()))
    emit(record, json_output, f"{record.name} is {record.role.value} ({record.party.value}) of incident {incident_id}.")


@incidents_app.command("link")
def link(
    incident_id: IncidentId,
    case: Annotated[list[str] | None, typer.Option("--case", help="a case id (repeat)")] = None,
    zone: Annotated[list[str] | None, typer.Option("--zone", help="a zone id (repeat)")] = None,
    task: Annotated[list[str] | None, typer.Option("--task", help="a task id (repeat)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="judge overdue tasks as of this time")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Attach cases, zones and tasks to the incident (again is harmless); prints its report."""
    from ringfence.core.errors import InvalidInput
    from ringfence.incidents import service
    from ringfence.incidents.schemas import LinkIn

    links = [parse_input(LinkIn, kind=kind, ref=ref)
             for kind, refs in (("case", case), ("zone", zone), ("task", task)) for ref in refs or []]
    if not links:
        raise InvalidInput("name what to attach: --case, --zone or --task (repeat each)")
    with unit_of_work() as session:
        incident = _get(session, incident_id)
        for link_in in links:
            service.link(session=session, incident=incident, link_in=link_in, actor=cli_actor())
        view = service.report(session=session, incident=incident, as_of=as_of_time(as_of))
    if json_output:
        emit_json(view)
        return
    typer.echo(f"Incident {incident_id}: {len(view.cases)} cases, zones {', '.join(view.zones) or '-'}, "
               f"{len(view.tasks)} tasks.")


@incidents_app.command("status")
def change_status(
    incident_id: IncidentId,
    status: Annotated[str, typer.Argument(help="controlling, contained or extinguished")],
    note: Annotated[str | None, typer.Option(help="why, for the timeline")] = None,
    at: Annotated[str | None, typer.Option("--at", help="when (default now)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Move the incident along its life: opened → controlling → contained → extinguished."""
    from ringfence.incidents import service
    from ringfence.incidents.schemas import IncidentRead, StatusChange

    change = parse_input(StatusChange, status=status, note=note)
    with unit_of_work() as session:
        incident = _get(session, incident_id)
        record = IncidentRead.model_validate(service.change_status(
            session=session, incident=incident, status=change.status, actor=cli_actor(), note=change.note,
            at=as_of_time(at)))
    emit(record, json_output, f"Incident {incident_id} is {record.status.value}.")


@incidents_app.command("list")
def list_incidents(area: AreaOption = None, json_output: JsonFlag = False) -> None:
    """Incidents, newest first."""
    from ringfence.incidents import service
    from ringfence.incidents.schemas import IncidentRead

    with unit_of_work() as session:
        rows, _ = service.get_all(session=session, scope=shell_scope(session, area), size=1_000_000)
        items = [IncidentRead.model_validate(i).model_dump(mode="json") for i in rows]
    if json_output:
        emit_json({"incidents": items})
        return
    for i in items:
        typer.echo(f"{i['incident_id']:>4} {i['name']:<30} {i['area_id']:<10} {i['status']}")


@incidents_app.command("show")
def show(
    incident_id: IncidentId,
    as_of: Annotated[str | None, typer.Option("--as-of", help="judge overdue tasks as of this time")] = None,
    json_output: JsonFlag = False,
) -> None:
    """The incident's report: team, cases, zones, tasks and timeline."""
    from ringfence.incidents import service

    with unit_of_work() as session:
        view = service.report(session=session, incident=_get(session, incident_id), as_of=as_of_time(as_of))
    if json_output:
        emit_json(view)
        return
    typer.echo(f"{view.name} ({view.area_id}) {view.status.value}; lead {view.lead or '-'}; {len(view.cases)} cases, "
               f"{view.open_tasks} open tasks ({view.overdue_tasks} overdue), zones: {', '.join(view.zones) or '-'}")
