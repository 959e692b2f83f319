from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

import ringfence
from ringfence.simulate.parameters import (
    DEFAULT_DWELL_MINUTES,
    DiseaseParameters,
    SimulationConfig,
    with_protocol,
)

PROTOCOL = Path(ringfence.__file__).parent / "protocols" / "covid19-cn-9.toml"


def test_the_simulators_defaults_equal_the_bundled_protocol() -> None:
    data = tomllib.loads(PROTOCOL.read_text(encoding="utf-8"))
    defaults = DiseaseParameters()
    names = {f.name for f in fields(DiseaseParameters)}
    for key, value in data["disease"].items():
        assert key in names
        assert getattr(defaults, key) == value
    assert defaults.lookback_days == data["contact"]["lookback_days"]
    assert DEFAULT_DWELL_MINUTES == data["contact"]["dwell_minutes_by_kind"]


def test_a_protocol_file_overrides_disease_values(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[disease]\nincubation_mean_days = 5.0\n[contact.dwell_minutes_by_kind]\nshop = 33\n")
    config = with_protocol(SimulationConfig(people=10, days=1), path)
    assert config.disease.incubation_mean_days == 5.0
    assert config.disease.asymptomatic_share == 0.6
    assert config.dwell_minutes["shop"] == 33
