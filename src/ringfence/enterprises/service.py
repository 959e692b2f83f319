"""Enterprises and projects: whitelist decisions, production status, staff rosters and compliance.

Scoping: an `enterprise` user sees only the enterprise named by their unit; territorial users
see the enterprises whose building lies in their subtree; city-wide roles see all. Outside:
NotFound. Help tickets live in `enterprises.tickets`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from ringfence.areas.models import Area, Building
from ringfence.areas.service import in_subtree
from ringfence.auth.rules import Role, Scope
from ringfence.core import audit, clock, timeline
from ringfence.core.errors import InvalidInput, NotFound
from ringfence.enterprises import rules
from ringfence.enterprises.models import (
    ApplicantKind,
    ApplicationStatus,
    Enterprise,
    ProductionStatus,
    Project,
    ProjectBatch,
    WhitelistApplication,
)
from ringfence.enterprises.schemas import (
    ApplicationCreate,
    EnterpriseFilter,
    ProjectCreate,
    RosterRead,
    StaffRow,
)
from ringfence.people.models import Person
from ringfence.protocols.models import Protocol

if TYPE_CHECKING:
    from ringfence.eventlog.store import EventStore


def scoped(query: Select, scope: Scope, enterprise_column=Enterprise.enterprise_id) -> Select:
    """Restrict a query joined to enterprises (by `enterprise_column`) to the caller's jurisdiction."""
    if scope.role is Role.enterprise:
        return query.where(enterprise_column == scope.unit_id) if scope.unit_id else query.where(false())
    if scope.everywhere:
        return query
    inside = (
        select(Enterprise.enterprise_id)
        .join(Building, Building.building_id == Enterprise.building_id)
        .join(Area, Area.area_id == Building.community_id)
        .where(in_subtree(Area.path, scope.subtree))
    )
    return query.where(enterprise_column.in_(inside))


def get(*, session: Session, scope: Scope, enterprise_id: str) -> Enterprise:
    enterprise = session.scalar(scoped(select(Enterprise), scope).where(Enterprise.enterprise_id == enterprise_id))
    if enterprise is None:
        raise NotFound(f"no enterprise {enterprise_id!r}")
    return enterprise


def get_all(
    *, session: Session, scope: Scope, filters: EnterpriseFilter, page: int = 1, size: int = 50
) -> tuple[list[Enterprise], int]:
    """One page of the enterprises the caller may see, by id, and the total."""
    query = scoped(select(Enterprise), scope)
    if filters.whitelisted is not None:
        query = query.where(Enterprise.whitelisted == filters.whitelisted)
    if filters.industry is not None:
        query = query.where(Enterprise.industry == filters.industry)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Enterprise.enterprise_id).offset((page - 1) * size).limit(size))
    return list(rows), total


def community_of(*, session: Session, building_id: str | None) -> str | None:
    """The community a building stands in (a task's territory)."""
    if building_id is None:
        return None
    return session.scalar(select(Building.community_id).where(Building.building_id == building_id))


def _record(session: Session, subject_type: str, subject_id: str, *, actor: str, action: str,
            at: datetime, detail: str | None = None) -> None:
    timeline.record(session, subject_type=subject_type, subject_id=subject_id, actor=actor, action=action,
                    detail=detail, at=at)


def set_production(
    *, session: Session, enterprise: Enterprise, status: ProductionStatus, actor: str, at: datetime | None = None
) -> Enterprise:
    """Record the enterprise's production status (closed loop, producing, suspended)."""
    enterprise.production_status = status
    enterprise.closed_loop = status is ProductionStatus.closed_loop
    _record(session, "enterprise", enterprise.enterprise_id, actor=actor, action="enterprise.production",
            at=at or clock.now(), detail=status.value)
    return enterprise


# ---- projects ------------------------------------------------------------------------------


def create_project(*, session: Session, scope: Scope, project_in: ProjectCreate, actor: str) -> Project:
    """A key construction project of an enterprise the caller may see."""
    get(session=session, scope=scope, enterprise_id=project_in.enterprise_id)
    if session.get(Project, project_in.project_id) is not None:
        from ringfence.core.errors import Conflict

        raise Conflict(f"project {project_in.project_id!r} already exists")
    if project_in.building_id is not None and session.get(Building, project_in.building_id) is None:
        raise InvalidInput(f"unknown building {project_in.building_id!r}")
    at = project_in.batch_at or clock.now()
    project = Project(**project_in.model_dump(exclude={"batch_at"}), batch_at=at, whitelisted=False)
    session.add(project)
    session.flush()
    _record(session, "project", project.project_id, actor=actor, action="project.created", at=clock.now(),
            detail=f"{project.batch.value} at {at.isoformat()}")
    return project


def get_project(*, session: Session, scope: Scope, project_id: str) -> Project:
    project = session.scalar(scoped(select(Project), scope, Project.enterprise_id).where(Project.project_id == project_id))
    if project is None:
        raise NotFound(f"no project {project_id!r}")
    return project


def get_projects(*, session: Session, scope: Scope, batch: ProjectBatch | None = None) -> list[Project]:
    query = scoped(select(Project), scope, Project.enterprise_id)
    if batch is not None:
        query = query.where(Project.batch == batch)
    return list(session.scalars(query.order_by(Project.project_id)))


def advance_project(*, session: Session, project: Project, batch: ProjectBatch, actor: str,
                    at: datetime | None = None) -> Project:
    """Move a project to another of the three batches (signed → started → completed)."""
    order = list(ProjectBatch)
    if order.index(batch) < order.index(project.batch):
        raise InvalidInput(f"a {project.batch.value} project cannot go back to {batch.value}")
    project.batch, project.batch_at = batch, at or clock.now()
    _record(session, "project", project.project_id, actor=actor, action="project.batch", at=project.batch_at,
            detail=batch.value)
    return project


def batch_counts(*, session: Session, scope: Scope) -> dict[str, int]:
    """How many projects are in each of the three batches (the headquarters' economic figure)."""
    counts = {batch.value: 0 for batch in ProjectBatch}
    query = scoped(select(Project.batch, func.count()), scope, Project.enterprise_id).group_by(Project.batch)
    for batch, count in session.execute(query):
        counts[batch.value] = count
    return counts


# ---- whitelist applications ---------------------------------------------------------------


def apply(*, session: Session, scope: Scope, application_in: ApplicationCreate, actor: str,
          at: datetime | None = None) -> WhitelistApplication:
    """File a whitelist application for an enterprise (or one of its projects) the caller may see."""
    enterprise = get(session=session, scope=scope, enterprise_id=application_in.enterprise_id)
    if application_in.project_id is not None:
        project = get_project(session=session, scope=scope, project_id=application_in.project_id)
        if project.enterprise_id != enterprise.enterprise_id:
            raise InvalidInput(f"project {project.project_id!r} is not {enterprise.enterprise_id!r}'s")
    application = WhitelistApplication(
        applicant_kind=ApplicantKind.project if application_in.project_id else ApplicantKind.enterprise,
        enterprise_id=enterprise.enterprise_id, project_id=application_in.project_id,
        closed_loop=application_in.closed_loop, plan=application_in.plan, status=ApplicationStatus.pending,
        applied_at=at or clock.now(), applied_by=actor,
    )
    session.add(application)
    session.flush()
    _record(session, "whitelist_application", str(application.application_id), actor=actor,
            action="whitelist.applied", at=application.applied_at, detail=enterprise.enterprise_id)
    return application


def get_application(*, session: Session, scope: Scope, application_id: int) -> WhitelistApplication:
    query = scoped(select(WhitelistApplication), scope, WhitelistApplication.enterprise_id)
    application = session.scalar(query.where(WhitelistApplication.application_id == application_id))
    if application is None:
        raise NotFound(f"no whitelist application {application_id}")
    return application


def get_applications(*, session: Session, scope: Scope, status: ApplicationStatus | None = None,
                     page: int = 1, size: int = 50) -> tuple[list[WhitelistApplication], int]:
    query = scoped(select(WhitelistApplication), scope, WhitelistApplication.enterprise_id)
    if status is not None:
        query = query.where(WhitelistApplication.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(WhitelistApplication.application_id).offset((page - 1) * size).limit(size))
    return list(rows), total


def decide(*, session: Session, application: WhitelistApplication, status: ApplicationStatus, actor: str,
           reason: str | None = None, at: datetime | None = None) -> WhitelistApplication:
    """Approve, reject or revoke; approval whitelists the enterprise (or project), revocation removes it."""
    rules.check_decision(application.status, status)
    at = at or clock.now()
    application.status, application.decided_at, application.decided_by = status, at, actor
    application.reason = reason
    enterprise = session.get(Enterprise, application.enterprise_id)
    project = session.get(Project, application.project_id) if application.project_id else None
    listed = status is ApplicationStatus.approved
    if project is not None:
        project.whitelisted = listed
    else:
        enterprise.whitelisted = listed
        if listed:
            production = ProductionStatus.closed_loop if application.closed_loop else ProductionStatus.producing
            set_production(session=session, enterprise=enterprise, status=production, actor=actor, at=at)
    _record(session, "whitelist_application", str(application.application_id), actor=actor,
            action=f"whitelist.{status.value}", at=at, detail=reason)
    _record(session, "enterprise", enterprise.enterprise_id, actor=actor, action=f"whitelist.{status.value}",
            at=at, detail=f"application {application.application_id}")
    return application


# ---- rosters and compliance ---------------------------------------------------------------

# samples and tube results in the event log: each person's latest negative test (by sample time)
# known at $as_of, among samples collected since $since
LAST_NEGATIVE_SQL = """
SELECT s.person_id AS person_id, max(s.collected_at) AS last_negative_at
FROM samples s JOIN tube_results r ON r.tube_id = s.tube_id
WHERE r.result = 'negative' AND s.day >= $since_day AND s.collected_at >= $since
  AND s.collected_at <= $as_of AND r.reported_at <= $as_of
GROUP BY s.person_id
"""


def last_negative_tests(
    *, events: EventStore, person_ids: Iterable[str], as_of: datetime, lookback_hours: int, tz
) -> dict[str, datetime]:
    """The latest negative test (sample time) of each of `person_ids` within `lookback_hours` before `as_of`."""
    wanted = set(person_ids)
    if not wanted:
        return {}
    since = as_of - timedelta(hours=lookback_hours)
    # a day earlier than the local day of `since`, so partition pruning never drops a row in range
    since_day = clock.local_day(since, tz) - timedelta(days=1)
    table = events.query(LAST_NEGATIVE_SQL, {"since_day": since_day, "since": since, "as_of": as_of})
    found = {}
    for person_id, last in zip(table.column("person_id").to_pylist(), table.column("last_negative_at").to_pylist()):
        if person_id in wanted and last is not None:
            found[person_id] = last if last.tzinfo else last.replace(tzinfo=clock.now().tzinfo)
    return found


def staff(*, session: Session, enterprise_id: str) -> list[Person]:
    """The enterprise's roster: people whose workplace is the enterprise."""
    return list(session.scalars(select(Person).where(Person.workplace_id == enterprise_id).order_by(Person.person_id)))


def compliance_of(
    *, staff_members: list[Person], last_negative: Mapping[str, datetime], as_of: datetime, protocol: Protocol
) -> rules.Compliance:
    key_groups = {p.person_id: p.key_group for p in staff_members}
    by_group = protocol.screening.routine_hours
    return rules.staff_compliance(
        key_groups, last_negative, as_of=as_of,
        period_hours=lambda person_id: rules.routine_hours(key_groups[person_id], by_group),
    )


def _lookback(protocol: Protocol) -> int:
    # twice the longest routine period: the roster also shows whose test has recently lapsed
    return 2 * max([rules.DEFAULT_ROUTINE_HOURS, *protocol.screening.routine_hours.values()])


def roster(
    *, session: Session, scope: Scope, enterprise_id: str, as_of: datetime, protocol: Protocol, events: EventStore,
    tz, actor: str | None = None,
) -> RosterRead:
    """The enterprise's staff with their routine-screening compliance at `as_of` (a read of personal data)."""
    enterprise = get(session=session, scope=scope, enterprise_id=enterprise_id)
    members = staff(session=session, enterprise_id=enterprise.enterprise_id)
    last = last_negative_tests(events=events, person_ids=[p.person_id for p in members], as_of=as_of,
                               lookback_hours=_lookback(protocol), tz=tz)
    compliance = compliance_of(staff_members=members, last_negative=last, as_of=as_of, protocol=protocol)
    audit.record(session, user=actor or scope.actor, action="enterprise.roster_read",
                 subject=f"enterprise:{enterprise.enterprise_id}", origin=scope.origin, detail=f"{len(members)} staff")
    names = {p.person_id: p for p in members}
    threshold = protocol.enterprises.compliance_threshold
    return RosterRead(
        enterprise_id=enterprise.enterprise_id, as_of=as_of, staff=compliance.staff, compliant=compliance.compliant,
        share=compliance.share, threshold=threshold,
        alert=enterprise.whitelisted and rules.below_threshold(compliance, threshold),
        members=[
            StaffRow(person_id=m.person_id, name=names[m.person_id].name, key_group=names[m.person_id].key_group,
                     last_negative_at=m.last_negative_at, period_hours=m.period_hours, compliant=m.compliant)
            for m in compliance.members
        ],
    )


def any_whitelisted(*, session: Session) -> bool:
    return session.scalar(select(Enterprise.enterprise_id).where(Enterprise.whitelisted.is_(True)).limit(1)) is not None


def check_compliance(
    *, session: Session, as_of: datetime, protocol: Protocol, events: EventStore, actor: str, tz
) -> dict[str, int]:
    """Alert every whitelisted enterprise screened below the threshold (one alert task a local day);
    close the open alerts of those back above it."""
    from ringfence.notifications import service as notifications
    from ringfence.tasks import service as tasks
    from ringfence.tasks.models import Task, TaskKind, TaskStatus

    enterprises = list(session.scalars(select(Enterprise).where(Enterprise.whitelisted.is_(True))))
    rosters = {e.enterprise_id: staff(session=session, enterprise_id=e.enterprise_id) for e in enterprises}
    everyone = [p.person_id for members in rosters.values() for p in members]
    last = last_negative_tests(events=events, person_ids=everyone, as_of=as_of, lookback_hours=_lookback(protocol),
                               tz=tz)
    threshold = protocol.enterprises.compliance_threshold
    counts = {"checked": 0, "alerts": 0, "recovered": 0}
    for enterprise in enterprises:
        counts["checked"] += 1
        compliance = compliance_of(staff_members=rosters[enterprise.enterprise_id], last_negative=last, as_of=as_of,
                                   protocol=protocol)
        if rules.below_threshold(compliance, threshold):
            day = clock.local_day(as_of, tz).isoformat()
            task, created = tasks.ensure(
                session=session, kind=TaskKind.compliance_alert, subject_id=enterprise.enterprise_id,
                area_id=community_of(session=session, building_id=enterprise.building_id),
                due_at=as_of + timedelta(hours=protocol.responsibility.compliance_alert_hours),
                source_key=f"{enterprise.enterprise_id}:{day}", actor=actor, protocol=protocol, created_at=as_of,
                detail=f"{compliance.compliant}/{compliance.staff} staff screened ({compliance.share:.1%} < {threshold:.0%})",
            )
            if created:
                counts["alerts"] += 1
                _record(session, "enterprise", enterprise.enterprise_id, actor=actor, action="enterprise.compliance_alert",
                        at=as_of, detail=task.detail)
                notifications.enqueue(
                    session=session, party=f"enterprise:{enterprise.enterprise_id}",
                    subject=f"Routine screening below {threshold:.0%}", body=task.detail or "", source=f"task:{task.task_id}",
                    at=as_of,
                )
            continue
        open_alerts = session.scalars(select(Task).where(
            Task.kind == TaskKind.compliance_alert, Task.subject_id == enterprise.enterprise_id,
            Task.status == TaskStatus.open,
        ))
        for task in open_alerts:
            tasks.complete(session=session, task=task, at=as_of, actor=actor)
            counts["recovered"] += 1
    return counts
