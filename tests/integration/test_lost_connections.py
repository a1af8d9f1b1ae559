"""Lost database connections under load (issue 15): a threaded live server answers purchase authorizations from
several charging-system clients while another connection keeps killing every backend of the test database
(`pg_terminate_backend`). Every answer is JSON (2xx, or 503 service_unavailable with Retry-After), a retried
request_id returns its first answer, no approval is lost or doubled, and every limit's usage equals the sum of what
was approved on it (LIM-02)."""

import json
import logging
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection, connections
from django.db.models import Sum

from billing.models import Purchase, SpendingLimit, UsageRecord
from core.dates import local_today
from tests.billing.factories import open_line, set_limit
from tests.core.factories import make_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LINES = 4
CLIENTS = 4
PER_CLIENT = 20
AMOUNT = 7_000
ROOM = 15  # purchases that fit on each line: the rest are declined limit_exceeded
RETRIES = 200  # the channel keeps retrying a 503 (Retry-After) until it gets an answer
KILL_EVERY = 0.25  # seconds between two rounds of pg_terminate_backend
KILL_SQL = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _expected_errors_not_logged():
    """Hundreds of killed connections are the point here: their warnings would drown the test output."""
    loggers = [logging.getLogger(name) for name in ("core.api", "django.request")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def _post(url: str, key: str, body: dict) -> tuple[int, dict, str]:
    """(status, parsed JSON body or {}, content type); a non-JSON body is kept as {"raw": …}."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Token {key}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, headers, raw = exc.code, exc.headers, exc.read()
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = {"raw": raw[:200].decode(errors="replace")}
    return status, {**parsed, "_retry_after": headers.get("Retry-After")}, headers.get("Content-Type", "")


def _killer(stop: threading.Event, kills: list[int]) -> None:
    killer = connections.create_connection("default")
    try:
        while not stop.is_set():
            with killer.cursor() as cursor:
                cursor.execute(KILL_SQL)
                kills.append(cursor.fetchone()[0])
            time.sleep(KILL_EVERY)
    finally:
        killer.close()


def test_killed_connections_under_load_answer_json_and_lose_or_double_no_money(live_server):
    # given: lines with room for ROOM purchases each, and a charging-system client
    lines = [open_line(today=local_today(), activated_on=local_today().replace(year=2024)) for _ in range(LINES)]
    for line in lines:
        limit = SpendingLimit.objects.get(line=line, scope="domestic")
        set_limit(line, limit.used + ROOM * AMOUNT)
    _client, key = make_client(kind="charging")
    url = f"{live_server.url}/api/v1/purchases/authorize"
    first: dict[str, dict] = {}  # request_id → its first 2xx answer
    bad: list[tuple] = []  # anything that is not JSON 2xx or JSON 503 with Retry-After
    counts = {"requests": 0, "unavailable": 0}
    lock = threading.Lock()

    def authorize(client: int) -> None:
        for n in range(PER_CLIENT):
            line = lines[(client + n) % LINES]
            request_id = f"load-{client}-{n}"
            body = {"request_id": request_id, "msisdn": line.msisdn_national, "scope": "domestic",
                    "category": "addon", "amount": AMOUNT}
            for _attempt in range(RETRIES):
                status, answer, kind = _post(url, key, body)
                with lock:
                    counts["requests"] += 1
                if not kind.startswith("application/json"):
                    bad.append((request_id, status, kind, answer))
                    break
                if status == 503:
                    with lock:
                        counts["unavailable"] += 1
                    if answer["error"]["code"] != "service_unavailable" or not answer["_retry_after"]:
                        bad.append((request_id, status, answer))
                    time.sleep(0.02)
                    continue  # the channel retries the same request_id
                if status != 200:
                    bad.append((request_id, status, answer))
                first[request_id] = answer
                break

    stop, kills = threading.Event(), []
    killer = threading.Thread(target=_killer, args=(stop, kills))
    workers = [threading.Thread(target=authorize, args=(client,)) for client in range(CLIENTS)]
    # when: the clients authorize while every backend is killed again and again
    killer.start()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stop.set()
    killer.join()
    connection.close()  # this test's own connection was killed too
    # then: only JSON answers, every request answered in the end, and the kills really hit the requests
    killed = sum(kills)
    print(f"\nlost-connection load: {counts['requests']} requests, {counts['unavailable']} × 503, "
          f"{killed} backends killed in {len(kills)} rounds, {len(first)} request ids answered")
    assert bad == []
    assert len(first) == CLIENTS * PER_CLIENT
    assert killed > 0 and counts["unavailable"] > 0
    # a retried request_id returns the first answer
    for request_id, answer in list(first.items())[::7]:
        status, again, _kind = _post(url, key, {"request_id": request_id, "msisdn": _msisdn_of(answer, lines),
                                                "scope": "domestic", "category": "addon", "amount": AMOUNT})
        assert status == 200
        assert {k: v for k, v in again.items() if k != "_retry_after"} == {
            k: v for k, v in answer.items() if k != "_retry_after"}
    # no approval lost or doubled: the approved answers are exactly the approved purchase rows
    approved_answers = {request_id for request_id, answer in first.items() if answer["decision"] == "approved"}
    approved_rows = {row.rsplit(":", 1)[1] for row in Purchase.objects.filter(decision="approved")
                     .values_list("request_id", flat=True)}
    assert approved_rows == approved_answers
    assert Purchase.objects.count() == CLIENTS * PER_CLIENT
    assert len(approved_answers) == LINES * ROOM  # every line filled to its limit, not one purchase more
    # every limit's usage is the sum of what was approved and rated on it
    for limit in SpendingLimit.objects.filter(line__in=lines, scope="domestic"):
        purchased = Purchase.objects.filter(line=limit.line, decision="approved", counted=True,
                                            cycle_start=limit.cycle_start).aggregate(total=Sum("amount"))["total"]
        rated = UsageRecord.objects.filter(line=limit.line, counted=True,
                                           cycle_start=limit.cycle_start).aggregate(total=Sum("amount"))["total"]
        assert limit.used == (purchased or 0) + (rated or 0)
        assert limit.used - limit.settled <= limit.amount


def _msisdn_of(answer: dict, lines) -> str:
    client, n = (int(part) for part in answer["request_id"].split("-")[1:])
    return lines[(client + n) % LINES].msisdn_national
