"""`ringfence inspections …`: findings to rectify and gaps found again and again."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.tasks.cli import AreaOption, as_of_time, shell_scope
from ringfence.terminal import cli_actor, emit_json, unit_of_work

inspections_app = typer.Typer(help="Supervision inspections, findings and their rectification.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]


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
    finding_id: Annotated[int, typer.Argument(help="the finding")],
    note: Annotated[str, typer.Option(help="what was done")],
    json_output: JsonFlag = False,
) -> None:
    """Record a finding's rectification."""
    from ringfence.supervision import service
    from ringfence.supervision.schemas import FindingRead

    with unit_of_work() as session:
        finding = service.get_finding(session=session, scope=shell_scope(session, None), finding_id=finding_id)
        record = FindingRead.model_validate(service.close(session=session, finding=finding, note=note,
                                                          actor=cli_actor()))
    if json_output:
        emit_json(record)
        return
    typer.echo(f"Finding {finding_id} rectified.")


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
