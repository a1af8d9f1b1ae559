"""Issue 14: an HTTP authorization costs at most 5 SQL statements (counting savepoints) and no key lookup once the
key is cached; the decide statement finds the line by number (no ORM line query before it)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.endpoints import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return World()


def authorize(client, world, request_id: str, **change):
    endpoint = next(e for e in world.endpoints() if e.name == "purchase_authorize")
    body = {**endpoint.body, "request_id": request_id, **change}
    return world.post(client, endpoint, body)


@pytest.mark.parametrize("amount", [1_000, 10_000_000])  # approved, and declined for the limit
def test_an_authorization_is_at_most_5_sql_statements(client, world, amount):
    assert authorize(client, world, "warm-up").status_code == 200  # the key and the catalogue are cached now
    with CaptureQueriesContext(connection) as captured:
        response = authorize(client, world, f"r-{amount}", amount=amount)
    assert response.status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    assert len(statements) <= 5, statements
    assert not any("accounts_line" in sql and "billing_spendinglimit" not in sql for sql in statements), statements
    assert not any("core_apirequest" in sql or "core_channelapikey" in sql for sql in statements), statements


def test_a_replayed_authorization_is_answered_from_its_row(client, world):
    assert authorize(client, world, "same").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert authorize(client, world, "same").status_code == 200
    assert len(captured.captured_queries) <= 6
