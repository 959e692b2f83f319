"""`ringfence requests …`: co-investigation requests (协查) and their deadlines."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.tasks.cli import AreaOption, as_of_time, shell_scope
from ringfence.terminal import emit_json, unit_of_work

requests_app = typer.Typer(help="Co-investigation requests to and from other jurisdictions.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]


@requests_app.command("list")
def list_requests(
    overdue: Annotated[bool, typer.Option("--overdue", help="only those past a deadline")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="judge deadlines as of this time")] = None,
    area: AreaOption = None,
    json_output: JsonFlag = False,
) -> None:
    """Requests by answer deadline, with the deadlines each has missed."""
    from ringfence.coinvestigation import service
    from ringfence.coinvestigation.schemas import RequestFilter

    at = as_of_time(as_of)
    with unit_of_work() as session:
        rows, _ = service.get_all(session=session, scope=shell_scope(session, area),
                                  filters=RequestFilter(overdue=overdue), as_of=at, size=1_000_000)
        items = [service.read(r, as_of=at).model_dump(mode="json") for r in rows]
    if json_output:
        emit_json({"requests": items})
        return
    for r in items:
        typer.echo(f"{r['request_id']:>5} {r['direction']:<9} {r['counterpart']:<20} {r['subject_ref']:<14} "
                   f"answer by {r['answer_due']} {r['status']} {' '.join(r['missed'])}")
