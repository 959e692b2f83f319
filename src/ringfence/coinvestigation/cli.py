"""`ringfence requests …`: co-investigation requests (协查) and their deadlines."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.tasks.cli import AreaOption, as_of_time, shell_scope
from ringfence.terminal import cli_actor, emit, emit_json, parse_input, unit_of_work

requests_app = typer.Typer(help="Co-investigation requests to and from other jurisdictions.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
# a numbered record: within the store's integer range, so no id reaches the database as an overflow
RequestId = Annotated[int, typer.Argument(min=1, max=2_147_483_647, help="the request")]
At = Annotated[str | None, typer.Option("--at", help="when (default now)")]


def _line(record) -> str:
    missed = f" missed: {', '.join(record.missed)}" if record.missed else ""
    return (f"Request {record.request_id} ({record.direction.value}, {record.counterpart}) about "
            f"{record.subject_kind.value} {record.subject_ref}: {record.status.value}, "
            f"answer by {record.answer_due.isoformat()}{missed}")


def _act(request_id: int, act):
    """Fetch the request in the shell's scope and apply `act(session, request)`; answers the record as shown."""
    from ringfence.coinvestigation import service

    with unit_of_work() as session:
        found = service.get(session=session, scope=shell_scope(session, None), request_id=request_id)
        return service.read(act(session, found))


@requests_app.command("send")
def send(
    direction: Annotated[str, typer.Argument(help="outgoing (we ask) or incoming (we are asked)")],
    counterpart: Annotated[str, typer.Argument(help="the other jurisdiction")],
    question: Annotated[str, typer.Option(help="what is asked")],
    person: Annotated[str | None, typer.Option(help="the person it is about")] = None,
    case: Annotated[str | None, typer.Option(help="the case it is about")] = None,
    area: Annotated[str | None, typer.Option("--area", help="our area it belongs to (default: the person's home)")] = None,
    at: At = None,
    json_output: JsonFlag = False,
) -> None:
    """Record a request sent to (outgoing) or received from (incoming) another jurisdiction, with its deadlines."""
    from ringfence.coinvestigation import service
    from ringfence.coinvestigation.schemas import RequestCreate
    from ringfence.config import get_settings
    from ringfence.core.errors import InvalidInput
    from ringfence.tasks.service import load_protocol

    if (person is None) == (case is None):
        raise InvalidInput("name what the request is about: --person or --case (one of them)")
    request_in = parse_input(
        RequestCreate, direction=direction, subject_kind="person" if person is not None else "case",
        subject_ref=person if person is not None else case, counterpart=counterpart, area_id=area, question=question,
        sent_at=as_of_time(at),
    )
    protocol = load_protocol(get_settings().protocol)
    with unit_of_work() as session:
        request = service.send(session=session, scope=shell_scope(session, None), request_in=request_in,
                               actor=cli_actor(), protocol=protocol)
        record = service.read(request)
    emit(record, json_output, _line(record))


@requests_app.command("acknowledge")
def acknowledge(request_id: RequestId, at: At = None, json_output: JsonFlag = False) -> None:
    """Acknowledge a request (by its acknowledgement deadline)."""
    from ringfence.coinvestigation import service

    when = as_of_time(at)
    record = _act(request_id, lambda session, found: service.acknowledge(session=session, request=found,
                                                                         actor=cli_actor(), at=when))
    emit(record, json_output, _line(record))


@requests_app.command("answer")
def answer(
    request_id: RequestId,
    text: Annotated[str, typer.Argument(help="the answer")],
    at: At = None,
    json_output: JsonFlag = False,
) -> None:
    """Record the answer (ours to an incoming request, theirs to an outgoing one); closes its task."""
    from ringfence.coinvestigation import service
    from ringfence.coinvestigation.schemas import RequestAnswer

    reply = parse_input(RequestAnswer, answer=text)
    when = as_of_time(at)
    record = _act(request_id, lambda session, found: service.answer(session=session, request=found, text=reply.answer,
                                                                    actor=cli_actor(), at=when, origin="cli"))
    emit(record, json_output, _line(record))


@requests_app.command("withdraw")
def withdraw(request_id: RequestId, at: At = None, json_output: JsonFlag = False) -> None:
    """Withdraw a request; an incoming one's task is cancelled."""
    from ringfence.coinvestigation import service

    when = as_of_time(at)
    record = _act(request_id, lambda session, found: service.withdraw(session=session, request=found,
                                                                      actor=cli_actor(), at=when))
    emit(record, json_output, _line(record))


@requests_app.command("show")
def show(
    request_id: RequestId,
    as_of: Annotated[str | None, typer.Option("--as-of", help="judge deadlines as of this time")] = None,
    json_output: JsonFlag = False,
) -> None:
    """A request with the deadlines it has missed."""
    from ringfence.coinvestigation import service

    with unit_of_work() as session:
        found = service.get(session=session, scope=shell_scope(session, None), request_id=request_id)
        record = service.read(found, as_of=as_of_time(as_of))
    emit(record, json_output, _line(record))


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
