"""Cases in the jurisdiction, one case with its timeline and contacts, and the transmission graph."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from ringfence.api.deps import DbSession
from ringfence.auth.rules import Permission, Scope
from ringfence.cases import service as cases_service
from ringfence.core import audit
from ringfence.core.errors import NotFound
from ringfence.people import service as people_service
from ringfence.web.pages import CurrentVisitor, gettext_of, is_htmx, missing, pager, refuse, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
GRAPH_SIZE = 640


def _names(session, scope: Scope, person_ids: list[str]) -> dict[str, str]:
    """The names of the people shown (each read is audited by the register)."""
    if not scope.can(Permission.PERSON_READ):
        return {}
    names = {}
    for person_id in dict.fromkeys(person_ids):
        try:
            names[person_id] = people_service.get(session=session, scope=scope, person_id=person_id).name or ""
        except NotFound:
            continue  # a contact living outside the jurisdiction: shown by id only
    return names


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request, session: DbSession, visitor: CurrentVisitor,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if (refused := refuse(request, visitor, Permission.CASE_READ, current="cases")) is not None:
        return refused
    cases, total = cases_service.get_page(session=session, scope=visitor.scope, page=page, size=PAGE_SIZE)
    names = _names(session, visitor.scope, [c.person_id for c in cases])
    template = "sections/cases_rows.html" if is_htmx(request) else "sections/cases.html"
    return render(request, visitor, template, current="cases", cases=cases, names=names,
                  pager=pager(request, page, PAGE_SIZE, total))


@router.get("/cases/graph", response_class=HTMLResponse)
def transmission_graph(request: Request, session: DbSession, visitor: CurrentVisitor) -> Response:
    if (refused := refuse(request, visitor, Permission.CASE_READ, current="cases")) is not None:
        return refused
    from ringfence.tracing import service as tracing_service
    from ringfence.tracing.schemas import GraphRead

    scope = visitor.scope
    graph = GraphRead.of(tracing_service.graph(session=session, scope=scope, with_contacts=True))
    audit.record(session, user=scope.actor, action="case.graph", subject="cases", origin=scope.origin)
    _ = gettext_of(request, visitor)
    spec = json.dumps(graph_spec(graph, _), ensure_ascii=False).replace("<", "\\u003c")
    return render(request, visitor, "sections/case_graph.html", current="cases", graph=graph, spec=spec)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, session: DbSession, visitor: CurrentVisitor, case_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    if (refused := refuse(request, visitor, Permission.CASE_READ, current="cases")) is not None:
        return refused
    from ringfence.tracing import service as tracing_service

    scope = visitor.scope
    try:
        case = cases_service.get_visible(session=session, scope=scope, case_id=case_id)
    except NotFound:
        return missing(request, visitor, current="cases")
    audit.record(session, user=scope.actor, action="case.read", subject=f"case:{case_id}", origin=scope.origin)
    contacts = tracing_service.get_all(session=session, case_id=case.case_id)
    names = _names(session, scope, [case.person_id] + [c.person_id for c in contacts])
    return render(request, visitor, "sections/case.html", current="cases", case=case, contacts=contacts, names=names,
                  history=cases_service.history(session=session, case=case))


def graph_spec(graph, _) -> dict:
    """A Vega force-directed drawing of the graph: cases red, contacts grey, transmissions in red."""
    index = {node.person_id: i for i, node in enumerate(graph.nodes)}
    nodes = [{"index": i, "name": n.person_id, "kind": _(n.kind), "cluster": n.cluster or 0}
             for i, n in enumerate(graph.nodes)]
    links = [{"source": index[e.source], "target": index[e.target], "transmission": e.transmission}
             for e in graph.edges if e.source in index and e.target in index]
    return {
        "$schema": "https://vega.github.io/schema/vega/v6.json",
        "width": GRAPH_SIZE, "height": GRAPH_SIZE * 3 // 4, "padding": 8, "autosize": "none",
        "signals": [{"name": "cx", "update": "width / 2"}, {"name": "cy", "update": "height / 2"}],
        "data": [{"name": "node-data", "values": nodes}, {"name": "link-data", "values": links}],
        "scales": [{"name": "colour", "type": "ordinal", "domain": [_("case"), _("contact")],
                    "range": ["#d32f2f", "#8c959f"]}],
        "legends": [{"fill": "colour", "orient": "top-left", "title": _("Transmission graph")}],
        "marks": [
            {"name": "nodes", "type": "symbol", "zindex": 1, "from": {"data": "node-data"},
             "encode": {"enter": {"fill": {"scale": "colour", "field": "kind"}, "stroke": {"value": "#fff"},
                                  "size": {"value": 140}, "tooltip": {"field": "name"}}},
             "transform": [{"type": "force", "iterations": 300, "static": True, "signal": "force", "forces": [
                 {"force": "center", "x": {"signal": "cx"}, "y": {"signal": "cy"}},
                 {"force": "collide", "radius": 9}, {"force": "nbody", "strength": -25},
                 {"force": "link", "links": "link-data", "distance": 36}]}]},
            {"type": "path", "from": {"data": "link-data"}, "interactive": False,
             "encode": {"update": {"stroke": [{"test": "datum.transmission", "value": "#d32f2f"}, {"value": "#b0b8c1"}],
                                   "strokeWidth": [{"test": "datum.transmission", "value": 2}, {"value": 1}]}},
             "transform": [{"type": "linkpath", "require": {"signal": "force"}, "shape": "line",
                            "sourceX": "datum.source.x", "sourceY": "datum.source.y",
                            "targetX": "datum.target.x", "targetY": "datum.target.y"}]},
        ],
    }
