"""`ringfence notifications recipients …`: who is notified at which address."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.tasks.cli import shell_scope
from ringfence.terminal import cli_actor, emit, emit_json, parse_input, unit_of_work

notifications_app = typer.Typer(help="Notifications: the recipients messages go to.", no_args_is_help=True)
recipients_app = typer.Typer(help="Recipients: a party's email addresses and phone numbers.", no_args_is_help=True)
notifications_app.add_typer(recipients_app, name="recipients")

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]


def _line(r) -> str:
    return f"{r.recipient_id:>5} {r.party:<30} {r.channel.value:<6} {r.address}"


@recipients_app.command("list")
def list_recipients(
    party: Annotated[str | None, typer.Option(help="only this party's, e.g. area:S1")] = None,
    channel: Annotated[str | None, typer.Option(help="only email or sms")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Registered addresses by party (masked, as headquarters sees them)."""
    from ringfence.notifications import service
    from ringfence.notifications.schemas import RecipientFilter, RecipientRead

    filters = parse_input(RecipientFilter, party=party, channel=channel)
    with unit_of_work() as session:
        scope = shell_scope(session, None)
        rows, _ = service.get_recipients(session=session, filters=filters, size=1_000_000)
        shown = [RecipientRead.shown_to(r, scope) for r in rows]
    if json_output:
        emit_json({"recipients": [r.model_dump(mode="json") for r in shown]})
        return
    if not shown:
        typer.echo("No recipients.")
    for r in shown:
        typer.echo(_line(r))


@recipients_app.command("add")
def add(
    party: Annotated[str, typer.Argument(help="area:<id>, user:<name>, department:<name> or enterprise:<id>")],
    channel: Annotated[str, typer.Argument(help="email or sms")],
    address: Annotated[str, typer.Argument(help="an email address, or a phone number for sms")],
    json_output: JsonFlag = False,
) -> None:
    """Register an address for a party (again is harmless)."""
    from ringfence.notifications import service
    from ringfence.notifications.schemas import RecipientCreate, RecipientRead

    recipient_in = parse_input(RecipientCreate, party=party, channel=channel, address=address)
    with unit_of_work() as session:
        recipient = service.add_recipient(session=session, party=recipient_in.party, channel=recipient_in.channel,
                                          address=recipient_in.address, actor=cli_actor(), origin="cli")
        shown = RecipientRead.shown_to(recipient, shell_scope(session, None))
    emit(shown, json_output, f"Recipient {shown.recipient_id}: {shown.party} by {shown.channel.value} at {shown.address}.")


@recipients_app.command("remove")
def remove(
    recipient_id: Annotated[int, typer.Argument(min=1, max=2_147_483_647, help="the recipient's id (see list)")],
    json_output: JsonFlag = False,
) -> None:
    """Stop sending to an address."""
    from ringfence.notifications import service
    from ringfence.notifications.schemas import RecipientRead

    with unit_of_work() as session:
        recipient = service.get_recipient(session=session, recipient_id=recipient_id)
        shown = RecipientRead.shown_to(recipient, shell_scope(session, None))
        service.remove_recipient(session=session, recipient=recipient, actor=cli_actor(), origin="cli")
    emit({"removed": shown.model_dump(mode="json")}, json_output, f"Recipient {recipient_id} removed ({shown.party} by {shown.channel.value}).")
