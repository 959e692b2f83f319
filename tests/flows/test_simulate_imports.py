"""The simulator's files import as they are: every file of the manifest, in its order, without a reject."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from ringfence.cases.models import Case
from ringfence.eventlog.kinds import UTC_TIME, EventKind
from ringfence.eventlog.parquet_log import ParquetLog
from ringfence.imports.flows import import_file
from ringfence.imports.schemas import FeedKind
from ringfence.people.models import Person
from ringfence.simulate.engine import run
from ringfence.simulate.parameters import OutputFormat, SimulationConfig
from ringfence.testing.models import Arrival

PEOPLE, DAYS = 3000, 6


@pytest.fixture(scope="module", params=[OutputFormat.auto, OutputFormat.csv, OutputFormat.parquet])
def city(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small city per format; `parquet` gives the relational kinds timestamp columns too."""
    out = tmp_path_factory.mktemp(f"city-{request.param.value}")
    run(SimulationConfig(people=PEOPLE, days=DAYS, seed=11, out=out, format=request.param))
    return out


def manifest_files(city: Path) -> list[dict]:
    return json.loads((city / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_the_manifest_lists_one_file_per_kind_with_arrivals_before_samples_and_cases(city: Path) -> None:
    files = manifest_files(city)
    kinds = [f["kind"] for f in files]
    assert sorted(kinds) == sorted(k.value for k in FeedKind)
    assert all(f["path"] in (f"{f['kind']}.csv", f"{f['kind']}.parquet") for f in files)
    assert kinds.index("people") < kinds.index("arrivals") < kinds.index("samples")
    assert kinds.index("arrivals") < kinds.index("cases")
    written = {p.name for p in city.iterdir()} - {"manifest.json", "truth.parquet"}
    assert written == {f["path"] for f in files}


def test_times_are_timestamps_in_parquet_and_local_iso_text_in_csv(city: Path) -> None:
    for feed in manifest_files(city):
        path = city / feed["path"]
        if path.suffix == ".parquet":
            schema = pq.read_schema(path)
            times = [schema.field(n).type for n in schema.names if n.endswith("_at")]
            assert all(pa.types.is_timestamp(t) and t.tz == "Asia/Shanghai" for t in times), path.name
        elif feed["kind"] in {"scans", "samples", "cases", "arrivals"}:
            first_row = path.read_text(encoding="utf-8").splitlines()[1]
            assert "+08:00" in first_row, path.name


def test_every_file_imports_in_manifest_order_without_rejects(city: Path, settings, engine) -> None:
    files = manifest_files(city)
    for feed in files:
        result = import_file(
            settings=settings, kind=FeedKind(feed["kind"]), path=city / feed["path"], actor="test", progress=False
        )
        assert (result.rejected, result.duplicates) == (0, 0), (feed["path"], result.rejects_path)
        assert result.rows == result.accepted == feed["rows"], feed["path"]

    rows = {f["kind"]: f["rows"] for f in files}
    with engine.connect() as conn:
        # arrivals are registered as people from their resident ID, so samples and cases can name them
        assert conn.scalar(select(func.count()).select_from(Person)) == PEOPLE + rows["arrivals"]
        assert conn.scalar(select(func.count()).select_from(Arrival)) == rows["arrivals"]
        assert conn.scalar(select(func.count()).select_from(Case)) == rows["cases"]
        arrival_cases = conn.scalar(
            select(func.count()).select_from(Case).join(Arrival, Arrival.person_id == Case.person_id)
        )
        person_of = dict(conn.execute(select(Person.id_number, Person.person_id)).all())
    assert arrival_cases > 0  # the file's arrival cases resolved to the people arrivals.csv created

    # each sample is stored for the person its id_number names, at the instant the file gives
    # (a Parquet timestamp or ISO text with +08:00 alike)
    sent = read_samples(city / next(f["path"] for f in files if f["kind"] == "samples"))
    expected = {row["sample_id"]: (person_of[row["id_number"]], row["collected_at"]) for row in sent.to_pylist()}
    log = ParquetLog(settings.events_dir, settings.tz)
    stored = pq.read_table([str(p) for p in log.files(EventKind.samples)]).to_pylist()
    assert {row["sample_id"]: (row["person_id"], row["collected_at"]) for row in stored} == expected


def read_samples(path: Path) -> pa.Table:
    """A samples file with its times as UTC instants, whatever the format."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return table.set_column(
            table.schema.get_field_index("collected_at"), "collected_at", table["collected_at"].cast(UTC_TIME)
        )
    types = {"collected_at": UTC_TIME, "id_number": pa.string()}
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))
