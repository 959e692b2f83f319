"""The synthetic city: buildings, venues, households, people, facilities and enterprises.

People are numbered household by household and households building by building, so a
building's residents, a household's members and a district's people are contiguous ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ringfence.simulate import identity
from ringfence.simulate.geography import Geography, addresses, build_geography, points_in_communities
from ringfence.simulate.parameters import (
    CROWDED_EVERY,
    CROWDED_FACTOR,
    HOUSEHOLD_SIZE_SHARES,
    KEY_GROUP_SHARE,
    VENUE_KINDS,
    VENUES_PER_10K,
    KeyGroup,
    SimulationConfig,
    VenueKind,
)

CHOICE_SLOTS = 1 << 16  # resolution of the venue-popularity lookup tables
KIND_INDEX = {kind: i for i, kind in enumerate(VENUE_KINDS)}
KEY_GROUPS = tuple(KeyGroup)
NO_BUILDING_KINDS = (VenueKind.bus_stop, VenueKind.subway_station, VenueKind.park)
KIND_LABEL = {
    "restaurant": "餐厅", "shop": "便利店", "supermarket": "超市", "market": "农贸市场", "transport_hub": "客运枢纽",
    "subway_station": "地铁站", "bus_stop": "公交站", "hospital": "医院", "clinic": "诊所", "pharmacy": "大药房",
    "school": "学校", "office": "写字楼", "factory": "工厂", "gym": "健身房", "cinema": "影城", "hotel": "酒店",
    "mall": "购物中心", "bank": "银行", "salon": "理发店", "entertainment": "KTV", "park": "公园",
}
# share of public (non-work) visits going to each kind
VISIT_SHARE: dict[VenueKind, float] = {
    VenueKind.restaurant: 0.22, VenueKind.shop: 0.15, VenueKind.supermarket: 0.12, VenueKind.market: 0.05,
    VenueKind.transport_hub: 0.04, VenueKind.subway_station: 0.12, VenueKind.bus_stop: 0.10,
    VenueKind.hospital: 0.02, VenueKind.clinic: 0.02, VenueKind.pharmacy: 0.03, VenueKind.gym: 0.02,
    VenueKind.cinema: 0.01, VenueKind.hotel: 0.01, VenueKind.mall: 0.04, VenueKind.bank: 0.02,
    VenueKind.salon: 0.01, VenueKind.entertainment: 0.01, VenueKind.park: 0.01,
}
INDUSTRIES = ["manufacturing", "logistics", "food", "retail", "software", "construction", "pharmaceuticals",
              "automotive", "electronics", "finance"]
FACILITY_KINDS = ["hotel", "cabin_hospital", "dormitory"]


@dataclass
class City:
    geography: Geography
    # buildings (residential first)
    building_community: np.ndarray
    building_lon: np.ndarray
    building_lat: np.ndarray
    building_ids: pa.Array
    residential_buildings: int
    # venues
    venue_kind: np.ndarray
    venue_building: np.ndarray  # -1: none
    venue_lon: np.ndarray
    venue_lat: np.ndarray
    venue_ids: pa.Array
    venue_dwell: np.ndarray  # minutes
    public_choice: np.ndarray  # (districts + 1, CHOICE_SLOTS) venue indices; last row citywide
    # households and people
    household_start: np.ndarray
    household_size: np.ndarray
    person_household: np.ndarray
    person_building: np.ndarray
    person_district: np.ndarray
    person_community: np.ndarray
    person_workplace: np.ndarray  # venue index, -1: none
    person_key_group: np.ndarray  # index into KEY_GROUPS, -1: none
    person_ids: pa.Array
    id_numbers: pa.Array
    phones: pa.Array
    # registers written once
    tables: dict[str, pa.Table]

    @property
    def people(self) -> int:
        return len(self.person_household)

    def venues_of(self, *kinds: VenueKind) -> np.ndarray:
        return np.flatnonzero(np.isin(self.venue_kind, [KIND_INDEX[k] for k in kinds]))


def _households(rng: np.random.Generator, people: int) -> np.ndarray:
    shares = np.array(HOUSEHOLD_SIZE_SHARES) / sum(HOUSEHOLD_SIZE_SHARES)
    sizes = rng.choice(np.arange(1, len(shares) + 1), size=int(people / 2.4) + 10, p=shares)
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, people)) + 1
    sizes = sizes[:count].copy()
    sizes[-1] -= ends[count - 1] - people
    return sizes[sizes > 0]


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    bands = np.array([[0, 15], [15, 25], [25, 60], [60, 90]])
    band = rng.choice(4, size=n, p=[0.16, 0.11, 0.55, 0.18])
    return bands[band, 0] + rng.random(n) * (bands[band, 1] - bands[band, 0])


def _choose_near(rng, person_district, candidates, candidate_district, stay_share) -> np.ndarray:
    """A candidate per person: in their own district with `stay_share`, else anywhere."""
    order = np.argsort(candidate_district, kind="stable")
    candidates, candidate_district = candidates[order], candidate_district[order]
    n_d = int(max(person_district.max(initial=0), candidate_district.max(initial=0))) + 1
    counts = np.bincount(candidate_district, minlength=n_d)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    u = rng.random(len(person_district))
    local = (rng.random(len(person_district)) < stay_share) & (counts[person_district] > 0)
    pick = np.where(
        local,
        starts[person_district] + (u * counts[person_district]).astype(np.int64),
        (u * len(candidates)).astype(np.int64),
    )
    return candidates[np.minimum(pick, len(candidates) - 1)]


def _lookup_table(weights: np.ndarray, venues: np.ndarray) -> np.ndarray:
    """CHOICE_SLOTS venue indices, each venue in proportion to its weight."""
    share = weights / weights.sum()
    slots = np.floor(share * CHOICE_SLOTS).astype(np.int64)
    slots[np.argmax(share)] += CHOICE_SLOTS - slots.sum()
    return np.repeat(venues, slots)


def build_city(config: SimulationConfig, rng: np.random.Generator) -> City:
    """The whole register side of the city, deterministic for a generator state."""
    n = config.people
    geo = build_geography(n, rng)
    n_comm = len(geo.community_district)
    n_d = len(geo.district_codes)

    # households and residential buildings
    hh_size = _households(rng, n)
    hh_start = np.concatenate([[0], np.cumsum(hh_size)[:-1]])
    residential = max(n_comm, round(n / 150))
    capacity = np.cumsum(rng.gamma(4.0, 1.0, residential))
    hh_building = np.searchsorted(capacity / capacity[-1], (np.arange(len(hh_size)) + 0.5) / len(hh_size))
    res_community = np.arange(residential) * n_comm // residential
    person_household = np.repeat(np.arange(len(hh_size)), hh_size).astype(np.int32)
    person_building = hh_building[person_household].astype(np.int32)
    person_community = res_community[person_building].astype(np.int32)
    person_district = geo.community_district[person_community].astype(np.int16)
    people_per_community = np.bincount(person_community, minlength=n_comm)

    # venues: public kinds by population, workplaces by workforce
    ages = _ages(rng, n)
    working_age = (ages >= 22) & (ages < 60)
    worker = working_age & (rng.random(n) < 0.78)
    student = (ages >= 6) & (ages < 18)
    kinds: list[int] = []
    for kind, per_10k in VENUES_PER_10K.items():
        kinds += [KIND_INDEX[kind]] * max(1, round(n / 10_000 * per_10k))
    workers = int(worker.sum())
    kinds += [KIND_INDEX[VenueKind.office]] * max(1, round(workers * 0.6 / 60))
    kinds += [KIND_INDEX[VenueKind.factory]] * max(1, round(workers * 0.4 / 150))
    kinds += [KIND_INDEX[VenueKind.school]] * max(1, round(int(student.sum()) / 800))
    venue_kind = np.array(kinds, dtype=np.int16)
    n_v = len(venue_kind)
    venue_community = rng.choice(n_comm, size=n_v, p=people_per_community / n)
    needs_building = ~np.isin(venue_kind, [KIND_INDEX[k] for k in NO_BUILDING_KINDS])
    venue_building = np.full(n_v, -1, dtype=np.int64)
    with_building = np.flatnonzero(needs_building)
    commercial = (len(with_building) + 2) // 3
    venue_building[with_building] = residential + np.arange(len(with_building)) // 3
    commercial_community = venue_community[with_building[::3]]

    # isolation facilities: rooms for ~0.4% of the population, ~300 rooms each, own buildings
    rooms_total = max(60, round(n * 0.004))
    n_facilities = max(1, round(rooms_total / 300))
    facility_community = rng.choice(n_comm, size=n_facilities)
    building_community = np.concatenate([res_community, commercial_community, facility_community])
    n_b = len(building_community)
    b_lon, b_lat = points_in_communities(rng, geo, building_community)
    building_ids = identity.prefixed_ids("B", np.arange(n_b), 7)
    b_number = np.concatenate([np.arange(residential), np.arange(commercial), np.arange(n_facilities)])
    suffix = np.concatenate([np.zeros(residential, int), np.ones(commercial, int), np.full(n_facilities, 2)])
    address = pc.if_else(
        pa.array(suffix == 0),
        addresses(geo, building_community, b_number % 200 + 1, "号楼"),
        addresses(geo, building_community, b_number % 500 + 1, "号"),
    )

    v_lon = np.where(venue_building >= 0, b_lon[np.maximum(venue_building, 0)], 0.0)
    v_lat = np.where(venue_building >= 0, b_lat[np.maximum(venue_building, 0)], 0.0)
    loose = venue_building < 0
    if loose.any():
        lon, lat = points_in_communities(rng, geo, venue_community[loose])
        v_lon[loose], v_lat[loose] = lon, lat
    venue_district = geo.community_district[venue_community]
    dwell_by_kind = np.array([config.dwell_minutes.get(k.value, config.default_dwell_minutes) for k in VENUE_KINDS])
    venue_dwell = dwell_by_kind[venue_kind].astype(np.int32)
    venue_ids = identity.prefixed_ids("V", np.arange(n_v), 7)

    # workplaces and key groups
    workplace = np.full(n, -1, dtype=np.int64)
    key_group = np.full(n, -1, dtype=np.int64)
    draw = rng.random(n)
    edge = 0.0
    for g, (group, (share, kind)) in enumerate(KEY_GROUP_SHARE.items()):
        members = worker & (draw >= edge) & (draw < edge + share)
        edge += share
        key_group[members] = g
        pool = np.flatnonzero(venue_kind == KIND_INDEX[kind])
        idx = np.flatnonzero(members)
        workplace[idx] = _choose_near(rng, person_district[idx], pool, venue_district[pool], 0.8)
    plain = np.flatnonzero(worker & (key_group < 0))
    offices = np.flatnonzero(np.isin(venue_kind, [KIND_INDEX[VenueKind.office], KIND_INDEX[VenueKind.factory]]))
    workplace[plain] = _choose_near(rng, person_district[plain], offices, venue_district[offices], 0.7)
    pupils = np.flatnonzero(student)
    schools = np.flatnonzero(venue_kind == KIND_INDEX[VenueKind.school])
    workplace[pupils] = _choose_near(rng, person_district[pupils], schools, venue_district[schools], 0.95)

    # public venue popularity: lognormal within kind; a few very crowded places
    weight = np.zeros(n_v)
    for kind, share in VISIT_SHARE.items():
        members = venue_kind == KIND_INDEX[kind]
        weight[members] = share / members.sum() * rng.lognormal(0.0, 0.8, int(members.sum()))
    crowded = rng.choice(np.flatnonzero(weight > 0), size=n_v // CROWDED_EVERY, replace=False)
    weight[crowded] *= CROWDED_FACTOR
    public_choice = np.empty((n_d + 1, CHOICE_SLOTS), dtype=np.int32)
    for d in range(n_d):
        local = np.flatnonzero((venue_district == d) & (weight > 0))
        if len(local) == 0:
            local = np.flatnonzero(weight > 0)
        public_choice[d] = _lookup_table(weight[local], local)
    everywhere = np.flatnonzero(weight > 0)
    public_choice[n_d] = _lookup_table(weight[everywhere], everywhere)

    # people register
    male = rng.random(n) < 0.51
    start_day = (config.start - date(1970, 1, 1)).days
    birth_days = (start_day - ages * 365.25).astype(np.int64)
    id_numbers = identity.resident_ids(geo.district_codes[person_district], birth_days, male)
    person_ids = identity.prefixed_ids("P", np.arange(n), 8)
    phones = identity.phone_numbers(np.arange(n), seed=config.seed)
    kg_names = pa.array([g.value for g in KEY_GROUPS] + [None], pa.string())
    people = pa.table({
        "person_id": person_ids,
        "name": identity.names(rng, n),
        "id_number": id_numbers,
        "phone": phones,
        "sex": pa.array(np.where(male, "male", "female")),
        "birth_date": pa.array(birth_days.astype("datetime64[D]"), pa.date32()),
        "building_id": building_ids.take(pa.array(person_building)),
        "household_id": identity.prefixed_ids("H", person_household, 8),
        "workplace_id": venue_ids.take(pa.array(np.where(workplace >= 0, workplace, None), pa.int64())),
        "key_group": kg_names.take(pa.array(np.where(key_group >= 0, key_group, len(KEY_GROUPS)))),
    })

    kind_names = pa.array([k.value for k in VENUE_KINDS], pa.string())
    labels = pa.array([KIND_LABEL[k.value] for k in VENUE_KINDS], pa.string())
    venue_name = pc.binary_join_element_wise(
        geo.community_names.take(pa.array(venue_community)),
        labels.take(pa.array(venue_kind)),
        pc.cast(pa.array(np.arange(n_v) % 97 + 1), pa.string()),
        "",
    )
    venues = pa.table({
        "venue_id": venue_ids,
        "name": venue_name,
        "kind": kind_names.take(pa.array(venue_kind)),
        "lon": v_lon,
        "lat": v_lat,
        "building_id": building_ids.take(pa.array(np.where(venue_building >= 0, venue_building, None), pa.int64())),
        "dwell_minutes": pa.array(venue_dwell, pa.int32()),
    })
    buildings = pa.table({
        "building_id": building_ids,
        "community_id": geo.community_ids.take(pa.array(building_community)),
        "address": address,
        "lon": b_lon,
        "lat": b_lat,
    })

    facility_building = residential + commercial + np.arange(n_facilities)
    facility_ids = identity.prefixed_ids("F", np.arange(n_facilities), 4)
    facilities = pa.table({
        "facility_id": facility_ids,
        "name": pc.binary_join_element_wise(
            geo.community_names.take(pa.array(facility_community)), pa.array(["集中隔离点"] * n_facilities), ""
        ),
        "kind": pa.array([FACILITY_KINDS[i % len(FACILITY_KINDS)] for i in range(n_facilities)], pa.string()),
        "building_id": building_ids.take(pa.array(facility_building)),
    })
    room_facility = np.arange(rooms_total) * n_facilities // rooms_total
    rooms = pa.table({
        "facility_id": facility_ids.take(pa.array(room_facility)),
        "room_id": identity.prefixed_ids("R", np.arange(rooms_total), 7),
        "capacity": pa.array(rng.choice([1, 2, 3], size=rooms_total, p=[0.5, 0.35, 0.15]), pa.int32()),
    })

    firms = offices
    whitelisted = rng.random(len(firms)) < 0.3
    enterprises = pa.table({
        "enterprise_id": identity.prefixed_ids("E", np.arange(len(firms)), 6),
        "name": pc.binary_join_element_wise(
            "郑州", venue_name.take(pa.array(firms)), pa.array(["有限公司"] * len(firms)), ""
        ),
        "building_id": building_ids.take(pa.array(venue_building[firms])),
        "industry": pa.array(INDUSTRIES).take(pa.array(rng.integers(0, len(INDUSTRIES), len(firms)))),
        "whitelisted": pa.array(whitelisted),
        "closed_loop": pa.array(whitelisted & (rng.random(len(firms)) < 0.4)),
    })

    return City(
        geography=geo,
        building_community=building_community,
        building_lon=b_lon,
        building_lat=b_lat,
        building_ids=building_ids,
        residential_buildings=residential,
        venue_kind=venue_kind,
        venue_building=venue_building,
        venue_lon=v_lon,
        venue_lat=v_lat,
        venue_ids=venue_ids,
        venue_dwell=venue_dwell,
        public_choice=public_choice,
        household_start=hh_start,
        household_size=hh_size,
        person_household=person_household,
        person_building=person_building,
        person_district=person_district,
        person_community=person_community,
        person_workplace=workplace.astype(np.int32),
        person_key_group=key_group.astype(np.int8),
        person_ids=person_ids,
        id_numbers=id_numbers,
        phones=phones,
        tables={
            "areas": geo.areas, "buildings": buildings, "people": people, "venues": venues,
            "facilities": facilities, "rooms": rooms, "enterprises": enterprises,
        },
    )
