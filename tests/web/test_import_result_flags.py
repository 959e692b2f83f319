"""The import page's result shows the lab kinds' screening flags (pending tubes, conflicting results)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.web import world
from tests.web.test_pages import EN, log_in

from ringfence.api.app import create_app


@pytest.fixture
def client(settings, engine, session, tmp_path):
    world.build(session, settings, tmp_path / "feeds")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def upload(client: TestClient, token: str, kind: str, name: str, text: str) -> str:
    response = client.post("/imports", headers=EN, data={"kind": kind, "csrf_token": token},
                           files={"feed": (name, text.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    return response.text


def tile(page: str, count: str) -> str | None:
    found = re.search(rf'data-count="{count}">(\d+)<', page)
    return found.group(1) if found else None


def test_the_result_shows_pending_tubes_for_samples_and_conflicts_for_results(client) -> None:
    token = log_in(client, "it")
    page = upload(client, token, "samples", "samples.csv",
                  "sample_id,person_id,tube_id,collected_at\ns1,p01,T1,2022-10-02T08:00:00\n"
                  "s2,p02,T1,2022-10-02T08:00:00\n")
    assert (tile(page, "pending_tube"), tile(page, "conflicting")) == ("2", None)
    assert "Samples awaiting a tube result" in page

    page = upload(client, token, "tube-results", "results.csv",
                  "tube_id,result,reported_at\nT1,positive,2022-10-02T10:00:00\nT1,negative,2022-10-02T10:05:00\n")
    assert (tile(page, "pending_tube"), tile(page, "conflicting")) == (None, "2")
    assert "Conflicting results" in page
