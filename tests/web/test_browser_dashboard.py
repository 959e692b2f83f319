"""The dashboard in a real browser: the map's layers drawn, the charts rendered, on a laptop and a wall screen."""

from __future__ import annotations

import pytest

from tests.web.conftest import LAPTOP, WALL, screenshot
from tests.web.world import PASSWORD

pytestmark = pytest.mark.browser


def logged_in(browser, site, username: str, *, viewport=LAPTOP, locale: str = "en-GB"):  # noqa: ANN001, ANN201
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{site.url}/")
    return page


def test_the_dashboard_draws_the_map_layers_and_the_charts(browser, site) -> None:
    page = logged_in(browser, site, "hq")
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    overlay_names = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [name.strip() for name in overlay_names] == ["Areas", "Risk areas", "Active cases", "Isolation sites"]
    # two districts and the city outline, every active case, the risk areas and the hotel: all SVG paths
    drawn = page.locator("#map path.leaflet-interactive").count()
    assert drawn >= 2 + 1 + 1
    for chart in ("epidemic_curve", "rt", "sentinel"):
        page.wait_for_selector(f"#chart-{chart}[data-embedded='done'] svg", timeout=20_000)
    screenshot(page, "dashboard-commander-1366x768")
    page.context.close()
