"""Load a protocol by id (bundled) or by path (a user's own file)."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from ringfence.core.errors import InvalidInput
from ringfence.protocols.models import Protocol


def bundled_ids() -> list[str]:
    folder = resources.files("ringfence.protocols")
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def _read(id_or_path: str) -> tuple[str, str]:
    path = Path(id_or_path)
    if path.suffix == ".toml" and path.exists():
        return str(path), path.read_text(encoding="utf-8")
    resource = resources.files("ringfence.protocols") / f"{id_or_path}.toml"
    if not resource.is_file():
        known = ", ".join(bundled_ids())
        raise InvalidInput(f"unknown protocol {id_or_path!r} (bundled: {known}; or give a .toml path)")
    return id_or_path, resource.read_text(encoding="utf-8")


def parse(text: str, *, source: str = "<protocol>") -> Protocol:
    """Validate protocol TOML; a bad file is refused naming the key that is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source}: not valid TOML: {exc}") from None
    try:
        return Protocol.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InvalidInput(f"{source}: bad protocol key {key}: {first['msg']}") from None


def load(id_or_path: str) -> Protocol:
    source, text = _read(id_or_path)
    return parse(text, source=source)
