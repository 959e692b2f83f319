"""The daily work of an isolation site and a district's warehouse in a real browser: placing a contact through
the form and seeing the room fill, the waiting list when the site is full, a release from the keyboard, and a
stock movement refused then recorded (in Chinese). Screenshots land in test-artifacts/."""

from __future__ import annotations

import pytest
from tests.web import daily_work
from tests.web.conftest import LAPTOP, screenshot
from tests.web.world import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def staffed(site):
    """The module's city with the isolation managers and the warehouses of `daily_work`."""
    from ringfence.bootstrap import engine as store_engine
    from ringfence.core.db import session_factory

    with session_factory(store_engine(site.world.settings))() as session:
        daily_work.add_isolation_managers(session)
        daily_work.add_warehouses(session)
    return site


def signed_in(browser, site, username: str, path: str, *, locale: str = "en-GB"):
    page = browser.new_context(viewport=LAPTOP, locale=locale).new_page()
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{site.url}/")
    page.goto(f"{site.url}{path}")
    return page


def test_a_site_manager_places_a_contact_through_the_form_and_sees_the_room_fill(browser, staffed) -> None:
    page = signed_in(browser, staffed, "iso_f1", "/isolation")
    assert page.inner_text("[data-figure=occupied]") == "0"
    assert page.get_attribute("tr[data-room=r3]", "data-occupied") == "0"
    page.fill("#place-person_id", "nobody")
    page.press("#place-person_id", "Enter")  # the keyboard submits the form
    page.wait_for_selector("#place-errors")
    assert "no such person in the register" in page.inner_text("#place-errors")
    assert page.get_attribute("#place-person_id", "aria-invalid") == "true"
    screenshot(page, "isolation-place-refused-1366x768")
    page.fill("#place-person_id", "p20")
    page.select_option("#place-room_id", "r3")
    page.click("#place-submit")
    page.wait_for_selector("#rooms-notice")
    assert "p20 placed in room r3" in page.inner_text("#rooms-notice")
    assert page.get_attribute("tr[data-room=r3]", "data-occupied") == "1"
    assert "p20" in page.inner_text("tr[data-room=r3]")
    assert page.inner_text("[data-figure=occupied]") == "1"  # the figures follow, out of band
    screenshot(page, "isolation-placed-1366x768")
    reason = page.locator("tr[data-room=r3] input[name=reason]")
    reason.fill("moved to hospital")
    reason.press("Enter")
    page.wait_for_function("document.querySelector('#rooms-notice')?.innerText.includes('released')")
    assert page.get_attribute("tr[data-room=r3]", "data-occupied") == "0"
    assert page.inner_text("[data-figure=occupied]") == "0"
    page.context.close()


def test_a_full_site_sends_the_next_contact_to_its_waiting_list(browser, staffed) -> None:
    page = signed_in(browser, staffed, "iso_f2", "/isolation")
    for person in ("p21", "p22"):
        page.fill("#place-person_id", person)
        page.click("#place-submit")
        page.wait_for_function(f"document.querySelector('#rooms-notice')?.innerText.includes('{person}')")
    assert "p22 is on the waiting list" in page.inner_text("#rooms-notice")
    assert "p22" in page.inner_text("#waiting-rows") and page.inner_text("[data-figure=waiting]") == "1"
    screenshot(page, "isolation-waiting-list-1366x768")
    page.click("#waiting-rows button:has-text('Remove from the waiting list')")
    page.wait_for_selector("#waiting-rows [role=status]")
    assert "p22 is off the waiting list." in page.inner_text("#waiting-rows")
    assert page.inner_text("[data-figure=waiting]") == "0"
    page.context.close()


def test_a_district_records_an_issue_after_being_told_the_stock_is_short(browser, staffed) -> None:
    page = signed_in(browser, staffed, "dist_a", "/supplies", locale="zh-CN")
    assert "出入库类型" in page.inner_text("#movement-form legend")
    page.click("label[for=movement-kind-issue]")
    page.select_option("#movement-warehouse_id", "wa")
    page.select_option("#movement-item_id", "rice_kg")
    page.fill("#movement-quantity", "150")
    page.click("#movement-submit")
    page.wait_for_selector("#movement-errors")
    assert "超过库存" in page.inner_text("#movement-errors")
    assert page.get_attribute("#movement-quantity", "aria-invalid") == "true"
    screenshot(page, "supplies-refused-zh-1366x768")
    page.fill("#movement-quantity", "30")
    page.click("#movement-submit")
    page.wait_for_selector("#movement-recorded")
    assert page.inner_text("tr[data-warehouse=wa][data-item=rice_kg] td.num") == "70"
    screenshot(page, "supplies-recorded-zh-1366x768")
    page.context.close()
