from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.service.imports.feeds import AREAS, count, feed, run, seed_city

from ringfence.areas.models import Area, Building
from ringfence.cases.models import Case
from ringfence.core.audit import AuditEntry
from ringfence.core.errors import RefusedFile
from ringfence.imports.models import ImportBatch
from ringfence.imports.reading import read_header


def test_it_refuses_a_file_missing_a_required_column_and_writes_nothing(settings, engine, tmp_path) -> None:
    rows = [{k: v for k, v in row.items() if k != "level"} for row in AREAS]
    with pytest.raises(RefusedFile, match="required column level is missing"):
        feed(settings, tmp_path, "areas", rows)
    assert count(engine, Area) == 0
    assert count(engine, ImportBatch) == 0
    assert count(engine, AuditEntry) == 0
    assert not settings.rejects_dir.exists() or not any(settings.rejects_dir.iterdir())


def test_it_refuses_gbk_bytes_whole_even_after_valid_rows(settings, engine, tmp_path) -> None:
    path = tmp_path / "areas.csv"
    lines = ["area_id,parent_id,level,name", "zz,,city,Zhengzhou"]
    lines += [f"d{i},zz,district,District {i}" for i in range(20_000)]  # past the first chunk
    lines.append("jinshui,zz,district,金水区")
    path.write_bytes("\n".join(lines).encode("gbk"))
    with pytest.raises(RefusedFile, match="not UTF-8"):
        run(settings, "areas", path)
    assert count(engine, Area) == 0
    assert count(engine, ImportBatch) == 0


def test_it_refuses_a_gbk_header_in_one_line(settings, tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes("编号,姓名\n1,张三\n".encode("gbk"))
    with pytest.raises(RefusedFile) as refused:
        run(settings, "people", path)
    assert "not UTF-8" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_it_reads_a_header_behind_a_utf8_bom(tmp_path) -> None:
    path = tmp_path / "areas.csv"
    path.write_bytes("\ufeffarea_id,parent_id,level,name\nzz,,city,郑州\n".encode())
    assert read_header(path) == ["area_id", "parent_id", "level", "name"]


def test_it_imports_a_file_with_a_bom(settings, engine, tmp_path) -> None:
    path = tmp_path / "areas.csv"
    path.write_bytes("\ufeffarea_id,parent_id,level,name\nzz,,city,郑州\n".encode())
    result = run(settings, "areas", path)
    assert (result.accepted, result.rejected) == (1, 0)
    with engine.connect() as conn:
        assert conn.execute(Area.__table__.select()).one().name == "郑州"


def test_it_refuses_an_empty_file(settings, tmp_path) -> None:
    path = tmp_path / "areas.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(RefusedFile, match="empty"):
        run(settings, "areas", path)


def test_it_refuses_an_unknown_extension_and_a_missing_file(settings, tmp_path) -> None:
    sheet = tmp_path / "areas.xlsx"
    sheet.write_bytes(b"PK")
    with pytest.raises(RefusedFile, match=r"\.xlsx"):
        run(settings, "areas", sheet)
    with pytest.raises(RefusedFile, match="no such file"):
        run(settings, "areas", tmp_path / "nowhere.csv")


def test_it_refuses_a_file_naming_people_by_no_person_column(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    rows = [{"name": "x", "classification": "confirmed", "confirmed_at": "2022-10-01T08:00"}]
    with pytest.raises(RefusedFile, match="required column person is missing"):
        feed(settings, tmp_path, "cases", rows)
    assert count(engine, Case) == 0


def test_it_refuses_a_file_naming_people_two_ways(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    rows = [{"person_id": "P1", "id_number": "x", "classification": "confirmed", "confirmed_at": "2022-10-01"}]
    with pytest.raises(RefusedFile, match="both person_id and id_number"):
        feed(settings, tmp_path, "cases", rows)
    assert count(engine, Case) == 0


def test_it_refuses_geojson_for_kinds_other_than_areas(settings, tmp_path) -> None:
    path = tmp_path / "buildings.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(RefusedFile, match="areas only"):
        run(settings, "buildings", path)


def test_a_row_with_the_wrong_number_of_fields_is_rejected_alone(settings, engine, tmp_path) -> None:
    path = tmp_path / "areas.csv"
    path.write_text("area_id,parent_id,level,name\nzz,,city,Zhengzhou\nbroken,zz,district\n", encoding="utf-8")
    result = run(settings, "areas", path)
    assert (result.rows, result.accepted, result.rejected) == (2, 1, 1)
    assert count(engine, Area) == 1


def test_a_quoted_field_across_lines_keeps_the_line_numbers_of_the_file(settings, engine, tmp_path) -> None:
    seed_city(settings, tmp_path)
    path = tmp_path / "buildings.csv"
    path.write_text(
        'building_id,community_id,address,lon,lat\n'
        'b3,k1,"3 Weilai Road\nEast Gate",113.7,34.7\n'
        'b4,k1,4 Weilai Road,not-a-number,34.7\n',
        encoding="utf-8",
    )
    result = run(settings, "buildings", path)
    assert result.rejected == 1
    with open(result.rejects_path, encoding="utf-8") as handle:
        assert handle.read().splitlines()[1].startswith("4,")
    with engine.connect() as conn:
        address = conn.execute(select(Building.address).where(Building.building_id == "b3")).scalar_one()
    assert address == "3 Weilai Road\nEast Gate"
