"""Recipients in the store: listed by party, removed, and every write by a named actor audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ringfence.core import audit
from ringfence.core.errors import NotFound
from ringfence.notifications import service
from ringfence.notifications.models import Channel, Recipient
from ringfence.notifications.schemas import RecipientFilter


def recipient_actions(session) -> list[tuple[str, str, str | None]]:
    return [(e.user, e.action, e.detail) for e in audit.entries(session) if e.action.startswith("recipient.")]


def test_an_added_address_is_audited_once_and_masked_in_the_log(session) -> None:
    first = service.add_recipient(session=session, party="user:liu", channel=Channel.email, address="liu@example.org",
                                  actor="admin", origin="10.0.0.1")
    again = service.add_recipient(session=session, party="user:liu", channel=Channel.email, address="liu@example.org",
                                  actor="admin", origin="10.0.0.1")
    assert first.recipient_id == again.recipient_id
    assert recipient_actions(session) == [("admin", "recipient.add", "user:liu email l***@example.org")]


def test_an_internal_registration_without_an_actor_writes_no_audit_entry(session) -> None:
    service.add_recipient(session=session, party="area:S1", channel=Channel.sms, address="13800000000")
    assert recipient_actions(session) == []


def test_recipients_are_listed_by_party_and_channel(session) -> None:
    for party, channel, address in [("area:S2", Channel.sms, "13700000000"), ("area:S1", Channel.sms, "13800000000"),
                                    ("area:S1", Channel.email, "s1@example.org")]:
        service.add_recipient(session=session, party=party, channel=channel, address=address)
    rows, total = service.get_recipients(session=session, filters=RecipientFilter())
    assert (total, [(r.party, r.channel.value) for r in rows]) == (
        3, [("area:S1", "email"), ("area:S1", "sms"), ("area:S2", "sms")])
    rows, total = service.get_recipients(session=session, filters=RecipientFilter(party="area:S1", channel=Channel.sms))
    assert (total, [r.address for r in rows]) == (1, ["13800000000"])
    rows, total = service.get_recipients(session=session, filters=RecipientFilter(), page=2, size=2)
    assert (total, [r.party for r in rows]) == (3, ["area:S2"])


def test_a_removed_address_is_gone_and_no_longer_reached(session) -> None:
    kept = service.add_recipient(session=session, party="area:S1", channel=Channel.email, address="s1@example.org")
    gone = service.add_recipient(session=session, party="area:S1", channel=Channel.sms, address="13800000000")
    gone_id = gone.recipient_id
    service.remove_recipient(session=session, recipient=gone, actor="commander", origin="cli")
    assert [r.recipient_id for r in session.scalars(select(Recipient))] == [kept.recipient_id]
    assert recipient_actions(session) == [("commander", "recipient.remove", "area:S1 sms 138****0000")]
    with pytest.raises(NotFound, match=f"no recipient {gone_id}"):
        service.get_recipient(session=session, recipient_id=gone_id)
    service.enqueue(session=session, party="area:S1", subject="s", body="b")
    recorder = service.RecordingNotifier()
    service.deliver_pending(session=session, senders=service.Senders.everywhere(recorder))
    assert [to for to, _, _ in recorder.sent] == ["s1@example.org"]
