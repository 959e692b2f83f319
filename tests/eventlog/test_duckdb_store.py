"""The DuckDB store's shared database: stores of one log share parsed footers, never each other's tables."""

from __future__ import annotations

import os
import signal
import threading
import time

import pyarrow as pa
import pytest
from tests.eventlog.worlds import scans, utc

from ringfence.config import Settings
from ringfence.eventlog import duckdb_store
from ringfence.eventlog.duckdb_store import DuckDBEventStore

COUNT = "SELECT count(*) AS n FROM scans"


def test_stores_of_one_log_share_a_database_but_each_sees_its_own_bound_tables(log_settings: Settings) -> None:
    with DuckDBEventStore(log_settings) as writer:
        writer.append("scans", scans(("p1", "v1", utc(2022, 10, 1, 1)), ("p2", "v1", utc(2022, 10, 1, 2))),
                      batch_id="b1")
    answers: dict[int, list[str]] = {}

    def ask(worker: int) -> None:
        with DuckDBEventStore(log_settings) as store:
            mine = pa.table({"person_id": [f"p{worker}"]})
            for _ in range(20):
                rows = store.query("SELECT s.person_id FROM scans s JOIN wanted w USING (person_id)",
                                   tables={"wanted": mine})
                answers.setdefault(worker, []).extend(rows.column("person_id").to_pylist())

    threads = [threading.Thread(target=ask, args=(worker,)) for worker in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == {1: ["p1"] * 20, 2: ["p2"] * 20}
    assert str(log_settings.events_dir.resolve()) in duckdb_store._databases


def test_a_forked_child_opens_its_own_database_instead_of_using_its_parents(log_settings: Settings) -> None:
    # the parent's database lost its worker threads in the fork: a child that queried it could hang
    # (a forked benchmark run did, on 4 M people), so the child must not be handed it
    with DuckDBEventStore(log_settings) as store:
        store.append("scans", scans(("p1", "v1", utc(2022, 10, 1, 1))), batch_id="b1")
        assert store.query(COUNT).column("n").to_pylist() == [1]  # the parent's database is in use
    parents = duckdb_store._database(log_settings.events_dir)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: answer through the pipe, never return into pytest
        try:
            fresh = duckdb_store._database(log_settings.events_dir) is not parents
            with DuckDBEventStore(log_settings) as mine:
                os.write(write, f"{fresh} {mine.query(COUNT).column('n')[0].as_py()}".encode())
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + 60
    while os.waitpid(child, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            raise AssertionError("the forked child hung on DuckDB")
        time.sleep(0.05)
    assert os.read(read, 64) == b"True 1"
    os.close(read)


def test_a_query_binds_only_the_views_it_names(
    log_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with DuckDBEventStore(log_settings) as store:
        store.append("scans", scans(("p1", "v1", utc(2022, 10, 1, 1))), batch_id="b1")
        listed: list[str] = []
        files = store.log.files
        monkeypatch.setattr(store.log, "files", lambda kind, *days: listed.append(kind.value) or files(kind, *days))

        assert store.query(COUNT).column("n").to_pylist() == [1]
        assert listed == ["scans"]  # neither the locations nor the by-person copy were listed

        listed.clear()
        assert store.query("SELECT count(*) AS n FROM scans_by_person").column("n").to_pylist() == [1]
        assert listed == ["scans"]
