"""`ringfence users …`: accounts at the shell."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from ringfence.terminal import cli_actor, emit, emit_json, fail, unit_of_work

users_app = typer.Typer(help="User accounts: roles and jurisdictions.", no_args_is_help=True)


def _one_line(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid"))


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="the user name to log in with")],
    role: Annotated[str, typer.Option(help="commander, analyst, district, subdistrict, community, lab, …")],
    area: Annotated[str | None, typer.Option(help="area id at the root of the jurisdiction")] = None,
    unit: Annotated[str | None, typer.Option(help="facility, enterprise, sentinel site or lab id")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")] = False,
) -> None:
    """Create a user; the password is read from stdin so it never appears in the shell history."""
    from ringfence.auth import service as auth_service
    from ringfence.auth.rules import Role
    from ringfence.auth.schemas import UserCreate, UserRead

    try:
        chosen_role = Role(role)
    except ValueError:
        raise fail(f"unknown role {role!r} (one of: {', '.join(r.value for r in Role)})") from None
    if not password_stdin:
        raise fail("give the password on stdin with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user_in = UserCreate(username=name, role=chosen_role, password=password, area_id=area, unit_id=unit)
    except ValidationError as exc:
        raise fail(_one_line(exc)) from None
    with unit_of_work() as session:
        user = auth_service.create(session=session, user_in=user_in, actor=cli_actor(), origin="cli")
        shown = UserRead.model_validate(user)
    emit(shown, json_output, f"Created user {shown.username} ({shown.role.value}" + (f", area {shown.area_id})" if shown.area_id else ")"))


@users_app.command("list")
def list_users(
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")] = False,
) -> None:
    """Every user with role and jurisdiction."""
    from ringfence.auth import service as auth_service
    from ringfence.auth.schemas import UserRead

    with unit_of_work() as session:
        users, _total = auth_service.get_all(session=session, page=1, size=10_000)
        shown = [UserRead.model_validate(u) for u in users]
    if json_output:
        emit_json([u.model_dump(mode="json") for u in shown])
        return
    for user in shown:
        typer.echo(f"{user.username:<24} {user.role.value:<12} {user.area_id or '(city)'}")
