"""Issue 13: Schemathesis against /api/schema/ — no 5xx and no status or content type the schema does not declare.

In-process over WSGI (the whole middleware stack, the test database), bounded: 25 examples per operation, well under
two minutes for the whole API. Each operation is called with a key of a kind that may use it.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from tests.api.endpoints import World

pytestmark = pytest.mark.django_db

# The first kind allowed on each path (by its prefix), so the examples reach the endpoint's own validation.
KIND_BY_PATH = [
    ("/api/v1/claims/", "partner"), ("/api/v1/ussd", "ussd"), ("/api/v1/sms/", "network"),
    ("/device", "network"), ("/app-pass", "app"), ("/protection", "app"), ("/marketing-consent", "app"),
    ("/api/v1/visits/", "app"),
    ("/api/v1/", "charging"),
]


def kind_for(path: str) -> str:
    return next(kind for fragment, kind in KIND_BY_PATH if fragment in path)


@pytest.fixture
def keep_connection():
    """As Django's test client does: the WSGI handler would close the test's connection after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_answers_only_what_the_schema_declares(db, keep_connection):
    # Schemathesis' pytest plugin does not load under this pytest: its strategies, driven by hypothesis here.
    world = World()
    api = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        _fuzz(operation, world.wire_headers(kind_for(operation.path)))


def _fuzz(operation, headers: dict) -> None:
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def call(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                                 content_type_conformance])

    call()
