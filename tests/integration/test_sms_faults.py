"""The SMS outbox against a misbehaving gateway (issue 15), with a real Celery worker on Redis: answers 500, late
answers after the timeout, replies that are not HTTP, delivery reports racing the commit of the message id, and the
worker killed mid-send. Every message reaches the handset exactly once and ends delivered."""

import signal
import time
import uuid
from collections import Counter

import pytest

from core.models import DeliveryReport, OutboundSms
from tests.core.factories import OutboundSmsFactory, make_client
from tests.integration.fake_gateway import FakeGateway
from tests.integration.worker import start_worker, stop, wait_for

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MESSAGES = 60


def _worker_env(gateway: FakeGateway, **extra) -> dict:
    return {"SMS_BACKEND": "http", "SMS_HTTP_URL": gateway.url, "SMS_HTTP_TIMEOUT_SECONDS": "0.5",
            "SMS_RETRY_BASE_SECONDS": "1", "SMS_RETRY_MAX_SECONDS": "2", "SMS_MAX_ATTEMPTS": "40",
            "SMS_LEASE_MARGIN_SECONDS": "2", **extra}


def _statuses() -> Counter:
    return Counter(OutboundSms.objects.values_list("status", flat=True))


def _beat(queue: str, until, timeout: float) -> bool:
    """Send the dispatcher like beat does (here every second instead of every minute) until `until()`."""
    from config.celery_app import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if until():
            return True
        app.send_task("core.tasks.sms_dispatch_task", queue=queue)
        time.sleep(1)
    return until()


def test_faulty_gateway_and_a_killed_worker_deliver_every_message_exactly_once(live_server):
    # given: 60 queued messages, a gateway that fails in every way, and the delivery-report endpoint
    _client, key = make_client(kind="network")
    rows = [OutboundSmsFactory(dedup_key=f"fault-{n}") for n in range(MESSAGES)]
    queue = f"test-sms-{uuid.uuid4().hex[:8]}"
    with FakeGateway(dlr_url=f"{live_server.url}/api/v1/sms/delivery-report?key={key}") as gateway:
        env = _worker_env(gateway)
        worker = start_worker(queue, env=env)
        try:
            # when: the dispatcher runs, and the worker is killed mid-send once a third is accepted
            assert _beat(queue, lambda: len(gateway.accepted) >= MESSAGES // 3, timeout=120)
            stop(worker, signal.SIGKILL)
            claimed_at_kill = _statuses()[OutboundSms.Status.SENDING]
            worker = start_worker(queue, env=env)
            # then: everything ends delivered, reports matched, the killed worker's claims taken over
            assert _beat(queue, lambda: _statuses()[OutboundSms.Status.DELIVERED] == MESSAGES, timeout=240), \
                _statuses()
        finally:
            stop(worker, signal.SIGKILL)
        figures = {"messages": MESSAGES, "copies": sum(gateway.copies.values()),
                   "max_copies_per_message": max(gateway.copies.values()),
                   "lost": MESSAGES - len(gateway.accepted), "claimed_at_kill": claimed_at_kill,
                   "dlr_answers": dict(gateway.dlr_answers), **gateway.faults}
        print("\nSMS fault injection:", figures)
    # copies per message = 1, none lost
    assert set(gateway.copies.values()) == {1} and len(gateway.copies) == MESSAGES
    assert {sms.client_message_id for sms in rows} == set(gateway.accepted)
    # every message recorded with the gateway's own id, and every report matched to it
    by_client_id = {sms.client_message_id: sms.pk for sms in rows}
    recorded = dict(OutboundSms.objects.values_list("pk", "gateway_message_id"))
    assert all(recorded[by_client_id[client_id]] == message_id
               for client_id, message_id in gateway.accepted.items())
    assert not DeliveryReport.objects.filter(sms__isnull=True).exists()
    assert DeliveryReport.objects.count() == MESSAGES
    # our delivery-report endpoint never refused or failed one
    assert set(gateway.dlr_answers) == {200}
    # and the faults really happened
    assert gateway.faults["500"] and gateway.faults["late"] and gateway.faults["garbage"]
    assert gateway.faults["resend_recognised"] >= gateway.faults["late"]
    failed_replies = OutboundSms.objects.exclude(attempts=1).count()
    assert failed_replies > 0


def test_a_run_that_reaches_its_time_limit_leaves_every_row_recorded_or_due_again():
    # given: 60 messages, a slow gateway (0.3 s each) and a dispatcher run with a 4-second soft limit
    rows = [OutboundSmsFactory(dedup_key=f"slow-{n}") for n in range(MESSAGES)]
    queue = f"test-sms-{uuid.uuid4().hex[:8]}"
    with FakeGateway(p_500=0, p_late=0, p_garbage=0, latency=0.3) as gateway:
        from config.celery_app import app

        worker = start_worker(queue, env=_worker_env(gateway, SMS_HTTP_TIMEOUT_SECONDS="1",
                                                     SMS_DISPATCH_SOFT_LIMIT_SECONDS="4"))
        try:
            # when: one run
            app.send_task("core.tasks.sms_dispatch_task", queue=queue)
            assert wait_for(lambda: gateway.faults["requests"] > 0, timeout=60)
            assert wait_for(lambda: _statuses()[OutboundSms.Status.SENDING] == 0 and
                            _statuses()[OutboundSms.Status.SENT] == len(gateway.accepted), timeout=30)
            time.sleep(2)  # the run is over: nothing more is sent
        finally:
            stop(worker)
    # then: it stopped before its limit; what the gateway accepted is recorded, the rest is due again untouched
    statuses = _statuses()
    sent = statuses[OutboundSms.Status.SENT]
    assert 0 < sent < MESSAGES and sent == len(gateway.accepted) == gateway.faults["requests"]
    assert statuses[OutboundSms.Status.QUEUED] == MESSAGES - sent
    assert set(OutboundSms.objects.filter(status=OutboundSms.Status.QUEUED).values_list("attempts", flat=True)) \
        == {0}
    assert {sms.pk for sms in rows} == set(OutboundSms.objects.values_list("pk", flat=True))
