"""Schemathesis against the app's own OpenAPI schema, with a valid bearer token: no input gives a 500.

Driven through schemathesis's Hypothesis strategies: its pytest loaders (from_fixture) do not run on
pytest 9, which dropped the node attribute they rewrite.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)


def fuzz(operation, headers: dict[str, str], server_errors: list[str]) -> None:
    """Send generated requests to one operation; note every answer of 500 or above."""

    @FUZZ
    @given(case=operation.as_strategy())
    def call(case) -> None:
        response = case.call(headers=headers)
        if response.status_code >= 500:
            server_errors.append(f"{case.method} {case.formatted_path} {case.query}: {response.status_code}")

    call()


def test_no_generated_request_makes_the_api_fail(world) -> None:
    # the token this run authenticates with must survive it
    api = schemathesis.openapi.from_asgi("/openapi.json", world.client.app).exclude(
        method="DELETE", path="/api/auth/token"
    )
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 10
    server_errors: list[str] = []
    for operation in operations:
        # the admin reaches /api/users and /api/audit; the commander the person register
        who = "admin" if operation.path.startswith(("/api/users", "/api/audit")) else "commander"
        fuzz(operation, world.headers(who), server_errors)
    assert server_errors == []
