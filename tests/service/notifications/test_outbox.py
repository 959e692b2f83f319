"""The outbox: messages wait for commit, then go to every registered address of their party."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from tests.service.areas.small_city import build_small_city

from ringfence.core import timeline
from ringfence.notifications import service
from ringfence.notifications.models import Channel, Notification, NotificationStatus
from ringfence.protocols.service import load
from ringfence.tasks import service as tasks
from ringfence.tasks.models import TaskKind

DUE = datetime(2022, 10, 10, 12, 0, tzinfo=UTC)


class Broken:
    def send(self, *, to: str, subject: str, body: str) -> None:
        raise ConnectionError("gateway down")


def test_an_escalation_reaches_the_raised_area_by_every_channel(session) -> None:
    build_small_city(session)
    service.add_recipient(session=session, party="area:S1", channel=Channel.email, address="s1@example.org")
    service.add_recipient(session=session, party="area:S1", channel=Channel.sms, address="13800000000")
    task, _ = tasks.ensure(session=session, kind=TaskKind.door_knock, subject_id="B1", area_id="M1", due_at=DUE,
                           source_key="k", actor="t", protocol=load("covid19-cn-9"))
    tasks.escalate(session=session, as_of=DUE + timedelta(hours=1), protocol=load("covid19-cn-9"), actor="r")
    recorder = service.RecordingNotifier()
    counts = service.deliver_pending(session=session, senders=service.Senders.everywhere(recorder))
    assert counts["sent"] == 1
    assert sorted(to for to, _, _ in recorder.sent) == ["13800000000", "s1@example.org"]
    assert all("S1" in subject for _, subject, _ in recorder.sent)
    assert service.deliver_pending(session=session, senders=service.Senders.everywhere(recorder))["sent"] == 0
    actions = [e.action for e in timeline.history(session, subject_type="task", subject_id=str(task.task_id))]
    assert actions[-1] == "notification.sent"


def test_a_party_nobody_registered_for_is_marked_unaddressed(session) -> None:
    service.enqueue(session=session, party="user:nobody", subject="s", body="b")
    assert service.deliver_pending(session=session, senders=service.Senders.everywhere(service.RecordingNotifier()))[
        "unaddressed"] == 1


def test_a_failing_sender_is_recorded_and_others_still_go(session) -> None:
    service.add_recipient(session=session, party="user:a", channel=Channel.sms, address="1")
    service.add_recipient(session=session, party="user:b", channel=Channel.email, address="b@example.org")
    service.enqueue(session=session, party="user:a", subject="s", body="b")
    service.enqueue(session=session, party="user:b", subject="s", body="b")
    recorder = service.RecordingNotifier()
    senders = service.Senders({Channel.sms: Broken(), Channel.email: recorder})
    assert service.deliver_pending(session=session, senders=senders) == {
        "sent": 1, "failed": 1, "unaddressed": 0, "unconfigured": 0}
    failed = session.scalar(select(Notification).where(Notification.party == "user:a"))
    assert (failed.status, failed.error) == (NotificationStatus.failed, "sms: gateway down")


def test_without_a_configured_sender_messages_stay_pending(session) -> None:
    service.add_recipient(session=session, party="user:a", channel=Channel.email, address="a@example.org")
    message = service.enqueue(session=session, party="user:a", subject="s", body="b")
    assert service.deliver_pending(session=session, senders=service.Senders())["unconfigured"] == 1
    assert message.status is NotificationStatus.pending


def test_every_pending_message_goes_in_one_call_and_unconfigured_ones_hold_nobody_up(session) -> None:
    service.add_recipient(session=session, party="user:fax", channel=Channel.email, address="fax@example.org")
    service.add_recipient(session=session, party="user:a", channel=Channel.sms, address="1")
    for n in range(5):  # only an email channel could reach them, and none is configured: they stay pending
        service.enqueue(session=session, party="user:fax", subject=f"waiting {n}", body="b")
    for n in range(7):
        service.enqueue(session=session, party="user:a", subject=f"s{n}", body="b")
    recorder = service.RecordingNotifier()
    senders = service.Senders({Channel.sms: recorder})

    assert service.deliver_pending(session=session, senders=senders, batch=3) == {
        "sent": 7, "failed": 0, "unaddressed": 0, "unconfigured": 5}
    assert sorted(subject for _, subject, _ in recorder.sent) == [f"s{n}" for n in range(7)]
    statuses = session.scalars(select(Notification.status).where(Notification.party == "user:fax")).all()
    assert statuses == [NotificationStatus.pending] * 5
