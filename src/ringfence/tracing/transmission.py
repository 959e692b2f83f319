"""The transmission graph across cases: who was exposed to whom, and the clusters it makes. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ringfence.tracing.rules import ContactCategory, ExposureVia


@dataclass(frozen=True)
class CaseNode:
    person_id: str
    case_id: int
    confirmed_at: datetime


@dataclass(frozen=True)
class Exposure:
    case_person: str  # the case traced
    contact_person: str
    category: ContactCategory
    via: ExposureVia


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    category: ContactCategory
    via: ExposureVia
    transmission: bool


@dataclass(frozen=True)
class Graph:
    cases: dict[str, CaseNode]
    contacts: list[str]  # people exposed who are not (yet) cases
    edges: list[Edge]
    cluster_of: dict[str, int]  # case person -> cluster number
    clusters: list[list[str]]  # biggest first; numbered by position


def transmission_graph(cases: Iterable[CaseNode], exposures: Iterable[Exposure]) -> Graph:
    """Edges case → contact; the edge is a transmission when the contact was confirmed later than the case.

    Clusters are the connected components of cases joined by transmissions (a case alone is a cluster
    of one), numbered from 1, biggest first, ties by their earliest case's person_id.
    """
    by_person = {c.person_id: c for c in cases}
    parent = {p: p for p in by_person}

    def root(p: str) -> str:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    edges: list[Edge] = []
    contacts: set[str] = set()
    for e in exposures:
        source, target = by_person.get(e.case_person), by_person.get(e.contact_person)
        transmission = source is not None and target is not None and target.confirmed_at > source.confirmed_at
        edges.append(Edge(e.case_person, e.contact_person, e.category, e.via, transmission))
        if target is None:
            contacts.add(e.contact_person)
        if transmission:
            parent[root(e.contact_person)] = root(e.case_person)

    components: dict[str, list[str]] = {}
    for p in sorted(by_person):
        components.setdefault(root(p), []).append(p)
    clusters = sorted(components.values(), key=lambda members: (-len(members), members[0]))
    cluster_of = {p: number for number, members in enumerate(clusters, start=1) for p in members}
    edges.sort(key=lambda e: (e.source, e.target))
    return Graph(by_person, sorted(contacts), edges, cluster_of, clusters)
