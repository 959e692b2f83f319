"""Rules of the administrative tree: levels, paths, parents-before-children, coordinates. Pure."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shapely.geometry import shape

from ringfence.areas.models import LEVEL_ORDER, AreaLevel
from ringfence.core.errors import InvalidInput

GEOMETRY_TYPES = ("Polygon", "MultiPolygon", "Point", "MultiPoint", "LineString", "MultiLineString")


@dataclass(frozen=True)
class PlacedArea:
    """An area already in the tree (stored, or placed earlier in the same file)."""

    area_id: str
    level: AreaLevel
    path: str


@dataclass(frozen=True)
class AreaDraft:
    """An area row waiting for its parent; `ref` is how the caller finds the row again (a line)."""

    ref: int
    area_id: str
    parent_id: str | None
    level: AreaLevel


def parse_level(text: str) -> AreaLevel:
    try:
        return AreaLevel(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"level {text!r} is not one of: {', '.join(LEVEL_ORDER)}") from None


def child_level(level: AreaLevel) -> AreaLevel | None:
    """The level one step down (None below a community: buildings are not areas)."""
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def check_area_id(area_id: str) -> str:
    # the id becomes a segment of the path, so it cannot hold the separator
    if "/" in area_id or any(ch.isspace() for ch in area_id):
        raise InvalidInput(f"area_id {area_id!r} may not contain '/' or spaces")
    return area_id


def check_parent(level: AreaLevel, parent_id: str | None) -> None:
    """A city is a root; every other level hangs under a parent."""
    if level is AreaLevel.city and parent_id:
        raise InvalidInput("a city has no parent (leave parent_id empty)")
    if level is not AreaLevel.city and not parent_id:
        raise InvalidInput(f"a {level.value} needs a parent_id")


def check_step(parent: PlacedArea, level: AreaLevel) -> None:
    """Levels step down one at a time: city > district > subdistrict > community."""
    expected = child_level(parent.level)
    if expected is not level:
        below = f"a {expected.value}" if expected else "nothing (a community is the lowest area)"
        raise InvalidInput(
            f"parent {parent.area_id} is a {parent.level.value}: below it comes {below}, not a {level.value}"
        )


def path_of(parent: PlacedArea | None, area_id: str) -> str:
    """`/root/.../self/`: every area of a subtree has a path starting with its root's path."""
    return (parent.path if parent else "/") + area_id + "/"


def place_areas(
    drafts: Iterable[AreaDraft], placed: Mapping[str, PlacedArea]
) -> tuple[list[tuple[AreaDraft, str]], dict[int, str]]:
    """Order drafts parents-first whatever the file order; give each its path or a rejection reason.

    `placed` holds the areas already stored. Returns the placeable drafts in insertion order with
    their paths, and the reasons of the others by `ref`.
    """
    drafts = list(drafts)
    children: dict[str, list[AreaDraft]] = defaultdict(list)
    roots: list[tuple[AreaDraft, PlacedArea | None]] = []
    in_file = {d.area_id for d in drafts}
    for draft in drafts:
        if draft.parent_id is None:
            roots.append((draft, None))
        elif draft.parent_id in placed:
            roots.append((draft, placed[draft.parent_id]))
        else:
            children[draft.parent_id].append(draft)

    ordered: list[tuple[AreaDraft, str]] = []
    reasons: dict[int, str] = {}
    queue = sorted(roots, key=lambda pair: pair[0].ref)
    while queue:
        next_queue: list[tuple[AreaDraft, PlacedArea | None]] = []
        for draft, parent in queue:
            if parent is not None:
                try:
                    check_step(parent, draft.level)
                except InvalidInput as exc:
                    reasons[draft.ref] = str(exc)
                    _reject_subtree(draft.area_id, children, reasons, f"parent area {draft.area_id} was rejected")
                    continue
            path = path_of(parent, draft.area_id)
            ordered.append((draft, path))
            here = PlacedArea(draft.area_id, draft.level, path)
            next_queue.extend((child, here) for child in children.pop(draft.area_id, []))
        queue = next_queue

    for parent_id, waiting in children.items():
        reason = (
            f"parent area {parent_id} is not rooted in the tree (its own parent is missing or a cycle)"
            if parent_id in in_file
            else f"unknown parent area {parent_id}"
        )
        for draft in waiting:
            reasons.setdefault(draft.ref, reason)
    return ordered, reasons


def _reject_subtree(
    area_id: str, children: dict[str, list[AreaDraft]], reasons: dict[int, str], reason: str
) -> None:
    for child in children.pop(area_id, []):
        reasons[child.ref] = reason
        _reject_subtree(child.area_id, children, reasons, f"parent area {child.area_id} was rejected")


def parse_geometry(text: str) -> str:
    """A GeoJSON geometry (Polygon, MultiPolygon, …) as compact JSON text; InvalidInput if it is not one."""
    try:
        geometry = json.loads(text)
    except ValueError:
        raise InvalidInput("geometry is not JSON") from None
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        raise InvalidInput(f"geometry is not a GeoJSON geometry (one of: {', '.join(GEOMETRY_TYPES)})")
    try:
        shape(geometry)
    except Exception as exc:  # noqa: BLE001 — shapely/GEOS raise many kinds on bad coordinates
        raise InvalidInput(f"geometry is not valid GeoJSON {geometry['type']}: {type(exc).__name__}") from None
    return json.dumps(geometry, separators=(",", ":"), ensure_ascii=False)


def check_coordinates(lon: float, lat: float) -> None:
    """WGS 84 longitude in [-180, 180] and latitude in [-90, 90]."""
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise InvalidInput(f"lon {lon} is not a longitude in [-180, 180]")
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise InvalidInput(f"lat {lat} is not a latitude in [-90, 90]")
