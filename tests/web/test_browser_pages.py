"""The web app in a real browser, one role at a time: jurisdiction, imports with bad rows, the two languages,
keyboard access; screenshots of each page land in test-artifacts/."""

from __future__ import annotations

import csv
import io

import pytest
from tests.web.conftest import LAPTOP, WALL, screenshot
from tests.web.world import PASSWORD

pytestmark = pytest.mark.browser


def logged_in(browser, site, username: str, *, viewport=LAPTOP, locale: str = "en-GB"):
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{site.url}/")
    return page


def text_of(page, path: str) -> str:
    page.goto(f"{page.url.split('/', 3)[0]}//{page.url.split('/', 3)[2]}{path}")
    return page.inner_text("main")


def test_a_district_sees_its_own_people_and_tasks_only(browser, site) -> None:
    world = site.world
    for username, own_people, own_tasks, other_people, other_tasks in (
        ("dist_a", world.people_a, world.task_subjects_a, world.people_b, world.task_subjects_b),
        ("dist_b", world.people_b, world.task_subjects_b, world.people_a, world.task_subjects_a),
    ):
        page = logged_in(browser, site, username)
        cases = text_of(page, "/cases")
        assert any(name in cases for name in own_people)
        assert not any(name in cases for name in other_people)
        screenshot(page, f"cases-{username}-1366x768")
        tasks = text_of(page, "/tasks")
        assert all(subject in tasks for subject in own_tasks)
        assert not any(subject in tasks for subject in other_tasks)
        page.context.close()


def test_the_commander_sees_both_districts(browser, site) -> None:
    page = logged_in(browser, site, "hq")
    cases = text_of(page, "/cases")
    assert any(n in cases for n in site.world.people_a) and any(n in cases for n in site.world.people_b)
    tasks = text_of(page, "/tasks")
    assert all(s in tasks for s in site.world.task_subjects_a + site.world.task_subjects_b)
    page.goto(f"{site.url}/tasks")
    page.select_option("#f-view", "overdue")  # htmx swaps the list in place
    page.wait_for_function("!document.querySelector('#results').innerText.includes('p22')")
    overdue = page.inner_text("#results")
    assert "p20" in overdue and "p21" in overdue and "p23" not in overdue
    screenshot(page, "tasks-overdue-commander-1366x768")
    page.context.close()


def test_the_administrator_manages_users_but_reads_no_cases(browser, site) -> None:
    page = logged_in(browser, site, "it")
    response = page.goto(f"{site.url}/cases")
    assert response.status == 403
    users = text_of(page, "/users")
    assert all(name in users for name in ("hq", "dist_a", "dist_b", "it"))
    page.fill("#new-username", "dist_c")
    page.select_option("#new-role", "district")
    page.fill("#new-password", "short")
    page.click("#users-area button.primary")
    page.wait_for_selector("#users-area [role=alert]")
    assert "jurisdiction" in page.inner_text("#users-area [role=alert]") or "10" in page.inner_text("#users-area [role=alert]")
    screenshot(page, "users-refused-1366x768")
    audit = text_of(page, "/audit?action=user.create")
    assert "user:dist_a" in audit and "person.read" not in audit
    page.context.close()


def test_an_import_with_bad_rows_reports_them_and_offers_the_rejects(browser, site, tmp_path) -> None:
    feed = tmp_path / "buildings.csv"
    feed.write_text(
        "building_id,community_id,address,lon,lat\n"
        "bx1,ka1,5 Weilai Road,113.58,34.76\n"
        "bx2,ka2,6 Dongfeng Road,113.62,34.74\n"
        "bx3,nowhere,7 Nowhere Road,113.61,34.74\n"
        "bx4,ka1,8 Weilai Road,,34.74\n",
        encoding="utf-8",
    )
    page = logged_in(browser, site, "it")
    page.goto(f"{site.url}/imports")
    page.select_option("#kind", "buildings")
    page.set_input_files("#feed", str(feed))
    page.click("#import-area button.primary")
    page.wait_for_selector("#import-outcome")
    counts = {name: page.inner_text(f"[data-count={name}]") for name in ("rows", "accepted", "rejected")}
    assert counts == {"rows": "4", "accepted": "2", "rejected": "2"}
    screenshot(page, "import-with-rejects-1366x768")
    download = page.request.get(site.url + page.get_attribute("#rejects-link", "href"))
    assert download.status == 200 and download.headers["content-type"].startswith("text/csv")
    rejected = list(csv.DictReader(io.StringIO(download.text())))
    assert sorted(row["building_id"] for row in rejected) == ["bx3", "bx4"]
    page.context.close()


def test_switching_the_language_shows_the_glossary_terms(browser, site) -> None:
    page = logged_in(browser, site, "dist_a")
    page.goto(f"{site.url}/cases")
    page.click("main table a[href^='/cases/']")
    assert "Close contacts" in page.inner_text("main")
    page.goto(f"{site.url}/")
    assert "High risk area" in page.inner_text("main")
    page.click("button[lang=zh-CN]")
    page.wait_for_selector("html[lang=zh-CN]")
    assert "高风险区" in page.inner_text("main")
    screenshot(page, "dashboard-zh-1366x768")
    page.goto(f"{site.url}/cases")
    page.click("main table a[href^='/cases/']")
    assert "密接" in page.inner_text("main")
    page.click("button[lang=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Close contacts" in page.inner_text("main")
    page.context.close()


def test_a_chinese_browser_gets_chinese_and_the_keyboard_reaches_the_login_form(browser, site) -> None:
    context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{site.url}/")
    assert page.url == f"{site.url}/login" and page.get_attribute("html", "lang") == "zh-CN"
    assert "登录" in page.inner_text("main")
    focused = set()
    for _ in range(12):  # round the page: the skip link, the language buttons, the form
        page.keyboard.press("Tab")
        focused.add(page.evaluate("document.activeElement.id || document.activeElement.className"))
    assert {"skip-link", "username", "password"} <= focused
    page.focus("#username")
    page.keyboard.type("hq")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/")
    assert "指挥看板" in page.inner_text("h1")
    context.close()


def test_the_dashboard_fits_a_wall_screen(browser, site) -> None:
    page = logged_in(browser, site, "hq", viewport=WALL)
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    page.wait_for_selector("#chart-epidemic_curve[data-embedded='done'] svg", timeout=20_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= WALL["width"]
    screenshot(page, "dashboard-commander-3840x2160")
    page.context.close()


def test_the_dashboard_draws_the_map_layers_and_the_charts_and_drills_down(browser, site) -> None:
    page = logged_in(browser, site, "hq")
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    overlay_names = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [name.strip() for name in overlay_names] == ["Areas", "Risk areas", "Active cases", "Isolation sites"]
    # every feature of every layer is one SVG path: the city and its districts, risk areas, cases, the hotel
    drawn = page.locator("#map path.leaflet-interactive").count()
    layers = page.request.get(f"{site.url}/web/map/layers.json").json()
    expected = sum(len(layers[name]["features"]) for name in ("areas", "zones", "cases", "sites"))
    assert drawn == expected and len(layers["cases"]["features"]) == 20 and len(layers["sites"]["features"]) == 1
    for chart in ("epidemic_curve", "rt", "sentinel"):
        page.wait_for_selector(f"#chart-{chart}[data-embedded='done'] svg", timeout=20_000)
    screenshot(page, "dashboard-commander-1366x768")
    page.click(".drilldown a:text('Erqi')")
    page.wait_for_url(f"{site.url}/?area=db")
    page.wait_for_selector("#map[data-ready='true']", timeout=20_000)
    assert "Jianzhong" in page.inner_text(".drilldown") and "Fengchan" not in page.inner_text(".drilldown")
    page.context.close()
