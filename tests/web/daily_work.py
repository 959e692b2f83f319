"""What the isolation and supplies forms need on top of the small city of `world.py`: a second isolation
site with one room, a manager for each site, and two warehouses (one a district) with some rice in stock."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy.orm import Session
from tests.web.world import PASSWORD

from ringfence.auth import service as auth_service
from ringfence.auth.rules import Role
from ringfence.auth.schemas import UserCreate
from ringfence.isolation.models import Facility, Room
from ringfence.supplies import service as supplies
from ringfence.supplies.rules import MovementKind
from ringfence.supplies.schemas import ItemCreate, MovementCreate, WarehouseCreate

RICE_IN_STOCK = Decimal(100)


def add_isolation_managers(session: Session) -> None:
    """Site f2 (one room for one), and `iso_f1` / `iso_f2` managing f1 / f2; committed."""
    session.add(Facility(facility_id="f2", name="Erqi Inn", kind="hotel", building_id=None))
    session.flush()
    session.add(Room(facility_id="f2", room_id="s1", capacity=1))
    for username, site in (("iso_f1", "f1"), ("iso_f2", "f2")):
        auth_service.create(session=session, user_in=UserCreate(username=username, role=Role.isolation, unit_id=site,
                                                                 password=PASSWORD), actor="world")
    session.commit()


def add_warehouses(session: Session) -> None:
    """Warehouse wa in district A holding 100 kg of rice, wb in district B, and masks never moved; committed."""
    for item_id, name, unit in (("rice_kg", "Rice", "kg"), ("masks", "Masks", "piece")):
        supplies.create_item(session=session, item_in=ItemCreate(item_id=item_id, name=name, unit=unit), actor="world")
    for warehouse_id, name, area in (("wa", "Jinshui depot", "da"), ("wb", "Erqi depot", "db")):
        supplies.create_warehouse(session=session, scope=None, actor="world",
                                  warehouse_in=WarehouseCreate(warehouse_id=warehouse_id, name=name, area_id=area))
    for warehouse_id in ("wa", "wb"):
        supplies.record(session=session, scope=None, actor="world", movement_in=MovementCreate(
            warehouse_id=warehouse_id, item_id="rice_kg", kind=MovementKind.receipt, quantity=RICE_IN_STOCK))
    session.commit()


EN = {"Accept-Language": "en-GB,en;q=0.9"}


def log_in(client, username: str) -> str:
    """Log in through the form (TestClient); the CSRF token of the session."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login", headers=EN).text).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                           headers=EN, follow_redirects=False)
    assert response.status_code == 303
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/", headers=EN).text).group(1)
