"""What a simulation is asked to do, and the numbers of the synthetic world.

The disease and dwell defaults equal `protocols/covid19-cn-9.toml` ([disease], [contact]); a
protocol file given by path overrides them (read with tomllib, never through the platform).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path

CENTRE_LON, CENTRE_LAT = 113.65, 34.76  # Zhengzhou
CITY_PEOPLE = 12_600_000


class OutputFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    auto = "auto"  # registers as CSV, high-volume event kinds as Parquet


class VenueKind(StrEnum):
    restaurant = "restaurant"
    shop = "shop"
    supermarket = "supermarket"
    market = "market"
    transport_hub = "transport_hub"
    subway_station = "subway_station"
    bus_stop = "bus_stop"
    hospital = "hospital"
    clinic = "clinic"
    pharmacy = "pharmacy"
    school = "school"
    office = "office"
    factory = "factory"
    gym = "gym"
    cinema = "cinema"
    hotel = "hotel"
    mall = "mall"
    bank = "bank"
    salon = "salon"
    entertainment = "entertainment"
    park = "park"


VENUE_KINDS: tuple[VenueKind, ...] = tuple(VenueKind)
WORKPLACE_KINDS = (VenueKind.office, VenueKind.factory, VenueKind.school)

# protocol [contact.dwell_minutes_by_kind]
DEFAULT_DWELL_MINUTES: dict[str, int] = {
    "restaurant": 60, "shop": 20, "supermarket": 30, "market": 40, "transport_hub": 30,
    "subway_station": 10, "bus_stop": 10, "hospital": 90, "clinic": 30, "pharmacy": 10,
    "school": 420, "office": 480, "factory": 480, "gym": 90, "cinema": 120, "hotel": 600,
    "mall": 90, "bank": 20, "salon": 45, "entertainment": 120, "park": 60,
}

# Public venue codes (场所码, the unit a scan names) per 10,000 residents, by kind; workplaces are
# sized from the workforce. A large complex posts a code per space, not one for the whole site: a
# transport hub per waiting hall or gate (about ten), a hospital per department, a mall per floor or
# wing, a cinema per hall, a park per gate, a market per section. With one code per complex every
# visitor of a hub or mall would share a 15-minute stay with hundreds of others (the protocol's
# venue rule), and each case would have thousands of close contacts. Restaurants: about 60 catering
# outlets per 10,000 people in Chinese cities.
VENUES_PER_10K: dict[VenueKind, float] = {
    VenueKind.restaurant: 60, VenueKind.shop: 45, VenueKind.supermarket: 6, VenueKind.market: 4,
    VenueKind.transport_hub: 3, VenueKind.subway_station: 1.5, VenueKind.bus_stop: 12,
    VenueKind.hospital: 6, VenueKind.clinic: 4, VenueKind.pharmacy: 8, VenueKind.gym: 3,
    VenueKind.cinema: 5, VenueKind.hotel: 3, VenueKind.mall: 8, VenueKind.bank: 4,
    VenueKind.salon: 8, VenueKind.entertainment: 2, VenueKind.park: 5,
}
# A few very crowded places (popularity × CROWDED_FACTOR): one per CROWDED_EVERY venues, so a
# city of millions has dozens and a town of thousands none (one forced into a town of 5,000 drew a
# third of its people every day).
CROWDED_EVERY = 2000
CROWDED_FACTOR = 20

# Expected infections caused per infectious visit of unit infectiousness (times VENUE_TRANSMISSION_SCALE) (frequency-dependent
# mixing in one venue-hour): crowded, long, close-contact kinds transmit more.
VENUE_TRANSMISSION: dict[VenueKind, float] = {
    VenueKind.restaurant: 0.22, VenueKind.shop: 0.06, VenueKind.supermarket: 0.10, VenueKind.market: 0.22,
    VenueKind.transport_hub: 0.12, VenueKind.subway_station: 0.08, VenueKind.bus_stop: 0.04,
    VenueKind.hospital: 0.12, VenueKind.clinic: 0.08, VenueKind.pharmacy: 0.04, VenueKind.school: 0.35,
    VenueKind.office: 0.30, VenueKind.factory: 0.30, VenueKind.gym: 0.22, VenueKind.cinema: 0.18,
    VenueKind.hotel: 0.08, VenueKind.mall: 0.12, VenueKind.bank: 0.04, VenueKind.salon: 0.18,
    VenueKind.entertainment: 0.35, VenueKind.park: 0.02,
}

VENUE_TRANSMISSION_SCALE = 3.5  # calibrates R to an Omicron-like 2.5-3.5 before any response


class KeyGroup(StrEnum):
    courier = "courier"
    medical = "medical"
    transport = "transport"
    cold_chain = "cold_chain"
    school = "school"
    market = "market"
    delivery = "delivery"


# share of workers in each key group, and the kind of venue they work at
KEY_GROUP_SHARE: dict[KeyGroup, tuple[float, VenueKind]] = {
    KeyGroup.courier: (0.012, VenueKind.factory),
    KeyGroup.delivery: (0.015, VenueKind.office),
    KeyGroup.medical: (0.015, VenueKind.hospital),
    KeyGroup.transport: (0.010, VenueKind.transport_hub),
    KeyGroup.cold_chain: (0.004, VenueKind.factory),
    KeyGroup.school: (0.020, VenueKind.school),
    KeyGroup.market: (0.008, VenueKind.market),
}

# Chinese households, 2020 census shape (mean about 2.6)
HOUSEHOLD_SIZE_SHARES = (0.25, 0.29, 0.21, 0.13, 0.08, 0.04)


@dataclass(frozen=True)
class DiseaseParameters:
    incubation_mean_days: float = 3.0
    incubation_sd_days: float = 1.5
    serial_interval_mean_days: float = 3.0
    serial_interval_sd_days: float = 1.8
    asymptomatic_share: float = 0.6
    infectious_days: int = 8
    infectiousness_peak_day: int = 0
    lookback_days: int = 4
    # not in the protocol: the simulator's own natural-history assumptions
    asymptomatic_relative_infectiousness: float = 0.5
    household_attack: float = 0.45  # secondary attack rate in a household over a full infectious period
    pcr_positive_from_days: float = -2.0  # relative to onset (or to the would-be onset)
    pcr_positive_until_days: float = 14.0
    pcr_sensitivity: float = 0.95


@dataclass(frozen=True)
class SimulationConfig:
    """The arguments of one simulation; same config and seed give byte-identical files."""

    people: int
    days: int
    seed: int = 1
    out: Path = Path("simulation")
    start: date = date(2022, 10, 1)
    format: OutputFormat = OutputFormat.auto
    protocol_path: Path | None = None
    disease: DiseaseParameters = field(default_factory=DiseaseParameters)
    dwell_minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DWELL_MINUTES))
    default_dwell_minutes: int = 30
    index_cases: int | None = None  # default: max(5, people / 100,000)
    baseline_response: bool = True  # the outside world isolates contacts of cases it confirms
    progress: bool = False
    chunk_people: int = 1_000_000

    @property
    def seeded_index_cases(self) -> int:
        return self.index_cases if self.index_cases is not None else max(5, round(self.people / 100_000))


def with_protocol(config: SimulationConfig, path: Path) -> SimulationConfig:
    """The config with disease and dwell values taken from a protocol TOML file."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    disease = data.get("disease", {})
    contact = data.get("contact", {})
    known = set(DiseaseParameters.__dataclass_fields__)
    values = {k: v for k, v in disease.items() if k in known}
    if "lookback_days" in contact:
        values["lookback_days"] = contact["lookback_days"]
    dwell = dict(config.dwell_minutes)
    dwell.update(contact.get("dwell_minutes_by_kind", {}))
    return replace(
        config,
        protocol_path=Path(path),
        disease=replace(config.disease, **values),
        dwell_minutes=dwell,
        default_dwell_minutes=contact.get("default_dwell_minutes", config.default_dwell_minutes),
    )
