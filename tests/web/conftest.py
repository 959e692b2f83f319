"""Browser-test fixtures: one small city per module, served by uvicorn on a free loopback port, and
Debian's Chromium driven by Playwright (never `playwright install`). SQLite only: the pages are the
same on PostgreSQL, and the service tests cover both stores."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.support import CHROMIUM, require_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 768}
WALL = {"width": 3840, "height": 2160}


@dataclass
class Site:
    url: str
    world: object  # tests.web.world.World


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The world built in a store of its own, and the app serving it until the module's tests end."""
    require_chromium()
    import uvicorn
    from tests.web import world

    from ringfence.api.app import create_app
    from ringfence.bootstrap import engine as store_engine
    from ringfence.config import get_settings
    from ringfence.core.db import engine_for, session_factory

    home = tmp_path_factory.mktemp("browser-home")
    shutil.copyfile(sqlite_template, home / "ringfence.db")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RINGFENCE_HOME", str(home))
        env.setenv("RINGFENCE_DATABASE_URL", f"sqlite:///{home / 'ringfence.db'}")
        env.setenv("RINGFENCE_SECRET_KEY", "browser-test-secret-not-for-production")
        env.delenv("RINGFENCE_EVENT_ENGINE", raising=False)
        env.delenv("RINGFENCE_TILE_URL", raising=False)
        get_settings.cache_clear()
        settings = get_settings()
        engine = store_engine(settings)
        with session_factory(engine)() as session:
            built = world.build(session, settings, home / "feeds")
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        try:
            yield Site(url=f"http://127.0.0.1:{port}", world=built)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            engine.dispose()
            engine_for.cache_clear()
            get_settings.cache_clear()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def screenshot(page, name: str) -> Path:
    """Save the page as a test artifact (test-artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
