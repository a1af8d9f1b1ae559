"""Issue 15, "Every API failure is JSON" and "Replays identical": what breaks under /api/ still answers the error
shape — 503 service_unavailable with Retry-After when retrying helps, 500 internal_error with an id in the log."""

import json
import logging
import threading

import pytest
from django.db import connection, transaction
from django.test import Client

from billing.models import Purchase, SpendingLimit, UsageRecord
from tests.api.endpoints import World, assert_error_shape

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return World()


@pytest.mark.urls("tests.api.failing_urls")
@pytest.mark.parametrize("path", ["/api/v1/test-boom", "/api/v1/test-plain"])
def test_an_unexpected_exception_is_a_json_500_whose_id_is_in_the_log(world, path, caplog):
    # when
    with caplog.at_level(logging.ERROR, logger="core.api"):
        response = Client(raise_request_exception=False).get(path, **world.headers("charging"))
    # then
    error = assert_error_shape(response, 500)
    assert error["code"] == "internal_error" and error["id"] in error["message"]
    assert any(error["id"] in record.getMessage() and record.exc_info for record in caplog.records)
    assert b"<html" not in response.content.lower()


@pytest.mark.urls("tests.api.failing_urls")
def test_a_lost_database_connection_is_a_json_503_with_retry_after(world):
    response = Client().get("/api/v1/test-db-gone", **world.headers("charging"))
    assert assert_error_shape(response, 503)["code"] == "service_unavailable"
    assert int(response["Retry-After"]) >= 1


def _hold_limit_lock(limit_pk, locked: threading.Event, release: threading.Event):
    try:
        with transaction.atomic():
            SpendingLimit.objects.select_for_update().get(pk=limit_pk)
            locked.set()
            release.wait(10)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("setting", ["lock_timeout", "statement_timeout"])
def test_a_real_postgresql_timeout_is_a_json_503_and_nothing_is_written(setting):
    # given a limit row locked by another transaction, and a short timeout on this connection
    world = World()
    endpoint = next(e for e in world.endpoints() if e.name == "purchase_authorize")
    limit = SpendingLimit.objects.get(line=world.line, scope="domestic")
    used_before = limit.used
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_limit_lock, args=(limit.pk, locked, release))
    holder.start()
    assert locked.wait(10)
    try:
        # SET LOCAL in one transaction around the request: behind PgBouncer in transaction mode a session-level SET
        # would stay on whichever server connection ran it and leak into later tests (issue 14).
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {setting} = '200ms'")
            # when
            response = world.post(Client(), endpoint)
    finally:
        release.set()
        holder.join()
    # then
    assert assert_error_shape(response, 503)["code"] == "service_unavailable"
    assert response["Retry-After"]
    assert not Purchase.objects.exists()
    assert SpendingLimit.objects.get(pk=limit.pk).used == used_before
    # and the retry, once the lock is gone, is decided
    assert world.post(Client(), endpoint).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_20_concurrent_copies_of_one_usage_batch_return_one_body():
    # given one batch of 5 records
    world = World()
    endpoint = next(e for e in world.endpoints() if e.name == "usage_records")
    record = endpoint.record()
    batch = [{**record, "record_id": f"u-{index}", "amount": 1_000 + index} for index in range(5)]
    bodies, barrier = [], threading.Barrier(20)

    def send():
        try:
            barrier.wait(10)
            response = world.post(Client(), endpoint, batch)
            bodies.append((response.status_code, response.content))
        finally:
            connection.close()

    # when 20 copies race
    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every copy got the first answer, and each record counted once
    assert len(bodies) == 20 and len(set(bodies)) == 1
    status, content = bodies[0]
    assert status == 200 and json.loads(content) == {"accepted": 5, "duplicate": 0, "rejected": 0, "errors": []}
    assert UsageRecord.objects.filter(record_id__contains=":u-").count() == 5
