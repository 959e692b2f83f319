"""The economy section's forms without a browser, on SQLite and PostgreSQL: inspections with findings and
their rectification, help tickets reported, assigned, answered and closed — permissions, jurisdiction,
CSRF, and a refused form shown again with each problem by its field."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.web import world
from tests.web.test_pages import EN, HTMX, log_in

from ringfence.api.app import create_app
from ringfence.core import clock


@pytest.fixture
def city(settings, engine, session, tmp_path):
    """The web world, plus an enterprise in each district, its user, and a community user of district A."""
    from ringfence.auth import service as auth_service
    from ringfence.auth.rules import Role
    from ringfence.auth.schemas import UserCreate

    built = world.build(session, settings, tmp_path / "feeds")
    world.feed(settings, tmp_path / "feeds", "enterprises", [
        {"enterprise_id": "ea", "name": "Alpha Works", "building_id": "ba1", "industry": "electronics",
         "whitelisted": "true", "closed_loop": "true"},
        {"enterprise_id": "eb", "name": "Bravo Foods", "building_id": "bb1", "industry": "cold_chain",
         "whitelisted": "false", "closed_loop": "false"},
    ])
    for username, role, area, unit in (("firm_a", Role.enterprise, None, "ea"), ("comm_a", Role.community, "ka1", None)):
        auth_service.create(session=session, user_in=UserCreate(username=username, role=role, area_id=area, unit_id=unit,
                                                                 password=world.PASSWORD), actor="world")
    session.commit()
    return built


@pytest.fixture
def client(city, settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def typed(at, settings) -> str:
    """A time as a datetime-local field holds it (the city's zone, no offset)."""
    return at.astimezone(settings.tz).strftime("%Y-%m-%dT%H:%M")


def inspection_form(token: str, settings, **changes) -> dict:
    now = clock.now()
    form = {"csrf_token": token, "slots": "1", "place_kind": "sealed_building", "place_id": "ba1", "area_id": "ka1",
            "team": "team 2", "inspector": "gao", "inspected_at": typed(now - timedelta(hours=1), settings),
            "notes": "", "finding-0-category": "unsealed_exit", "finding-0-description": "the back door is open",
            "finding-0-department": "territorial", "finding-0-unit": "community_committee", "finding-0-person": "",
            "finding-0-rectify_by": typed(now + timedelta(hours=12), settings)}
    return form | changes


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_a_district_records_an_inspection_and_its_finding_gets_a_rectification_task(client, session, settings) -> None:
    from ringfence.supervision.models import Finding, Inspection
    from ringfence.tasks.models import Task, TaskKind

    token = log_in(client, "dist_a")
    page = client.get("/inspections", headers=EN).text
    assert '<label for="i-place_id">' in page and "<legend>" in page
    response = client.post("/inspections", data=inspection_form(token, settings), headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert 'id="inspection-recorded"' in response.text and "the back door is open" in response.text
    [finding] = session.scalars(select(Finding)).all()
    task = session.get(Task, finding.task_id)
    assert task.kind is TaskKind.rectification and task.area_id == "ka1" and task.department == "territorial"
    assert count(session, Inspection) == 1


def test_a_refused_inspection_comes_back_422_with_each_problem_by_its_field_and_nothing_written(
    client, session, settings
) -> None:
    from ringfence.supervision.models import Inspection

    token = log_in(client, "dist_a")
    now = clock.now()
    form = inspection_form(token, settings, place_id="", area_id="kb1", **{
        "finding-0-category": "Back Door", "finding-0-rectify_by": typed(now - timedelta(hours=3), settings)})
    response = client.post("/inspections", data=form, headers=HTMX)
    assert response.status_code == 422
    text = response.text
    for field in ("place_id", "area_id", "finding-0-category", "finding-0-rectify_by"):
        assert re.search(rf'id="i-{field}"[^>]*aria-invalid="true"', text), field
        assert f'aria-describedby="i-{field}-error"' in text or f'i-{field}-hint i-{field}-error' in text, field
        assert f'id="i-{field}-error"' in text, field
    assert "There is no such area in your jurisdiction." in text
    assert "The deadline must come after the inspection." in text and "Use lower-case letters" in text
    assert 'value="the back door is open"' not in text and "the back door is open</textarea>" in text  # kept as typed
    assert count(session, Inspection) == 0


def test_add_another_finding_shows_one_more_fieldset_and_records_nothing(client, session, settings) -> None:
    from ringfence.supervision.models import Inspection

    token = log_in(client, "dist_a")
    response = client.post("/inspections", data=inspection_form(token, settings, more="1"), headers=HTMX)
    assert response.status_code == 200
    assert 'id="i-finding-1-category"' in response.text and 'value="unsealed_exit"' in response.text
    assert count(session, Inspection) == 0


def test_who_may_record_an_inspection(client, settings) -> None:
    token = log_in(client, "hq")  # headquarters reads inspections, its teams are the districts'
    assert client.get("/inspections", headers=EN).status_code == 200
    assert 'id="inspection-form"' not in client.get("/inspections", headers=EN).text
    assert client.post("/inspections", data=inspection_form(token, settings), headers=HTMX).status_code == 403
    log_in(client, "firm_a")
    assert client.get("/inspections", headers=EN).status_code == 403


def test_forms_without_the_csrf_token_are_refused_and_write_nothing(client, session, settings) -> None:
    from ringfence.enterprises.models import HelpTicket
    from ringfence.supervision.models import Inspection

    log_in(client, "dist_a")
    refused = client.post("/inspections", data=inspection_form("forged", settings), headers=EN)
    assert refused.status_code == 403 and "Your form expired" in refused.text
    assert count(session, Inspection) == 0
    log_in(client, "firm_a")
    refused = client.post("/enterprises/tickets", headers=HTMX,
                          data={"enterprise_id": "ea", "category": "logistics", "description": "trucks held"})
    assert refused.status_code == 403 and count(session, HelpTicket) == 0


def record_finding(session, area_id: str = "ka1") -> int:
    """An inspection of district A with one open finding, through the service; its finding id."""
    from ringfence.auth.rules import Role, Scope
    from ringfence.supervision import service as supervision
    from ringfence.supervision.schemas import FindingCreate, InspectionCreate

    now = clock.now()
    scope = Scope(actor="world", role=Role.district, subtree="/zz/da/")
    inspection = supervision.record(session=session, scope=scope, actor="world", inspection_in=InspectionCreate(
        place_kind="checkpoint", place_id="gate 3", area_id=area_id, team="team 1", inspector="li",
        inspected_at=now - timedelta(hours=2),
        findings=[FindingCreate(category="no_scan", description="no venue code", rectify_by=now + timedelta(hours=6))]))
    session.commit()
    return supervision.findings_of(session=session, inspection=inspection)[0].finding_id


def test_the_community_closes_a_finding_in_place_and_another_district_cannot_see_it(client, session) -> None:
    from ringfence.supervision.models import Finding, FindingStatus

    finding_id = record_finding(session)
    url = f"/inspections/findings/{finding_id}/close"
    token = log_in(client, "dist_b")
    assert client.post(url, data={"note": "done", "csrf_token": token}, headers=HTMX).status_code == 404
    assert client.post(url, data={"note": "done", "csrf_token": token}, headers=EN).status_code == 404
    token = log_in(client, "comm_a")
    empty = client.post(url, data={"note": "  ", "csrf_token": token}, headers=HTMX)
    assert empty.status_code == 422 and f'id="finding-{finding_id}"' in empty.text and 'aria-invalid="true"' in empty.text
    closed = client.post(url, data={"note": "a guard at the gate", "csrf_token": token}, headers=HTMX)
    assert closed.status_code == 200 and closed.text.lstrip().startswith("<li") and 'data-status="rectified"' in closed.text
    session.expire_all()
    assert session.get(Finding, finding_id).status is FindingStatus.rectified
    again = client.post(url, data={"note": "twice", "csrf_token": token}, headers=HTMX)
    assert again.status_code == 409
    log_in(client, "hq")  # reads inspections, does not rectify
    assert client.post(url, data={"note": "x", "csrf_token": token}, headers=HTMX).status_code == 403


def test_an_enterprise_files_a_ticket_a_district_assigns_and_answers_it_and_the_enterprise_closes_it(
    client, session
) -> None:
    from ringfence.enterprises.models import HelpTicket, TicketStatus

    token = log_in(client, "firm_a")
    page = client.get("/enterprises", headers=EN).text
    assert '<label for="t-description">' in page and "Bravo Foods" not in page
    empty = client.post("/enterprises/tickets", headers=HTMX,
                        data={"enterprise_id": "ea", "category": "", "description": "", "csrf_token": token})
    assert empty.status_code == 422
    assert re.search(r'id="t-category"[^>]*aria-invalid="true"', empty.text)
    assert re.search(r'id="t-description"[^>]*aria-invalid="true"', empty.text)
    other = client.post("/enterprises/tickets", headers=HTMX,
                        data={"enterprise_id": "eb", "category": "logistics", "description": "x", "csrf_token": token})
    assert other.status_code == 422 and "There is no such enterprise in your jurisdiction." in other.text
    filed = client.post("/enterprises/tickets", headers=HTMX, data={
        "enterprise_id": "ea", "category": "staff_stuck", "description": "20 staff held in a sealed building",
        "csrf_token": token})
    assert filed.status_code == 200 and 'id="ticket-reported"' in filed.text
    ticket = session.scalars(select(HelpTicket)).one()
    row = f"/enterprises/tickets/{ticket.ticket_id}"

    token = log_in(client, "dist_b")  # the ticket is district A's
    assert client.post(f"{row}/assign", data={"assignee": "dist_b", "csrf_token": token}, headers=HTMX).status_code == 404
    token = log_in(client, "hq")
    assert client.post(f"{row}/assign", data={"assignee": "hq", "csrf_token": token}, headers=HTMX).status_code == 403
    token = log_in(client, "dist_a")
    unknown = client.post(f"{row}/assign", data={"assignee": "nobody", "csrf_token": token}, headers=HTMX)
    assert unknown.status_code == 422 and "No active user has this username." in unknown.text
    assert re.search(rf'id="ticket-{ticket.ticket_id}-assignee"[^>]*aria-invalid="true"', unknown.text)
    assigned = client.post(f"{row}/assign", data={"assignee": "comm_a", "csrf_token": token}, headers=HTMX)
    assert assigned.status_code == 200 and assigned.text.lstrip().startswith("<tr") and 'data-status="assigned"' in assigned.text
    answered = client.post(f"{row}/answer", data={"answer": "a pass for the shuttle bus", "csrf_token": token},
                           headers=HTMX)
    assert answered.status_code == 200 and 'data-status="answered"' in answered.text
    assert client.post(f"{row}/close", data={"csrf_token": token}, headers=HTMX).status_code == 403

    token = log_in(client, "firm_a")
    closed = client.post(f"{row}/close", data={"csrf_token": token}, headers=HTMX)
    assert closed.status_code == 200 and 'data-status="closed"' in closed.text
    session.expire_all()
    ticket = session.get(HelpTicket, ticket.ticket_id)
    assert (ticket.status, ticket.assignee, ticket.answer) == (TicketStatus.closed, "comm_a", "a pass for the shuttle bus")
    assert client.post(f"{row}/close", data={"csrf_token": token}, headers=HTMX).status_code == 409


def test_every_word_of_the_new_forms_has_its_chinese_and_english() -> None:
    from importlib import resources

    from babel.messages.pofile import read_po

    web = resources.files("ringfence.web")
    sources = [web / "templates" / "sections" / name for name in (
        "inspections.html", "inspections_body.html", "inspections_form.html", "inspections_finding.html",
        "enterprises.html", "enterprises_body.html", "enterprises_tickets.html", "enterprises_ticket_row.html",
        "economy_fields.html", "dashboard_situation.html")]
    sources += [web / "sections" / name for name in ("economy.py", "economy_inspections.py", "economy_forms.py")]
    msgids = set()
    for source in sources:
        text = source.read_text(encoding="utf-8")
        msgids |= set(re.findall(r'_\("([^"]+)"\)', text)) | set(re.findall(r"_\('([^']+)'\)", text))
    assert len(msgids) > 50
    # the choices' labels are looked up by key: every place kind, ticket category and protocol department
    from ringfence.enterprises.models import TicketCategory
    from ringfence.protocols import service as protocols
    from ringfence.supervision.models import PlaceKind

    responsibility = protocols.load("covid19-cn-9").responsibility
    departments = {responsibility.default_department, *(p.department for p in responsibility.by_kind.values())}
    msgids |= {f"place.{k.value}" for k in PlaceKind} | {f"ticket.{c.value}" for c in TicketCategory}
    msgids |= {f"department.{d}" for d in departments}
    for language in ("zh_CN", "en"):
        with (web / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalog = read_po(po)
        assert sorted(m for m in msgids if m not in catalog or not catalog[m].string) == [], language
