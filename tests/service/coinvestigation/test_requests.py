"""Co-investigation requests: deadlines of acknowledgement and answer; incoming ones are our tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.service.areas.small_city import build_small_city

from ringfence.auth.rules import Role, Scope
from ringfence.coinvestigation import service
from ringfence.coinvestigation.models import Direction, RequestStatus, SubjectKind
from ringfence.coinvestigation.schemas import RequestCreate, RequestFilter
from ringfence.core.errors import Conflict, NotFound
from ringfence.protocols.service import load
from ringfence.tasks.models import Task, TaskStatus

PROTOCOL = load("covid19-cn-9")
AT = datetime(2022, 10, 10, 9, 0, tzinfo=UTC)
DISTRICT_1 = Scope(actor="d1", role=Role.district, subtree="/C/D1/")
DISTRICT_2 = Scope(actor="d2", role=Role.district, subtree="/C/D2/")


@pytest.fixture
def incoming(session):
    build_small_city(session)
    return service.send(session=session, scope=DISTRICT_1, actor="d1", protocol=PROTOCOL, request_in=RequestCreate(
        direction=Direction.incoming, subject_kind=SubjectKind.person, subject_ref="P1", counterpart="Xuchang CDC",
        question="Where was P1 on 6 October?", sent_at=AT))


def test_an_incoming_request_about_a_resident_is_a_task_of_their_community(session, incoming) -> None:
    ack, answer = PROTOCOL.responsibility.co_investigation_ack_hours, PROTOCOL.responsibility.co_investigation_answer_hours
    assert (incoming.area_id, incoming.ack_due, incoming.answer_due) == (
        "M1", AT + timedelta(hours=ack), AT + timedelta(hours=answer))
    task = session.get(Task, incoming.task_id)
    assert (task.subject_id, task.area_id, task.due_at) == ("P1", "M1", incoming.answer_due)


def test_missed_deadlines_at_their_boundaries(session, incoming) -> None:
    def missed(at: datetime) -> list[str]:
        return service.read(incoming, as_of=at).missed

    assert missed(incoming.ack_due) == []
    assert missed(incoming.ack_due + timedelta(seconds=1)) == ["acknowledgement"]
    service.acknowledge(session=session, request=incoming, actor="m1", at=incoming.ack_due + timedelta(minutes=5))
    assert missed(incoming.ack_due + timedelta(minutes=10)) == []
    assert missed(incoming.answer_due + timedelta(seconds=1)) == ["answer"]
    rows, _ = service.get_all(session=session, scope=DISTRICT_1, filters=RequestFilter(overdue=True),
                              as_of=incoming.answer_due + timedelta(seconds=1))
    assert [r.request_id for r in rows] == [incoming.request_id]
    service.answer(session=session, request=incoming, text="at home", actor="m1", at=incoming.answer_due)
    assert (incoming.status, session.get(Task, incoming.task_id).status) == (RequestStatus.answered, TaskStatus.done)
    assert missed(incoming.answer_due + timedelta(hours=1)) == []
    with pytest.raises(Conflict):
        service.acknowledge(session=session, request=incoming, actor="m1")


def test_a_request_is_hidden_outside_its_jurisdiction(session, incoming) -> None:
    with pytest.raises(NotFound):
        service.get(session=session, scope=DISTRICT_2, request_id=incoming.request_id)


def test_withdrawing_cancels_the_task(session, incoming) -> None:
    service.withdraw(session=session, request=incoming, actor="d1")
    assert session.get(Task, incoming.task_id).status is TaskStatus.cancelled
    assert service.read(incoming, as_of=incoming.answer_due + timedelta(days=1)).missed == []
