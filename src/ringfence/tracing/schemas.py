"""Tracing out: the contract of `ringfence trace --json` and `/api/cases/{id}/contacts` (DESIGN.md §5),
contact records with their follow-up, and the transmission graph."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from ringfence.tracing.models import ContactStatus, Measure
from ringfence.tracing.rules import Contact, ContactCategory, ExposureVia, Interval
from ringfence.tracing.transmission import Graph


class TraceWindow(BaseModel):
    start: datetime
    end: datetime


class TracedContact(BaseModel):
    person_id: str
    category: ContactCategory
    via: ExposureVia
    through: str | None
    venue_id: str | None
    last_exposure: datetime | None
    overlap_minutes: int | None

    @classmethod
    def of(cls, contact: Contact) -> TracedContact:
        return cls(
            person_id=contact.person_id, category=contact.category, via=contact.via, through=contact.through,
            venue_id=contact.venue_id, last_exposure=contact.last_exposure, overlap_minutes=contact.overlap_minutes,
        )


class TraceRead(BaseModel):
    """`case` is the case's person_id, as `trace PERSON` names it."""

    case: str
    window: TraceWindow
    contacts: list[TracedContact]

    @classmethod
    def of(cls, person_id: str, window: Interval, contacts: list[Contact]) -> TraceRead:
        return cls(
            case=person_id, window=TraceWindow(start=window.start, end=window.end),
            contacts=[TracedContact.of(c) for c in contacts],
        )


class ContactRecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    contact_id: int
    case_id: int
    person_id: str
    category: ContactCategory
    via: ExposureVia
    through: str | None
    venue_id: str | None
    last_exposure: datetime | None
    overlap_minutes: int | None
    traced_at: datetime
    measure: Measure
    measure_until: date
    monitoring_until: date | None
    test_dates: list[str]
    status: ContactStatus


class GraphNode(BaseModel):
    person_id: str
    kind: str  # "case" | "contact"
    case_id: int | None
    cluster: int | None  # the cluster of a case; None for a contact


class GraphEdge(BaseModel):
    source: str  # the case's person_id
    target: str  # the contact's person_id
    category: ContactCategory
    via: ExposureVia
    transmission: bool  # the contact later became a case


class GraphCluster(BaseModel):
    cluster: int
    cases: list[str]
    size: int


class GraphRead(BaseModel):
    """The transmission graph as the web view draws it: node ids are person_ids."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    clusters: list[GraphCluster]

    @classmethod
    def of(cls, graph: Graph) -> GraphRead:
        nodes = [
            GraphNode(person_id=p, kind="case", case_id=c.case_id, cluster=graph.cluster_of[p])
            for p, c in sorted(graph.cases.items())
        ]
        nodes += [GraphNode(person_id=p, kind="contact", case_id=None, cluster=None) for p in graph.contacts]
        edges = [
            GraphEdge(source=e.source, target=e.target, category=e.category, via=e.via, transmission=e.transmission)
            for e in graph.edges
        ]
        clusters = [
            GraphCluster(cluster=n, cases=members, size=len(members))
            for n, members in enumerate(graph.clusters, start=1)
        ]
        return cls(nodes=nodes, edges=edges, clusters=clusters)
