"""A phone as a number in the by-place copy (`views.PHONE_KEY`): the same on DuckDB, Spark and in Python,
one number per phone and back, and none for text that is no register's phone."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from ringfence.eventlog.views import PHONE_KEY, phone_key, phone_of_key
from ringfence.people.rules import normalise_phone

KEYED = ["13800000001", "0371", "1", "03712345678", "9" * 17, "+4420", "+86", "+" + "0" * 17]
UNKEYED = ["", "+", "9" * 18, "+" + "1" * 18, "138-0000-0001", " 138", "138 ", "1a", "+-1", "++1", "１３８",
           "١٢٣", "1.5", "1e5", "-1", None]


def duckdb_keys(phones: list[str | None]) -> list[int | None]:
    with duckdb.connect() as con:
        con.register("p", pa.table({"phone": pa.array(phones, pa.string()), "n": range(len(phones))}))
        return [row[0] for row in con.sql(f"SELECT {PHONE_KEY} FROM p ORDER BY n").fetchall()]


def test_digits_or_a_plus_and_digits_have_a_number_and_nothing_else_has() -> None:
    assert [phone_key(p) for p in KEYED] == [
        113800000001, 10371, 11, 103712345678, int("1" + "9" * 17), 24420, 286, int("2" + "0" * 17)]
    assert [phone_key(p) for p in UNKEYED] == [None] * len(UNKEYED)


def test_duckdb_numbers_phones_as_python_does_and_the_numbers_give_the_phones_back() -> None:
    phones = KEYED + UNKEYED
    assert duckdb_keys(phones) == [phone_key(p) for p in phones]
    assert phone_of_key(pa.array([phone_key(p) for p in KEYED], pa.int64())).to_pylist() == KEYED


def test_every_phone_the_register_keeps_has_a_number() -> None:
    for text in ["138 0000 0001", "+86 138-0000-0001", "0086 13800000001", "0371-6666 8888", "+44 20 7946 0958"]:
        assert phone_key(normalise_phone(text)) is not None


@pytest.mark.spark
def test_spark_numbers_phones_as_python_does(spark_engine) -> None:
    from pyspark.sql.functions import expr

    from ringfence.eventlog.spark_store import spark_session

    phones = KEYED + UNKEYED
    frame = spark_session().createDataFrame([(n, p) for n, p in enumerate(phones)], "n INT, phone STRING")
    rows = frame.withColumn("key", expr(PHONE_KEY)).orderBy("n").collect()
    assert [row["key"] for row in rows] == [phone_key(p) for p in phones]
