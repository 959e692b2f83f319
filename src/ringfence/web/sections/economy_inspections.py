"""Supervision inspections (督导检查): the list, recording an inspection with its findings, and closing a
finding once rectified. The same service functions and permissions as `/api/inspections`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape
from starlette.datastructures import FormData

from ringfence.api.deps import DbSession
from ringfence.auth.rules import Permission
from ringfence.core import clock
from ringfence.core.errors import NotFound, RingfenceError
from ringfence.web import security
from ringfence.web.pages import CurrentVisitor, Visitor, gettext_of, is_htmx, missing, pager, refuse, render
from ringfence.web.sections import economy_forms as forms

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
AREA_CHOICES = 500  # areas offered as suggestions in the form (the field takes any id of the jurisdiction)
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]


async def posted_form(request: Request) -> FormData:
    """The posted form, read before the (synchronous) page function runs."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


@dataclass
class InspectionForm:
    """The inspection form as shown: what was typed, the problems, and how many finding fieldsets."""

    entered: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    slots: int = 1


@dataclass
class FindingClosing:
    """A closing of one finding that was refused, to show again in its item."""

    finding_id: int
    entered: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


def _departments(request: Request) -> list[str]:
    """The departments the protocol makes answerable for tasks (四方责任: 部门)."""
    from ringfence.protocols import service as protocols

    responsibility = protocols.load(request.app.state.settings.protocol).responsibility
    return sorted({responsibility.default_department, *(p.department for p in responsibility.by_kind.values())})


def _page(request: Request, session, visitor: Visitor, *, page: int = 1, status_code: int = 200,
          form: InspectionForm | None = None, **context) -> Response:
    from ringfence.areas import service as areas
    from ringfence.areas.schemas import AreaFilter
    from ringfence.supervision import service as supervision
    from ringfence.supervision.models import PlaceKind

    _ = gettext_of(request, visitor)
    scope = visitor.scope
    form = form or InspectionForm(entered={"inspector": visitor.user.username})
    found, total = supervision.get_all(session=session, scope=scope, page=page, size=PAGE_SIZE)
    findings = {i.inspection_id: supervision.findings_of(session=session, inspection=i) for i in found}
    can_record = scope.can(Permission.SUPERVISION_EDIT)
    areas_offered = []
    if can_record:
        areas_offered, _total = areas.get_all(session=session, scope=scope, filters=AreaFilter(), size=AREA_CHOICES)
    template = "sections/inspections_body.html" if is_htmx(request) else "sections/inspections.html"
    return render(
        request, visitor, template, status_code=status_code, current="inspections", inspections=found,
        findings=findings, repeated=supervision.repeated_findings(session=session, scope=scope),
        pager=pager(request, page, PAGE_SIZE, total), now=clock.now(), can_record=can_record,
        can_rectify=scope.can(Permission.TASK_EDIT),
        form=form, field_labels=forms.inspection_labels(_, form.slots),
        place_kinds=[(k.value, forms.option_label(_, "place", k.value)) for k in PlaceKind], areas=areas_offered,
        departments=[(d, forms.option_label(_, "department", d)) for d in _departments(request)], max_findings=forms.MAX_FINDINGS, **context,
    )


@router.get("/inspections", response_class=HTMLResponse)
def inspections_page(
    request: Request, session: DbSession, visitor: CurrentVisitor,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if (refused := refuse(request, visitor, Permission.SUPERVISION_READ, current="inspections")) is not None:
        return refused
    return _page(request, session, visitor, page=page)


@router.post("/inspections", response_class=HTMLResponse)
def record_inspection(request: Request, session: DbSession, visitor: CurrentVisitor, posted: PostedForm) -> Response:
    """Record an inspection and its findings (each gets a rectification task); a refusal shows the form
    again with each problem next to its field (422)."""
    if (refused := refuse(request, visitor, Permission.SUPERVISION_EDIT, current="inspections")) is not None:
        return refused
    from ringfence.areas import service as areas
    from ringfence.supervision import service as supervision

    _ = gettext_of(request, visitor)
    slots = forms.finding_slots(posted)
    if not security.csrf_valid(request, forms.text_of(posted, security.CSRF_FIELD, 200)):
        form = InspectionForm(entered=forms.entered_inspection(posted), slots=slots,
                              errors={"form": _("Your form expired. Reload the page and try again.")})
        return _page(request, session, visitor, status_code=403, form=form)
    if forms.text_of(posted, "more", 2):  # "add another finding": the same form with one more fieldset
        return _page(request, session, visitor, form=InspectionForm(entered=forms.entered_inspection(posted), slots=slots))
    now = clock.now()
    checked = forms.inspection(posted, tz=request.app.state.settings.tz, now=now,
                               departments=set(_departments(request)), _=_)
    area_id = checked.entered["area_id"]
    if area_id and "area_id" not in checked.errors and areas.find(session=session, scope=visitor.scope,
                                                                   area_id=area_id) is None:
        checked.errors["area_id"] = _("There is no such area in your jurisdiction.")
    if not checked.valid:
        return _page(request, session, visitor, status_code=422,
                     form=InspectionForm(entered=checked.entered, errors=checked.errors, slots=slots))
    try:
        inspection = supervision.record(session=session, scope=visitor.scope, inspection_in=checked.value,
                                        actor=visitor.scope.actor)
    except RingfenceError as refusal:
        session.rollback()  # nothing of a refused inspection is kept
        form = InspectionForm(entered=checked.entered, errors={"form": str(refusal)}, slots=slots)
        return _page(request, session, visitor, status_code=422 if isinstance(refusal, NotFound) else refusal.status_code,
                     form=form)
    return _page(request, session, visitor, recorded=inspection, recorded_findings=len(checked.value.findings))


@router.post("/inspections/findings/{finding_id}/close", response_class=HTMLResponse)
def close_finding(request: Request, session: DbSession, visitor: CurrentVisitor, finding_id: RecordId,
                  posted: PostedForm) -> Response:
    """Record that a finding was rectified (closes its task); answers the finding's item again (htmx swaps it)."""
    if (refused := refuse(request, visitor, Permission.TASK_EDIT, current="inspections")) is not None:
        return refused
    from ringfence.supervision import service as supervision
    from ringfence.supervision.schemas import FindingClose

    _ = gettext_of(request, visitor)
    try:
        finding = supervision.get_finding(session=session, scope=visitor.scope, finding_id=finding_id)
    except NotFound:
        return _absent(request, visitor)
    closing = FindingClosing(finding_id=finding_id, entered={"note": forms.text_of(posted, "note")})
    status_code = 200
    if not security.csrf_valid(request, forms.text_of(posted, security.CSRF_FIELD, 200)):
        closing.problem, status_code = _("Your form expired. Reload the page and try again."), 403
    else:
        checked = forms.one_text(posted, FindingClose, "note", _)
        if not checked.valid:
            closing.errors, status_code = checked.errors, 422
        else:
            try:
                supervision.close(session=session, finding=finding, note=checked.value.note, actor=visitor.scope.actor,
                                  origin=visitor.scope.origin)
                closing = None
            except RingfenceError as refusal:
                session.rollback()
                finding = supervision.get_finding(session=session, scope=visitor.scope, finding_id=finding_id)
                closing.problem, status_code = str(refusal), refusal.status_code
    if not is_htmx(request) and status_code == 200:
        return _page(request, session, visitor)
    if not is_htmx(request):
        return _page(request, session, visitor, status_code=status_code, closing=closing)
    return render(request, visitor, "sections/inspections_finding.html", status_code=status_code, current="inspections",
                  f=finding, closing=closing, now=clock.now(), can_rectify=True)


def _absent(request: Request, visitor: Visitor) -> Response:
    """404 for a record outside the jurisdiction: the page, or the item htmx swaps in."""
    if not is_htmx(request):
        return missing(request, visitor, current="inspections")
    text = escape(gettext_of(request, visitor)("There is no such record in your jurisdiction."))
    return HTMLResponse(f'<li class="error" role="alert">{text}</li>', status_code=404)
