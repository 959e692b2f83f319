"""What every CLI command shares: the unit of work, the actor, printing, one-line errors."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from sqlalchemy.orm import Session

from ringfence.config import Settings, get_settings
from ringfence.core.db import transaction

console = Console(stderr=False)
errors = Console(stderr=True)

Model = TypeVar("Model", bound=BaseModel)


def cli_actor() -> str:
    """Who the audit log names for a command run at the shell."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 — no user name in some containers
        return "cli"


@contextmanager
def unit_of_work(settings: Settings | None = None) -> Iterator[Session]:
    """The CLI command is the entry point: it owns the transaction."""
    from ringfence.bootstrap import engine

    with transaction(engine(settings or get_settings())) as session:
        yield session


def emit_json(document: Any) -> None:
    """Print exactly one JSON document on stdout."""
    if isinstance(document, BaseModel):
        document = document.model_dump(mode="json")
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")


def emit(document: Any, json_output: bool, line: str) -> None:
    """A command's result: the JSON document with `--json`, else its line for people."""
    if json_output:
        emit_json(document)
    else:
        typer.echo(line)


def fail(message: str, code: int = 2) -> typer.Exit:
    """One line on stderr, then exit (2 for bad input)."""
    errors.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def show_progress(json_output: bool) -> bool:
    """Progress bars only on a terminal, never with --json."""
    return not json_output and sys.stderr.isatty()


def parse_input(model: type[Model], **values: Any) -> Model:
    """The command's input as `model`, or one line naming the first bad field (exit 2)."""
    from pydantic import ValidationError

    from ringfence.core.errors import InvalidInput

    try:
        return model(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = str(first.get("msg", "invalid")).splitlines()[0]
        raise InvalidInput(f"{where}: {message}" if where else message) from None
