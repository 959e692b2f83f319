"""Supplies: the warehouses of the jurisdiction, their stock, and recording a stock movement on the
append-only ledger (a receipt, an issue, a delivery to a sealed building, an adjustment) through the
same service as `POST /api/supplies/movements`. A refused movement shows the form again (422) with each
problem next to its field; a recorded one answers the stock table updated."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ringfence.api.deps import DbSession
from ringfence.areas.schemas import ID_PATTERN
from ringfence.auth.rules import Permission, Scope
from ringfence.core.errors import InvalidInput, NotFound, RingfenceError
from ringfence.supplies import rules
from ringfence.supplies import service as supplies
from ringfence.supplies.models import SupplyItem, Warehouse
from ringfence.supplies.rules import MovementKind
from ringfence.supplies.schemas import MovementCreate
from ringfence.web import security
from ringfence.web.pages import CurrentVisitor, Visitor, gettext_of, is_htmx, missing, refuse, render

router = APIRouter(include_in_schema=False)

KIND_LABELS = {
    MovementKind.receipt: "Receipt: stock into the warehouse",
    MovementKind.issue: "Issue: stock out of the warehouse",
    MovementKind.delivery: "Delivery to a sealed building",
    MovementKind.adjustment: "Adjustment: a count correction (+ or −)",
}
MAX_REFERENCE = 300
LARGEST = Decimal(10) ** 12  # the ledger keeps 15 digits, three of them decimals
_ID = re.compile(ID_PATTERN)
FormText = Annotated[str, Form(max_length=1000)]


@router.get("/supplies", response_class=HTMLResponse)
def supplies_page(request: Request, session: DbSession, visitor: CurrentVisitor) -> Response:
    if (refused := refuse(request, visitor, Permission.SUPPLY_READ, current="supplies")) is not None:
        return refused
    return _page(request, session, visitor)


@router.post("/supplies/movements", response_class=HTMLResponse)
def record_movement(
    request: Request, session: DbSession, visitor: CurrentVisitor,
    warehouse_id: FormText = "", item_id: FormText = "", kind: FormText = "", quantity: FormText = "",
    building_id: FormText = "", reference: FormText = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Append one movement to the ledger; answers the form and the stock table (htmx swaps both)."""
    if (refused := refuse(request, visitor, Permission.SUPPLY_EDIT, current="supplies")) is not None:
        return refused
    _ = gettext_of(request, visitor)
    entered = {"warehouse_id": warehouse_id.strip(), "item_id": item_id.strip(), "kind": kind.strip(),
               "quantity": quantity.strip(), "building_id": building_id.strip(), "reference": reference.strip()}
    if not security.csrf_valid(request, csrf_token):
        return _page(request, session, visitor, status_code=403, entered=entered,
                     errors={"form": _("Your form expired. Reload the page and try again.")})
    warehouses = {w.warehouse_id: w for w in supplies.get_warehouses(session=session, scope=visitor.scope)}
    if entered["warehouse_id"] and entered["warehouse_id"] not in warehouses:
        return missing(request, visitor, current="supplies")  # outside the jurisdiction, or none at all
    errors, movement_in = checked_movement(session, visitor.scope, _, entered)
    if movement_in is None:
        return _page(request, session, visitor, status_code=422, entered=entered, errors=errors)
    try:
        movement = supplies.record(session=session, scope=visitor.scope, movement_in=movement_in,
                                   actor=visitor.scope.actor)
    except RingfenceError as refusal:  # a race the checks above could not see (another movement meanwhile)
        return _page(request, session, visitor, status_code=422, entered=entered, errors={"form": str(refusal)})
    item = session.get(SupplyItem, movement.item_id)
    left = supplies.balance(session=session, warehouse_id=movement.warehouse_id, item_id=movement.item_id)
    recorded = {"kind": _(KIND_LABELS[movement.kind]), "quantity": rules.shown(abs(movement.quantity)),
                "item": item.name, "unit": item.unit, "warehouse": warehouses[movement.warehouse_id].name,
                "balance": rules.shown(left)}
    return _page(request, session, visitor, recorded=recorded,
                 entered={"warehouse_id": movement.warehouse_id, "kind": movement.kind.value})


def checked_movement(
    session: Session, scope: Scope, _, entered: dict[str, str]
) -> tuple[dict[str, str], MovementCreate | None]:
    """The movement the form asks for, or a message per field that is wrong (in the visitor's language)."""
    errors: dict[str, str] = {}
    if not entered["warehouse_id"]:
        errors["warehouse_id"] = _("Warehouse: choose one.")
    kind = next((k for k in MovementKind if k.value == entered["kind"]), None)
    if kind is None:
        errors["kind"] = _("Kind of movement: choose one.")
    item = _item(session, entered["item_id"], errors, _)
    amount = _amount(entered["quantity"], kind, errors, _)
    _building(session, scope, entered["building_id"], kind, errors, _)
    if len(entered["reference"]) > MAX_REFERENCE:
        errors["reference"] = _("Reference: at most 300 characters.")
    if not errors and item is not None and amount is not None and kind is not None:
        signed = rules.signed(kind, amount)
        held = supplies.balance(session=session, warehouse_id=entered["warehouse_id"], item_id=item.item_id)
        if signed < 0 and held + signed < 0:
            errors["quantity"] = _("Quantity: more than in stock. %(warehouse)s holds %(held)s %(unit)s of %(item)s.") % {
                "warehouse": session.get(Warehouse, entered["warehouse_id"]).name, "held": rules.shown(held),
                "unit": item.unit, "item": item.name}
    if errors:
        return errors, None
    try:
        return {}, MovementCreate(
            warehouse_id=entered["warehouse_id"], item_id=item.item_id, kind=kind, quantity=amount,
            building_id=entered["building_id"] or None, reference=entered["reference"] or None,
        )
    except ValidationError as invalid:
        return {"form": "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in invalid.errors())}, None


def _item(session: Session, item_id: str, errors: dict[str, str], _) -> SupplyItem | None:
    if not item_id:
        errors["item_id"] = _("Item: choose one.")
        return None
    item = session.get(SupplyItem, item_id) if _ID.match(item_id) and len(item_id) <= 64 else None
    if item is None:
        errors["item_id"] = _("Item: there is no such item in the catalogue.")
    return item


def _amount(text: str, kind: MovementKind | None, errors: dict[str, str], _) -> Decimal | None:
    if not text:
        errors["quantity"] = _("Quantity: give a number.")
        return None
    try:
        amount = rules.quantity(text)
    except InvalidInput:
        errors["quantity"] = _("Quantity: give a number with at most three decimals, like 12 or 2.5.")
        return None
    if abs(amount) >= LARGEST:
        errors["quantity"] = _("Quantity: too large.")
    elif kind is MovementKind.adjustment and amount == 0:
        errors["quantity"] = _("Quantity: an adjustment of zero changes nothing.")
    elif kind is not None and kind is not MovementKind.adjustment and amount <= 0:
        errors["quantity"] = _("Quantity: give a positive number (a count correction is an adjustment).")
    return amount if "quantity" not in errors else None


def _building(session: Session, scope: Scope, building_id: str, kind: MovementKind | None,
              errors: dict[str, str], _) -> None:
    from ringfence.areas import service as areas_service

    if kind is MovementKind.delivery and not building_id:
        errors["building_id"] = _("Building: a delivery names the building it supplies.")
    elif kind is not MovementKind.delivery and building_id:
        errors["building_id"] = _("Building: only a delivery names a building; leave it empty.")
    elif building_id:
        try:
            if not _ID.match(building_id) or len(building_id) > 64:
                raise NotFound(building_id)
            areas_service.get_building(session=session, scope=scope, building_id=building_id)
        except NotFound:
            errors["building_id"] = _("Building: there is no such building in your jurisdiction.")


def _page(request: Request, session: Session, visitor: Visitor, *, status_code: int = 200,
          entered: dict[str, str] | None = None, errors: dict[str, str] | None = None,
          recorded: dict[str, str] | None = None) -> Response:
    """The supplies page, or its part the form swaps (the form and the stock) for htmx."""
    _ = gettext_of(request, visitor)
    warehouses = supplies.get_warehouses(session=session, scope=visitor.scope)
    stock = supplies.stock(session=session, scope=visitor.scope)
    items = {i.item_id: i for i in supplies.get_items(session=session)}
    template = "sections/supplies_body.html" if is_htmx(request) else "sections/supplies.html"
    return render(request, visitor, template, status_code=status_code, current="supplies", warehouses=warehouses,
                  stock=stock, items=items, shown=rules.shown, kinds=[(k.value, _(KIND_LABELS[k])) for k in MovementKind],
                  can_edit=visitor.scope.can(Permission.SUPPLY_EDIT), entered=entered or {"kind": "receipt"},
                  errors=errors or {}, recorded=recorded)
