"""Schemathesis fuzzes every operation of the OpenAPI document against the app in-process.

Whatever it sends, the app never answers with a server error, every answer has a status
and content type the document declares, and JSON answers match their declared schemas.
(Schemathesis' pytest plugin does not run under pytest 9, so the operations are driven
here with Hypothesis directly.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.web.support import Site

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def operations(site: Site) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", site.app)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_document_covers_the_public_api(operations: list) -> None:
    paths = {operation.path for operation in operations}
    assert {"/api/search", "/api/records/{record_id}", "/catalog.ttl", "/health"} <= paths
    assert len(operations) >= 20


def test_no_operation_fails_on_any_input(operations: list) -> None:
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # collect every failing operation, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
