"""`ringfence supplies …`: the catalogue, warehouses, stock movements, needs and the shortfall forecast."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.terminal import cli_actor, emit, emit_json, unit_of_work

supplies_app = typer.Typer(help="Supplies for sealed buildings: catalogue, stock ledger, needs, forecast.",
                           no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
BuildingsOption = Annotated[list[str], typer.Option("--building", help="a sealed building id (repeat for each)")]


def _valid(model, **values):
    """The model, or one line naming the first bad field (exit 2)."""
    from pydantic import ValidationError

    from ringfence.core.errors import InvalidInput

    try:
        return model(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise InvalidInput(f"{where}: {first.get('msg', 'invalid')}") from None


def _buildings(values: list[str] | None) -> list[str]:
    from ringfence.core.errors import InvalidInput

    if not values:
        raise InvalidInput("name the sealed buildings with --building (repeat for each)")
    return values


@supplies_app.command("items")
def items(
    add: Annotated[str | None, typer.Option("--add", help="add an item with this id")] = None,
    unit: Annotated[str | None, typer.Option(help="the new item's unit (kg, l, piece…)")] = None,
    name: Annotated[str | None, typer.Option(help="the new item's name")] = None,
    json_output: JsonFlag = False,
) -> None:
    """The item catalogue; with --add ID --unit U, add an item first."""
    from ringfence.core.errors import InvalidInput
    from ringfence.supplies import service as supplies_service
    from ringfence.supplies.schemas import ItemCreate, ItemRead

    with unit_of_work() as session:
        if add is not None:
            if unit is None:
                raise InvalidInput("a new item needs its --unit")
            supplies_service.create_item(session=session, item_in=_valid(ItemCreate, item_id=add, unit=unit, name=name),
                                         actor=cli_actor())
        shown = [ItemRead.model_validate(i).model_dump(mode="json") for i in supplies_service.get_items(session=session)]
    if json_output:
        emit_json({"items": shown})
        return
    for item in shown:
        typer.echo(f"{item['item_id']:<20} {item['unit']:<8} {item['name']}")


@supplies_app.command("warehouses")
def warehouses(
    add: Annotated[str | None, typer.Option("--add", help="add a warehouse with this id")] = None,
    area: Annotated[str | None, typer.Option(help="the new warehouse's area id")] = None,
    name: Annotated[str | None, typer.Option(help="the new warehouse's name")] = None,
    json_output: JsonFlag = False,
) -> None:
    """The warehouses; with --add ID --area A, add one first."""
    from ringfence.core.errors import InvalidInput
    from ringfence.supplies import service as supplies_service
    from ringfence.supplies.schemas import WarehouseCreate, WarehouseRead

    with unit_of_work() as session:
        if add is not None:
            if area is None:
                raise InvalidInput("a new warehouse needs its --area")
            warehouse_in = _valid(WarehouseCreate, warehouse_id=add, area_id=area, name=name)
            supplies_service.create_warehouse(session=session, scope=None, warehouse_in=warehouse_in, actor=cli_actor())
        shown = [WarehouseRead.model_validate(w).model_dump(mode="json")
                 for w in supplies_service.get_warehouses(session=session, scope=None)]
    if json_output:
        emit_json({"warehouses": shown})
        return
    for w in shown:
        typer.echo(f"{w['warehouse_id']:<20} area {w['area_id']:<12} {w['name']}")


def _move(kind: str, warehouse: str, item: str, quantity: str, building: str | None, reference: str | None,
          json_output: bool) -> None:
    from ringfence.supplies import service as supplies_service
    from ringfence.supplies.schemas import MovementCreate

    movement_in = _valid(MovementCreate, warehouse_id=warehouse, item_id=item, kind=kind, quantity=quantity,
                         building_id=building, reference=reference)
    with unit_of_work() as session:
        movement = supplies_service.record(session=session, scope=None, movement_in=movement_in, actor=cli_actor())
        left = supplies_service.balance(session=session, warehouse_id=warehouse, item_id=item)
        document = {"movement_id": movement.movement_id, "kind": movement.kind.value, "warehouse_id": warehouse,
                    "item_id": item, "quantity": str(movement.quantity), "balance": str(left)}
    emit(document, json_output, f"{kind} {document['quantity']} {item} at {warehouse}; balance {document['balance']}")


Warehouse = Annotated[str, typer.Argument(help="warehouse id")]
Item = Annotated[str, typer.Argument(help="item id")]
Quantity = Annotated[str, typer.Argument(help="quantity in the item's unit (up to three decimals)")]
Reference = Annotated[str | None, typer.Option(help="supplier, order or note, for the ledger")]


@supplies_app.command("receive")
def receive(warehouse: Warehouse, item: Item, quantity: Quantity, reference: Reference = None,
            json_output: JsonFlag = False) -> None:
    """Record stock received into a warehouse."""
    _move("receipt", warehouse, item, quantity, None, reference, json_output)


@supplies_app.command("issue")
def issue(
    warehouse: Warehouse, item: Item, quantity: Quantity,
    to: Annotated[str | None, typer.Option("--to", help="deliver to this building's residents")] = None,
    reference: Reference = None, json_output: JsonFlag = False,
) -> None:
    """Record stock leaving a warehouse (a delivery with --to BUILDING); never below zero."""
    _move("delivery" if to else "issue", warehouse, item, quantity, to, reference, json_output)


@supplies_app.command("adjust")
def adjust(warehouse: Warehouse, item: Item, quantity: Annotated[str, typer.Argument(help="signed correction")],
           reference: Reference = None, json_output: JsonFlag = False) -> None:
    """Correct a count with a signed adjustment (the ledger is never edited)."""
    _move("adjustment", warehouse, item, quantity, None, reference, json_output)


@supplies_app.command("stock")
def stock(
    warehouse: Annotated[str | None, typer.Option(help="only this warehouse")] = None,
    json_output: JsonFlag = False,
) -> None:
    """The balance of each item in each warehouse."""
    from ringfence.supplies import service as supplies_service

    with unit_of_work() as session:
        rows = supplies_service.stock(session=session, scope=None, warehouse_id=warehouse)
    if json_output:
        emit_json({"stock": [r.model_dump(mode="json") for r in rows]})
        return
    for r in rows:
        typer.echo(f"{r.warehouse_id:<16} {r.item_id:<16} {r.quantity} {r.unit or ''}")


@supplies_app.command("needs")
def needs(
    building: BuildingsOption = None,  # type: ignore[assignment]
    day: Annotated[str | None, typer.Option(help="the day (default: today)")] = None,
    deliver: Annotated[bool, typer.Option("--deliver", help="also create the day's delivery tasks")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Daily needs of sealed buildings: residents × the protocol's rations (and delivery tasks)."""
    from ringfence.config import get_settings
    from ringfence.core import clock
    from ringfence.protocols import service as protocols
    from ringfence.supplies import service as supplies_service

    settings = get_settings()
    protocol = protocols.load(settings.protocol)
    the_day = clock.parse_date(day) if day else clock.local_day(clock.now(), settings.tz)
    buildings = _buildings(building)
    with unit_of_work(settings) as session:
        report = supplies_service.needs(session=session, buildings=buildings, day=the_day, protocol=protocol)
        tasks = (supplies_service.plan_deliveries(session=session, buildings=buildings, day=the_day, protocol=protocol,
                                                  actor=cli_actor(), tz=settings.tz) if deliver else None)
    if json_output:
        emit_json({**report.model_dump(mode="json"), **({"tasks": tasks} if tasks is not None else {})})
        return
    for row in report.buildings:
        typer.echo(f"{row.building_id}: {row.residents} residents — "
                   + ", ".join(f"{i} {q}" for i, q in row.needs.items()))
    typer.echo("total: " + ", ".join(f"{i} {q}" for i, q in report.total.items()))
    if tasks is not None:
        typer.echo(f"delivery tasks: {tasks['created']} created, {tasks['existing']} already there")


@supplies_app.command("forecast")
def forecast(
    building: BuildingsOption = None,  # type: ignore[assignment]
    days: Annotated[int, typer.Option(min=1, max=365, help="days ahead")] = 14,
    start: Annotated[str | None, typer.Option(help="first day (default: today)")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Stock minus the sealed buildings' cumulative needs, and the first day each item runs short."""
    from ringfence.config import get_settings
    from ringfence.core import clock
    from ringfence.protocols import service as protocols
    from ringfence.supplies import service as supplies_service

    settings = get_settings()
    first = clock.parse_date(start) if start else clock.local_day(clock.now(), settings.tz)
    buildings = _buildings(building)
    with unit_of_work(settings) as session:
        outlook = supplies_service.forecast(session=session, buildings=buildings, start=first, days=days,
                                            protocol=protocols.load(settings.protocol))
    if json_output:
        emit_json({"start": first.isoformat(), "days": days, "buildings": buildings,
                   "items": [i.model_dump(mode="json") for i in outlook]})
        return
    for item in outlook:
        short = f"short from {item.shortfall_on}" if item.shortfall_on else f"covers all {days} days"
        typer.echo(f"{item.item_id:<16} stock {item.stock} {item.unit or ''}, needs {item.daily_need}/day: {short}")
