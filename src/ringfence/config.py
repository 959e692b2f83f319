"""Settings from the environment (RINGFENCE_*) and the data home's settings file.

Nothing here touches the disk or the network at import time; `get_settings()` reads lazily.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SETTINGS_FILE = "settings.json"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RINGFENCE_", extra="ignore")

    home: Path = Field(default=Path(".ringfence"), description="data home: database, event log, settings")
    database_url: str | None = Field(default=None, description="relational store; SQLite in the home if unset")
    event_engine: Literal["duckdb", "spark"] = "duckdb"
    timezone: str = "Asia/Shanghai"
    protocol: str = "covid19-cn-9"
    secret_key: str | None = Field(default=None, description="signs web sessions; generated into the home if unset")
    session_https_only: bool = Field(default=False, description="send the web session cookie over HTTPS only")
    auto_approve_zones: bool = False
    tile_url: str | None = None

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'ringfence.db').resolve()}"

    @property
    def events_dir(self) -> Path:
        return self.home / "events"

    @property
    def rejects_dir(self) -> Path:
        return self.home / "rejects"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _home_file_values(home: Path) -> dict:
    path = home / SETTINGS_FILE
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The environment wins; values the data home stored at `init` (protocol, secret) fill the rest."""
    env = Settings()
    stored = _home_file_values(env.home)
    explicit = env.model_dump(exclude_unset=True)
    return Settings(**{**stored, **explicit})


def save_home_settings(settings: Settings, **values: object) -> None:
    """Persist `values` (e.g. protocol, secret_key) in the data home for later commands."""
    settings.home.mkdir(parents=True, exist_ok=True)
    stored = _home_file_values(settings.home)
    stored.update(values)
    path = settings.home / SETTINGS_FILE
    path.write_text(json.dumps(stored, indent=2, sort_keys=True), encoding="utf-8")
    path.chmod(0o600)
    get_settings.cache_clear()
