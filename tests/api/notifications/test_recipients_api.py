"""`/api/notifications/recipients`: IT and headquarters keep the address book; addresses masked, writes audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ringfence.core.audit import AuditEntry
from ringfence.notifications.models import Recipient

URL = "/api/notifications/recipients"


def add(world, who: str | None, **body):
    return world.client.post(URL, headers=world.headers(who), json=body)


def test_the_admin_adds_lists_and_removes_recipients_shown_masked(world, session) -> None:
    created = add(world, "admin", party="area:S1", channel="sms", address="138 1234 5678")
    assert created.status_code == 201
    recipient = created.json()
    assert (recipient["party"], recipient["channel"], recipient["address"]) == ("area:S1", "sms", "138****5678")
    assert add(world, "commander", party="area:S1", channel="email", address="duty@s1.example.org").status_code == 201

    body = world.get(URL, "commander").json()
    assert body["total"] == 2
    assert [(r["channel"], r["address"]) for r in body["items"]] == [("email", "d***@s1.example.org"),
                                                                    ("sms", "138****5678")]
    assert [r["channel"] for r in world.get(URL, "admin", channel="sms").json()["items"]] == ["sms"]
    assert world.get(URL, "admin", party="area:S2").json()["total"] == 0

    removed = world.client.delete(f"{URL}/{recipient['recipient_id']}", headers=world.headers("admin"))
    assert removed.status_code == 204
    assert [r["channel"] for r in world.get(URL, "admin").json()["items"]] == ["email"]
    session.expire_all()
    assert sorted(r.address for r in session.scalars(select(Recipient))) == ["duty@s1.example.org"]
    audited = [(e.user, e.action, e.origin) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
               if e.action.startswith("recipient.")]
    assert audited == [("admin", "recipient.add", "testclient"), ("commander", "recipient.add", "testclient"),
                       ("admin", "recipient.remove", "testclient")]


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("district_a", 403), ("analyst", 403), ("lab", 403)])
def test_only_it_and_headquarters_may_touch_the_address_book(world, session, who, status) -> None:
    assert world.get(URL, who).status_code == status
    assert add(world, who, party="area:S1", channel="sms", address="13812345678").status_code == status
    kept = add(world, "admin", party="area:S1", channel="sms", address="13800000000").json()
    assert world.client.delete(f"{URL}/{kept['recipient_id']}", headers=world.headers(who)).status_code == status
    session.expire_all()
    assert [r.address for r in session.scalars(select(Recipient))] == ["13800000000"]


@pytest.mark.parametrize("body", [
    {"party": "area:S1", "channel": "email", "address": "not-an-address"},
    {"party": "area:S1", "channel": "sms", "address": "0371-HELP"},
    {"party": "area:S1", "channel": "sms", "address": "1234567890123456"},
    {"party": "mayor", "channel": "sms", "address": "13812345678"},
    {"party": "area:S1", "channel": "fax", "address": "13812345678"},
])
def test_an_address_that_does_not_fit_its_channel_is_refused(world, session, body) -> None:
    assert world.client.post(URL, headers=world.headers("admin"), json=body).status_code == 422
    assert session.scalars(select(Recipient)).all() == []


def test_removing_an_unknown_recipient_is_404(world) -> None:
    assert world.client.delete(f"{URL}/404", headers=world.headers("admin")).status_code == 404
    assert world.client.delete(f"{URL}/99999999999", headers=world.headers("admin")).status_code == 422
