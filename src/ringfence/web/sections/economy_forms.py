"""The economy section's forms: what a browser posts, checked field by field and turned into the
domains' own inputs (`InspectionCreate`, `TicketCreate`, …), or the problems in the visitor's language.

The domain schemas stay the one statement of what is valid; this module only reads the form (times
typed in the city's zone), adds the checks a person filling it needs before anything is written, and
names each problem next to its field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

Translate = Callable[[str], str]

MAX_FINDINGS = 10  # finding slots one inspection form offers at most
FINDING_FIELDS = ("category", "description", "department", "unit", "person", "rectify_by")
INSPECTION_FIELDS = ("place_kind", "place_id", "area_id", "team", "inspector", "inspected_at", "notes")
CLOCK_SKEW = timedelta(minutes=5)  # a browser's clock a little ahead is not "the future"


@dataclass
class Checked:
    """A form read: the domain input when valid, else the problems by field name; what was typed, to show again."""

    entered: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    value: Any = None

    @property
    def valid(self) -> bool:
        return not self.errors and self.value is not None


def option_label(_: Translate, kind: str, value: str) -> str:
    """A choice's label in the visitor's language (`place.venue` → "Venue"); the value itself when untranslated."""
    key = f"{kind}.{value}"
    label = _(key)
    return value if label == key else label


def finding_field(slot: int, name: str) -> str:
    return f"finding-{slot}-{name}"


def text_of(form: Mapping[str, Any], name: str, limit: int = 4000) -> str:
    """A text field as typed (stripped; uploads and overlong values cut, never trusted)."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def local_time(text: str, tz: ZoneInfo) -> datetime:
    """`2022-10-20T08:00` (a datetime-local field) in the city's zone, as UTC; an offset given is kept."""
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz)
    return at.astimezone(UTC)


def message(error: Mapping[str, Any], _: Translate) -> str:
    """One pydantic problem in words a person filling the form understands."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind in {"missing", "string_too_short"} or error.get("input") == "":
        return _("Required.")
    if kind == "string_too_long":
        return _("Too long: at most {limit} characters.").format(limit=context.get("max_length", "?"))
    if kind == "string_pattern_mismatch":
        return _("Use lower-case letters, digits and _ only, e.g. unsealed_exit.")
    if kind in {"enum", "literal_error"}:
        return _("not a valid choice")
    if kind == "too_long":
        return _("Too many entries.")
    if kind == "value_error":
        return _("Remove the control characters.")
    return str(error.get("msg", _("not valid")))


def problems(invalid: ValidationError, _: Translate, name_of: Callable[[tuple], str]) -> dict[str, str]:
    """Each problem of a validation error under the form field `name_of(loc)` names (the first one a field has)."""
    found: dict[str, str] = {}
    for error in invalid.errors():
        found.setdefault(name_of(tuple(error.get("loc", ()))), message(error, _))
    return found


def validated(schema: type[BaseModel], data: dict[str, Any], _: Translate,
              name_of: Callable[[tuple], str] = lambda loc: str(loc[0]) if loc else "form") -> tuple[Any, dict]:
    """`schema(**data)`, or None and the problems by field."""
    try:
        return schema(**data), {}
    except ValidationError as invalid:
        return None, problems(invalid, _, name_of)


def finding_slots(form: Mapping[str, Any]) -> int:
    """How many finding fieldsets the form showed (one more when the person asked to add one)."""
    try:
        slots = int(text_of(form, "slots", 3) or 1)
    except ValueError:
        slots = 1
    if text_of(form, "more", 2):
        slots += 1
    return max(1, min(MAX_FINDINGS, slots))


def inspection_labels(_: Translate, slots: int) -> dict[str, str]:
    """The inspection form's field names and their labels, for the summary of problems."""
    labels = {"place_kind": _("Kind of place"), "place_id": _("Place (id or name)"), "area_id": _("Area id"),
              "team": _("Team"), "inspector": _("Inspector"), "inspected_at": _("Inspected"), "notes": _("Notes")}
    of_finding = {"category": _("Category"), "description": _("What was found"), "department": _("Department"),
                  "unit": _("Unit"), "person": _("Person responsible"), "rectify_by": _("Rectify by")}
    for slot in range(slots):
        labels.update({finding_field(slot, name): f"{_('Finding')} {slot + 1} · {text}" for name, text in of_finding.items()})
    return labels


def entered_inspection(form: Mapping[str, Any]) -> dict[str, str]:
    entered = {name: text_of(form, name) for name in INSPECTION_FIELDS}
    for slot in range(finding_slots(form)):
        entered.update({finding_field(slot, n): text_of(form, finding_field(slot, n)) for n in FINDING_FIELDS})
    return entered


def inspection(form: Mapping[str, Any], *, tz: ZoneInfo, now: datetime, departments: set[str], _: Translate) -> Checked:
    """An `InspectionCreate` from the inspection form; blank finding fieldsets are left out."""
    from ringfence.supervision.schemas import InspectionCreate

    entered = entered_inspection(form)
    checked = Checked(entered=entered)
    inspected_at = None
    if entered["inspected_at"]:
        try:
            inspected_at = local_time(entered["inspected_at"], tz)
        except ValueError:
            checked.errors["inspected_at"] = _("Give a date and time like 2022-10-20 08:00.")
        else:
            if inspected_at > now + CLOCK_SKEW:
                checked.errors["inspected_at"] = _("An inspection cannot be recorded ahead of time.")
    findings, slot_of = [], []
    for slot in range(finding_slots(form)):
        values = {n: entered[finding_field(slot, n)] for n in FINDING_FIELDS}
        if not any(values.values()):
            continue
        rectify_by = None
        if not values["rectify_by"]:
            checked.errors[finding_field(slot, "rectify_by")] = _("Required.")
        else:
            try:
                rectify_by = local_time(values["rectify_by"], tz)
            except ValueError:
                checked.errors[finding_field(slot, "rectify_by")] = _("Give a date and time like 2022-10-20 08:00.")
            else:
                if rectify_by <= (inspected_at or now):
                    checked.errors[finding_field(slot, "rectify_by")] = _("The deadline must come after the inspection.")
        if values["department"] and values["department"] not in departments:
            checked.errors[finding_field(slot, "department")] = _("not a valid choice")
        findings.append({**{n: values[n] or None for n in ("department", "unit", "person")},
                         "category": values["category"], "description": values["description"],
                         "rectify_by": rectify_by or now})
        slot_of.append(slot)

    def name_of(loc: tuple) -> str:
        if len(loc) >= 3 and loc[0] == "findings" and isinstance(loc[1], int) and loc[1] < len(slot_of):
            return finding_field(slot_of[loc[1]], str(loc[2]))
        return str(loc[0]) if loc else "form"

    data = {name: entered[name] for name in ("place_kind", "place_id", "area_id", "team", "inspector")}
    data.update(notes=entered["notes"] or None, inspected_at=inspected_at or now, findings=findings)
    value, found = validated(InspectionCreate, data, _, name_of)
    for name, problem in found.items():
        checked.errors.setdefault(name, problem)
    checked.value = value
    return checked


def one_text(form: Mapping[str, Any], schema: type[BaseModel], name: str, _: Translate) -> Checked:
    """A form of one text field (a note, an answer, an assignee) as `schema`."""
    entered = {name: text_of(form, name)}
    value, errors = validated(schema, {name: entered[name]}, _)
    return Checked(entered=entered, errors=errors, value=value)


def ticket(form: Mapping[str, Any], _: Translate) -> Checked:
    """A `TicketCreate` and the enterprise it is for, from the help-ticket form."""
    from ringfence.enterprises.schemas import TicketCreate

    entered = {name: text_of(form, name) for name in ("enterprise_id", "category", "description")}
    value, errors = validated(TicketCreate, {"category": entered["category"], "description": entered["description"]}, _)
    if not entered["enterprise_id"]:
        errors["enterprise_id"] = _("Required.")
    return Checked(entered=entered, errors=errors, value=value)
