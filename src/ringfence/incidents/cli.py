"""`ringfence incidents …`: outbreak points and the report a district gives at the headquarters meeting."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.tasks.cli import AreaOption, as_of_time, shell_scope
from ringfence.terminal import emit_json, unit_of_work

incidents_app = typer.Typer(help="Incidents (燃点): handling teams, cases, zones, tasks.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]


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
    incident_id: Annotated[int, typer.Argument(help="the incident")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="judge overdue tasks as of this time")] = None,
    json_output: JsonFlag = False,
) -> None:
    """The incident's report: team, cases, zones, tasks and timeline."""
    from ringfence.incidents import service

    with unit_of_work() as session:
        incident = service.get(session=session, scope=shell_scope(session, None), incident_id=incident_id)
        view = service.report(session=session, incident=incident, as_of=as_of_time(as_of))
    if json_output:
        emit_json(view)
        return
    typer.echo(f"{view.name} ({view.area_id}) {view.status.value}; lead {view.lead or '-'}; {len(view.cases)} cases, "
               f"{view.open_tasks} open tasks ({view.overdue_tasks} overdue), zones: {', '.join(view.zones) or '-'}")
