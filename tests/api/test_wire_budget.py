"""Issue 14: an HTTP authorization costs at most 5 SQL statements (counting savepoints) and a top-up one (a savepoint
around it inside a transaction), and no key lookup once the key is cached; the decide statement finds the line by
number (no ORM line query before it), the top-up's statement finds the card by its line's number."""

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


@pytest.mark.postgres  # the budget is PostgreSQL's one statement; SQLite runs the steps one by one
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


@pytest.mark.postgres
def test_a_replayed_authorization_is_answered_from_its_row(client, world):
    assert authorize(client, world, "same").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert authorize(client, world, "same").status_code == 200
    assert len(captured.captured_queries) <= 6


def topup(client, world, request_id: str, **change):
    endpoint = next(e for e in world.endpoints() if e.name == "prepaid_topup")
    body = {**endpoint.body, "request_id": request_id, **change}
    return world.post(client, endpoint, body)


@pytest.mark.postgres  # SQLite runs the lock and the writes one by one in a transaction
def test_a_topup_is_one_statement_in_a_savepoint_inside_a_transaction(client, world):
    assert topup(client, world, "warm-up").status_code == 200  # the key and the denominations are cached now
    with CaptureQueriesContext(connection) as captured:
        response = topup(client, world, "t-2")
    assert response.status_code == 200, response.content
    statements = [" ".join(query["sql"].split()) for query in captured.captured_queries]
    # in the test's transaction: the statement in a savepoint (a replay's failure must not abort the caller's)
    assert len(statements) == 3, statements
    assert statements[0].startswith("SAVEPOINT") and statements[2].startswith("RELEASE SAVEPOINT"), statements
    assert statements[1].startswith("WITH locked AS ( SELECT c.id"), statements
    assert not any("core_apirequest" in sql or "core_channelapikey" in sql for sql in statements), statements
    assert not any("prepaid_denomination" in sql for sql in statements), statements


def test_a_replayed_topup_is_answered_from_its_ledger_entry(client, world):
    assert topup(client, world, "same").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = topup(client, world, "same")
    assert response.status_code == 200 and response["Idempotent-Replayed"] == "true"
    assert len(captured.captured_queries) <= 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_topup_is_one_statement(client):
    # As in the web server: no BEGIN, no COMMIT; the statement locks the card (by its line's number), inserts the
    # entry, updates the card and inserts the audit event.
    world = World()
    assert topup(client, world, "warm-up").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = topup(client, world, "t-2")
    assert response.status_code == 200, response.content
    statements = [" ".join(query["sql"].split()) for query in captured.captured_queries]
    assert len(statements) == 1, statements
    (sql,) = statements
    assert sql.startswith("WITH locked AS ( SELECT c.id") and "FOR UPDATE OF c )" in sql, sql
    assert "l.msisdn = %(key)s" in sql, sql
    for write in ("INSERT INTO prepaid_ledgerentry", "UPDATE prepaid_card", "INSERT INTO core_auditevent"):
        assert write in sql, sql
    assert "'" not in sql, sql  # every value a parameter
