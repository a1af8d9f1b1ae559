"""Bounded waits (issue 15): each connection role starts its PostgreSQL session with lock_timeout,
statement_timeout and idle_in_transaction_session_timeout; an agent page behind a held lock answers a quick 503."""

import datetime as dt
import threading
import time

import environ
import pytest
from django.db import connection, connections
from django.urls import reverse

from billing.models import LimitChange
from config.database import pg_options, role_timeouts
from core.dates import local_today
from tests.billing.factories import limit_of, open_line


def test_each_role_has_its_timeouts_and_the_environment_overrides_them(monkeypatch):
    env = environ.Env()
    assert role_timeouts(env, "web") == {"lock_timeout": 2_000, "statement_timeout": 15_000,
                                         "idle_in_transaction_session_timeout": 30_000}
    assert role_timeouts(env, "job")["statement_timeout"] == 300_000
    assert set(role_timeouts(env, "command").values()) == {0}
    monkeypatch.setenv("DATABASE_WEB_LOCK_TIMEOUT_MS", "750")
    assert role_timeouts(env, "web")["lock_timeout"] == 750
    assert pg_options({"lock_timeout": 750}) == "-c lock_timeout=750"
    with pytest.raises(ValueError):
        role_timeouts(env, "gunicorn")


@pytest.fixture
def web_role():
    """This test's own connection reconnects with the web role's options (lock_timeout 500 ms)."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    before = options.get("options")
    connection.close()
    options["options"] = pg_options({**role_timeouts(environ.Env(), "web"), "lock_timeout": 500})
    yield
    connection.close()
    if before is None:
        options.pop("options")
    else:
        options["options"] = before


def _hold_line_lock(line_id: int, locked: threading.Event, release: threading.Event) -> None:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM accounts_line WHERE id = %s FOR UPDATE", [line_id])
            locked.set()
            release.wait(30)
            cursor.execute("ROLLBACK")
    finally:
        other.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_limit_change_behind_a_held_line_lock_answers_503_quickly_and_writes_nothing(agent_client, web_role):
    # given: a line someone else holds locked (a long transaction elsewhere)
    line = open_line(activated_on=dt.date(2024, 1, 1), today=local_today())
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "500ms"
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_line_lock, args=(line.pk, locked, release))
    holder.start()
    try:
        assert locked.wait(10)
        # when: the agent submits a limit change for it
        started = time.monotonic()
        response = agent_client.post(reverse("billing:limit_change", args=[line.pk]), {
            "scope": "domestic", "new_amount": "800000", "channel": "grapari", "reason": "", "confirm": "on"})
        elapsed = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    # then: a clear 503 page, quickly, with Retry-After, and nothing written
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again" in response.content.decode()
    assert elapsed < 5
    assert not LimitChange.objects.filter(line=line, kind=LimitChange.Kind.CHANGE).exists()
    assert limit_of(line).amount != 800_000
