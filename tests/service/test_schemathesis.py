"""Property-based tests of every endpoint from the service's own OpenAPI document (schemathesis).

Against the real server of ``conftest.server`` (127.0.0.1): every generated request gets no 5xx,
a documented status code and content type, and a body matching the documented schema. Examples
per operation are bounded (``MAX_EXAMPLES``) to keep CI time flat.

schemathesis's lazy pytest fixture loader does not run on pytest 9 (it reads a private node
attribute), so each operation's strategy is drawn with hypothesis directly (``as_strategy``),
which is schemathesis's documented way of embedding it in other tests.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from .conftest import Server

MAX_EXAMPLES = 30

OPERATIONS = [
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/campaigns"),
    ("GET", "/campaigns/{campaign_id}"),
    ("GET", "/campaigns/{campaign_id}/schema"),
    ("POST", "/campaigns/{campaign_id}/evaluations"),
    ("POST", "/campaigns/{campaign_id}/targets"),
    ("POST", "/campaigns/{campaign_id}/initiatives"),
    ("POST", "/validate"),
    ("GET", "/evaluations/{decision_id}"),
    ("POST", "/admin/reload"),
]


@pytest.fixture(scope="session")
def api_schema(server: Server) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json")


def test_every_operation_is_fuzzed(api_schema: schemathesis.BaseSchema) -> None:
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation(api_schema: schemathesis.BaseSchema, method: str, path: str) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate()

    check()
