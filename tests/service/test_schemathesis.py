"""Property-based tests of every endpoint from the service's own OpenAPI document (schemathesis).

Against the real server of ``conftest.server`` (127.0.0.1): every generated request gets no 5xx,
a documented status code and content type, and a body matching the documented schema; bodies
generated to break the schema (negative mode) are refused with a 4xx and never logged. Examples
per operation are bounded (``MAX_EXAMPLES``) to keep CI time flat.

schemathesis's lazy pytest fixture loader does not run on pytest 9 (it reads a private node
attribute), so each operation's strategy is drawn with hypothesis directly (``as_strategy``),
which is schemathesis's documented way of embedding it in other tests.
"""

from __future__ import annotations

import json
import os

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core import NotSet
from schemathesis.specs.openapi.checks import positive_data_acceptance

from emulation_rules.service.decisions import DecisionLog
from emulation_rules.service.schemas import FACTS_REQUEST_SCHEMA

from .conftest import Server

MAX_EXAMPLES = 30
# per decision endpoint in CI; a long run: SERVICE_NEGATIVE_EXAMPLES=1000 pytest -k breaking
NEGATIVE_EXAMPLES = int(os.environ.get("SERVICE_NEGATIVE_EXAMPLES", "15"))

OPERATIONS = [
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/campaigns"),
    ("GET", "/campaigns/{campaign_id}"),
    ("GET", "/campaigns/{campaign_id}/schema"),
    ("POST", "/campaigns/{campaign_id}/evaluations"),
    ("POST", "/campaigns/{campaign_id}/targets"),
    ("POST", "/campaigns/{campaign_id}/initiatives"),
    ("POST", "/campaigns/{campaign_id}/reviews"),
    ("POST", "/register/decisions"),
    ("GET", "/register/subjects/{subject_id}/history"),
    ("POST", "/campaigns/{campaign_id}/advice"),
    ("POST", "/campaigns/{campaign_id}/diff"),
    ("POST", "/validate"),
    ("GET", "/evaluations/{decision_id}"),
    ("POST", "/admin/reload"),
]


STATEFUL = {("POST", "/register/decisions"): [positive_data_acceptance]}
"""Operations whose schema-valid requests may still be refused (422) for what only the state
knows: a revocation citing a decision the register does not hold, an evaluation document
without subjects. Every other check (no 5xx, documented status, content type, body schema) runs."""


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
        case.call_and_validate(excluded_checks=STATEFUL.get((method, path), []))

    check()


def _breaks(validator: jsonschema_rs.Validator, body: object) -> bool:
    """True when ``body`` (data, or raw bytes) is not a JSON value valid for the schema."""
    if isinstance(body, NotSet):
        return False
    if isinstance(body, (bytes, bytearray)):
        try:
            body = json.loads(body)
        except ValueError:
            return True
    try:
        return not validator.is_valid(body)
    except ValueError:  # not a JSON value at all
        return True


DECISION_POSTS = ["/campaigns/{campaign_id}/evaluations", "/campaigns/{campaign_id}/targets"]


@pytest.mark.parametrize("path", DECISION_POSTS)
def test_bodies_breaking_the_schema_are_refused_and_not_logged(
    api_schema: schemathesis.BaseSchema, server: Server, path: str
) -> None:
    """Negative generation: bodies that break the published schema (``FACTS_REQUEST_SCHEMA``:
    not an object, no ``subjects``, subjects not a list of objects with id and kind...) are
    answered 4xx before anything runs (never 200, never 5xx) and leave no decision."""
    validator = jsonschema_rs.validator_for(FACTS_REQUEST_SCHEMA)
    operation = api_schema[path]["POST"]
    log = DecisionLog(str(server.db))  # type: ignore[attr-defined]
    seen = {"refused": 0}

    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    @settings(
        max_examples=NEGATIVE_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        breaks = _breaks(validator, case.body)
        before = log.count()
        response = case.call()
        assert response.status_code < 500, response.text
        if breaks:
            seen["refused"] += 1
            assert 400 <= response.status_code < 500, (case.body, response.text)
            assert log.count() == before

    try:
        check()
    finally:
        log.close()
    assert seen["refused"] > 0, "no generated body broke the schema"
