"""`ringfence inspections …`: inspections of places, findings to rectify and gaps found again and again."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.tasks.cli import AreaOption, as_of_time, shell_scope
from ringfence.terminal import cli_actor, emit, emit_json, parse_input, unit_of_work

inspections_app = typer.Typer(help="Supervision inspections, findings and their rectification.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
RectifyBy = Annotated[str | None, typer.Option("--rectify-by", help="the rectification deadline (ISO time)")]
Department = Annotated[str | None, typer.Option(help="the responsible department")]
Unit = Annotated[str | None, typer.Option(help="the responsible unit")]
Person = Annotated[str | None, typer.Option(help="the responsible person")]
# a numbered record: within the store's integer range, so no id reaches the database as an overflow
InspectionId = Annotated[int, typer.Argument(min=1, max=2_147_483_647, help="the inspection")]
FindingId = Annotated[int, typer.Argument(min=1, max=2_147_483_647, help="the finding")]


def _finding(*, category: str, description: str, rectify_by: str | None, department: str | None, unit: str | None,
             person: str | None):
    from ringfence.core.errors import InvalidInput
    from ringfence.supervision.schemas import FindingCreate

    if rectify_by is None:
        raise InvalidInput("a finding needs its rectification deadline: --rectify-by")
    return parse_input(FindingCreate, category=category, description=description, department=department, unit=unit,
                       person=person, rectify_by=as_of_time(rectify_by))


def _inspection_line(record) -> str:
    return (f"Inspection {record.inspection_id}: {record.place_kind.value} {record.place_id} ({record.area_id}) "
            f"by {record.team}/{record.inspector} at {record.inspected_at.isoformat()}, {len(record.findings)} findings")


@inspections_app.command("add")
def add(
    place_kind: Annotated[str, typer.Argument(help="sealed_building, isolation_site, venue, enterprise, …")],
    place_id: Annotated[str, typer.Argument(help="the inspected place's id")],
    area: Annotated[str, typer.Option("--area", help="the area the place stands in")],
    team: Annotated[str, typer.Option(help="the inspection team")],
    inspector: Annotated[str, typer.Option(help="who inspected")],
    at: Annotated[str | None, typer.Option("--at", help="when (default now)")] = None,
    notes: Annotated[str | None, typer.Option(help="what the team noted")] = None,
    finding: Annotated[list[str] | None, typer.Option(
        "--finding", help="a gap found, CATEGORY:DESCRIPTION (repeat); all share the options below")] = None,
    rectify_by: RectifyBy = None,
    department: Department = None,
    unit: Unit = None,
    person: Person = None,
    json_output: JsonFlag = False,
) -> None:
    """Record an inspection of a place, with its findings and their rectification deadline."""
    from ringfence.core.errors import InvalidInput
    from ringfence.supervision import service
    from ringfence.supervision.schemas import InspectionCreate

    findings = []
    for text in finding or []:
        category, colon, description = text.partition(":")
        if not colon:
            raise InvalidInput(f"--finding takes CATEGORY:DESCRIPTION, e.g. unsealed_exit:back door open (not {text!r})")
        findings.append(_finding(category=category.strip(), description=description.strip(), rectify_by=rectify_by,
                                 department=department, unit=unit, person=person))
    inspection_in = parse_input(
        InspectionCreate, place_kind=place_kind, place_id=place_id, area_id=area, team=team, inspector=inspector,
        inspected_at=as_of_time(at), notes=notes, findings=findings,
    )
    with unit_of_work() as session:
        inspection = service.record(session=session, scope=shell_scope(session, None), inspection_in=inspection_in,
                                    actor=cli_actor())
        record = service.read(session=session, inspection=inspection)
    emit(record, json_output, _inspection_line(record))


@inspections_app.command("add-finding")
def add_finding(
    inspection_id: InspectionId,
    category: Annotated[str, typer.Argument(help="the kind of gap, e.g. unsealed_exit")],
    description: Annotated[str, typer.Argument(help="what was found")],
    rectify_by: RectifyBy = None,
    department: Department = None,
    unit: Unit = None,
    person: Person = None,
    json_output: JsonFlag = False,
) -> None:
    """Record another finding of an inspection, with its rectification deadline and task."""
    from ringfence.supervision import service
    from ringfence.supervision.schemas import FindingRead

    finding_in = _finding(category=category, description=description, rectify_by=rectify_by, department=department,
                          unit=unit, person=person)
    with unit_of_work() as session:
        inspection = service.get(session=session, scope=shell_scope(session, None), inspection_id=inspection_id)
        record = FindingRead.model_validate(service.add_finding(session=session, inspection=inspection,
                                                                finding_in=finding_in, actor=cli_actor()))
    emit(record, json_output, f"Finding {record.finding_id} ({record.category}) to rectify by {record.rectify_by.isoformat()}.")


@inspections_app.command("list")
def list_inspections(area: AreaOption = None, json_output: JsonFlag = False) -> None:
    """Inspections with their findings, newest first."""
    from ringfence.supervision import service

    with unit_of_work() as session:
        rows, _ = service.get_all(session=session, scope=shell_scope(session, area), size=1_000_000)
        records = [service.read(session=session, inspection=i) for i in rows]
    if json_output:
        emit_json({"inspections": [r.model_dump(mode="json") for r in records]})
        return
    if not records:
        typer.echo("No inspections.")
    for record in records:
        typer.echo(_inspection_line(record))


@inspections_app.command("show")
def show(inspection_id: InspectionId, json_output: JsonFlag = False) -> None:
    """An inspection and its findings."""
    from ringfence.supervision import service

    with unit_of_work() as session:
        inspection = service.get(session=session, scope=shell_scope(session, None), inspection_id=inspection_id)
        record = service.read(session=session, inspection=inspection)
    if json_output:
        emit_json(record)
        return
    typer.echo(_inspection_line(record))
    for f in record.findings:
        typer.echo(f"  {f.finding_id:>5} {f.category:<24} by {f.rectify_by.isoformat()} {f.status.value}")


@inspections_app.command("findings")
def findings(
    overdue: Annotated[bool, typer.Option("--overdue", help="only those not rectified by their deadline")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="judge overdue as of this time")] = None,
    area: AreaOption = None,
    json_output: JsonFlag = False,
) -> None:
    """Findings by rectification deadline."""
    from ringfence.supervision import service
    from ringfence.supervision.schemas import FindingFilter, FindingRead

    with unit_of_work() as session:
        rows, _ = service.get_findings(session=session, scope=shell_scope(session, area),
                                       filters=FindingFilter(overdue=overdue), as_of=as_of_time(as_of), size=1_000_000)
        items = [FindingRead.model_validate(f).model_dump(mode="json") for f in rows]
    if json_output:
        emit_json({"findings": items})
        return
    for f in items:
        typer.echo(f"{f['finding_id']:>5} {f['category']:<24} by {f['rectify_by']} {f['status']}")


@inspections_app.command("close")
def close(
    finding_id: FindingId,
    note: Annotated[str, typer.Option(help="what was done")],
    json_output: JsonFlag = False,
) -> None:
    """Record a finding's rectification."""
    from ringfence.supervision import service
    from ringfence.supervision.schemas import FindingClose, FindingRead

    closure = parse_input(FindingClose, note=note)
    with unit_of_work() as session:
        finding = service.get_finding(session=session, scope=shell_scope(session, None), finding_id=finding_id)
        record = FindingRead.model_validate(service.close(session=session, finding=finding, note=closure.note,
                                                          actor=cli_actor(), origin="cli"))
    emit(record, json_output, f"Finding {finding_id} rectified.")


@inspections_app.command("repeated")
def repeated(area: AreaOption = None, json_output: JsonFlag = False) -> None:
    """The same gap found again under the same responsible party."""
    from ringfence.supervision import service

    with unit_of_work() as session:
        rows = service.repeated_findings(session=session, scope=shell_scope(session, area))
    if json_output:
        emit_json({"repeated": [r.model_dump(mode="json") for r in rows]})
        return
    for r in rows:
        typer.echo(f"{r.party:<30} {r.category:<24} {r.count}")
