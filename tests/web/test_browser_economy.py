"""The economy section's forms in a real browser: a district records an inspection (refused first, with the
problem by its field), a community rectifies the finding from the keyboard; an enterprise files a help
ticket and the district assigns it. Screenshots land in test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.web.conftest import screenshot
from tests.web.test_browser_pages import logged_in

from ringfence.core import clock

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def firms(site):
    """An enterprise in district A with its user, and a community user of district A, added to the world."""
    from tests.web import world

    from ringfence.auth import service as auth_service
    from ringfence.auth.rules import Role
    from ringfence.auth.schemas import UserCreate
    from ringfence.bootstrap import engine as store_engine
    from ringfence.core.db import session_factory

    settings = site.world.settings
    folder = settings.home / "economy-feeds"
    folder.mkdir(parents=True, exist_ok=True)
    world.feed(settings, folder, "enterprises", [{"enterprise_id": "ea", "name": "Alpha Works", "building_id": "ba1",
                                                  "industry": "electronics", "whitelisted": "true", "closed_loop": "true"}])
    with session_factory(store_engine(settings))() as session:
        for username, role, area, unit in (("firm_a", Role.enterprise, None, "ea"), ("comm_a", Role.community, "ka2", None)):
            auth_service.create(session=session, user_in=UserCreate(username=username, role=role, area_id=area,
                                                                     unit_id=unit, password=world.PASSWORD), actor="world")
        session.commit()
    return settings


def typed(at, settings) -> str:
    return at.astimezone(settings.tz).strftime("%Y-%m-%dT%H:%M")


def test_a_district_records_an_inspection_and_the_community_rectifies_it_from_the_keyboard(browser, site, firms) -> None:
    now = clock.now()
    page = logged_in(browser, site, "dist_a")
    page.goto(f"{site.url}/inspections")
    page.select_option("#i-place_kind", "checkpoint")
    page.fill("#i-place_id", "gate 7")
    page.fill("#i-area_id", "ka2")
    page.fill("#i-team", "team 3")
    page.fill("#i-finding-0-category", "no_scan")
    page.fill("#i-finding-0-description", "nobody checks the venue code")
    page.fill("#i-finding-0-rectify_by", typed(now - timedelta(hours=2), firms))  # before the inspection: refused
    page.click("#inspection-form button.primary")
    page.wait_for_selector("#i-finding-0-rectify_by[aria-invalid='true']")
    assert "The deadline must come after the inspection." in page.inner_text("#i-finding-0-rectify_by-error")
    assert page.input_value("#i-place_id") == "gate 7"  # what was typed stays
    screenshot(page, "inspection-refused-1366x768")
    page.click("#inspection-form [role=alert] a")  # the summary's link takes the keyboard to the field
    assert page.evaluate("document.activeElement.id") == "i-finding-0-rectify_by"
    page.fill("#i-finding-0-rectify_by", typed(now + timedelta(hours=20), firms))
    page.click("#inspection-form button.primary")
    page.wait_for_selector("#inspection-recorded")
    listed = page.inner_text("#inspections-list")
    assert "gate 7" in listed and "nobody checks the venue code" in listed
    screenshot(page, "inspection-recorded-1366x768")
    page.context.close()

    page = logged_in(browser, site, "comm_a")
    page.goto(f"{site.url}/inspections")
    item = page.locator("li.finding-item", has_text="nobody checks the venue code")
    item.locator("input[name=note]").focus()
    page.keyboard.type("a guard scans every visitor")
    page.keyboard.press("Enter")
    page.wait_for_selector("li.finding-item [data-status='rectified']")
    assert "a guard scans every visitor" in page.inner_text("#inspections-list")
    page.context.close()


def test_an_enterprise_files_a_help_ticket_and_the_district_assigns_it(browser, site, firms) -> None:
    page = logged_in(browser, site, "firm_a")
    page.goto(f"{site.url}/enterprises")
    page.click("#ticket-form button.primary")  # nothing filled in: each problem by its field
    page.wait_for_selector("#t-description[aria-invalid='true']")
    page.select_option("#t-category", "staff_stuck")
    page.fill("#t-description", "12 workers held in a sealed dormitory")
    page.click("#ticket-form button.primary")
    page.wait_for_selector("#ticket-reported")
    assert "12 workers held in a sealed dormitory" in page.inner_text("#tickets-list")
    page.context.close()

    page = logged_in(browser, site, "dist_a")
    page.goto(f"{site.url}/enterprises")
    row = page.locator("#tickets-list tr", has_text="12 workers held")
    row.locator("summary").click()
    row.locator("input[name=assignee]").fill("comm_a")
    row.locator("button", has_text="Assign").click()
    page.wait_for_selector("#tickets-list [data-status='assigned']")
    assert "comm_a" in page.locator("#tickets-list tr", has_text="12 workers held").inner_text()
    screenshot(page, "help-ticket-assigned-1366x768")
    page.context.close()
