"""schemathesis over the whole JSON API (/api/v1/), as the coordinator and the housing worker.

Every operation in the OpenAPI document that `ssp.api.api` serves gets generated requests, valid
and invalid, sent in-process through Django's WSGI handler with the role's API token. A request
fails the test when the answer is a 5xx, a status the operation does not document, a content
type it does not declare, or a body that does not match the documented schema. The seed is fixed
(`derandomize`) and the examples per operation bounded, so the run is the same every time and
stays fast in `make test`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from ssp.accounts.services import create_api_token
from ssp.api import api

ROLES = ("koordinator", "boligsocial")
EXAMPLES_PER_OPERATION = 25
OPENAPI_URL = "/api/v1/openapi.json"

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())


def _labels(schema: BaseSchema) -> list[str]:
    """The operations of a loaded schema; an operation schemathesis cannot read fails here."""
    labels = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise AssertionError(f"schemathesis cannot load an operation: {result.err()}")
        labels.append(result.ok().label)
    return sorted(labels)


OPERATIONS = _labels(SCHEMA)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, without the per-request connection closing that would end the
    test's transaction (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _token_for(user: User) -> str:
    _token, raw = create_api_token(user=user, name="fuzz")
    return raw


def test_the_served_openapi_document_loads_without_errors(db: None, wsgi_app: WSGIHandler) -> None:
    schema = schemathesis.openapi.from_wsgi(OPENAPI_URL, wsgi_app)
    assert _labels(schema) == OPERATIONS
    assert len(OPERATIONS) >= 10


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", OPERATIONS)
def test_the_api_answers_generated_requests_as_documented(
    label: str, role: str, users: dict[str, User], wsgi_app: WSGIHandler
) -> None:
    operation = SCHEMA.find_operation_by_label(label)
    assert operation is not None
    headers = {"Authorization": f"Bearer {_token_for(users[role])}"}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case: Any) -> None:
        case.call_and_validate(app=wsgi_app, headers=headers, checks=CHECKS)

    answers_as_documented()
