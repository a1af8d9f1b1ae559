"""SMS outbox: transactional enqueue, dedup, dispatch, backoff, dead letters, delivery reports, backends."""

import datetime as dt
import http.server
import threading
import time
import urllib.parse

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from core.models import AuditEvent, OutboundSms
from core.outbox import SmsTemplateError, retry_delay, sms_dispatch, sms_dispatch_chunk, sms_enqueue, sms_retry
from core.sms_backends import ConsoleBackend, HttpBackend, MemoryBackend, SmsSendError, get_backend
from tests.accounts.factories import LineFactory
from tests.core.factories import OutboundSmsFactory, SmsTemplateFactory, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def template():
    return SmsTemplateFactory(code="test-usage-80", text_id="Pemakaian {percent}% dari {limit}.",
                              text_en="Usage {percent}% of {limit}.", variables="percent,limit")


def enqueue(key="k1", **kwargs):
    defaults = {"msisdn": "081234567890", "template_code": "test-usage-80", "context": {"percent": 80, "limit": "Rp 1"},
                "dedup_key": key}
    return sms_enqueue(**{**defaults, **kwargs})


# --- enqueue ---------------------------------------------------------------------------------------------------------


def test_enqueue_renders_bahasa_by_default_and_normalizes_msisdn(template):
    # given / when
    line = LineFactory(msisdn="+6281234567890")
    sms = enqueue(line=line)
    # then
    sms.refresh_from_db()
    assert sms.msisdn == "+6281234567890"
    assert sms.text == "Pemakaian 80% dari Rp 1."
    assert sms.language == "id"
    assert sms.status == OutboundSms.Status.QUEUED and sms.attempts == 0
    assert sms.next_attempt_at is not None and sms.line == line


def test_enqueue_in_english_when_asked(template):
    # when
    sms = enqueue(language="en")
    # then
    assert sms.text == "Usage 80% of Rp 1." and sms.language == "en"


def test_rolled_back_transaction_leaves_no_sms(template):
    # given
    class Boom(Exception):
        pass

    # when
    with pytest.raises(Boom), transaction.atomic():
        enqueue()
        raise Boom
    # then
    assert OutboundSms.objects.count() == 0


def test_same_dedup_key_writes_one_sms(template):
    # given
    first = enqueue(key="line-1:domestic:2026-11:80")
    # when
    second = enqueue(key="line-1:domestic:2026-11:80", context={"percent": 81, "limit": "Rp 2"})
    # then
    assert second.pk == first.pk
    assert OutboundSms.objects.count() == 1
    assert OutboundSms.objects.get().text == "Pemakaian 80% dari Rp 1."


def test_dedup_key_still_holds_after_the_sms_was_sent(template):
    # given
    enqueue(key="k")
    sms_dispatch()
    # when
    again = enqueue(key="k")
    sms_dispatch()
    # then
    assert again.status == OutboundSms.Status.SENT
    assert len(MemoryBackend.sent) == 1


def test_missing_variable_is_an_error_and_writes_nothing(template):
    # when / then
    with pytest.raises(SmsTemplateError, match="limit"):
        enqueue(context={"percent": 80})
    assert OutboundSms.objects.count() == 0


def test_unknown_template_is_an_error(template):
    with pytest.raises(SmsTemplateError):
        enqueue(template_code="nope")
    assert OutboundSms.objects.count() == 0


def test_bad_msisdn_is_refused(template):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        enqueue(msisdn="12345")
    assert OutboundSms.objects.count() == 0


# --- dispatch, backoff, dead -----------------------------------------------------------------------------------------


def test_dispatcher_sends_due_messages_only(template):
    # given
    due = enqueue(key="due")
    later = enqueue(key="later")
    OutboundSms.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + dt.timedelta(minutes=5))
    # when
    result = sms_dispatch()
    # then
    due.refresh_from_db()
    later.refresh_from_db()
    assert result.selected == 1 and result.changed == 1
    assert due.status == OutboundSms.Status.SENT and due.attempts == 1 and due.sent_at is not None
    assert due.gateway_message_id == MemoryBackend.sent[0].message_id
    assert due.next_attempt_at is None
    assert later.status == OutboundSms.Status.QUEUED and later.attempts == 0
    assert [m.pk for m in MemoryBackend.sent] == [due.pk]


@override_settings(SMS_RETRY_BASE_SECONDS=60, SMS_RETRY_MAX_SECONDS=3600)
def test_failure_backs_off_exponentially_then_succeeds(template):
    # given
    sms = enqueue()
    MemoryBackend.fail_next(2)
    start = timezone.now()
    # when: first attempt fails
    sms_dispatch_chunk(now=start)
    sms.refresh_from_db()
    # then
    assert sms.status == OutboundSms.Status.FAILED and sms.attempts == 1
    assert sms.last_error == "gateway unavailable"
    assert sms.next_attempt_at == start + dt.timedelta(seconds=60)
    # when: not yet due → untouched
    assert sms_dispatch_chunk(now=start + dt.timedelta(seconds=59)).selected == 0
    # when: second attempt fails → twice the wait
    sms_dispatch_chunk(now=start + dt.timedelta(seconds=60))
    sms.refresh_from_db()
    assert sms.attempts == 2 and sms.next_attempt_at == start + dt.timedelta(seconds=60 + 120)
    # when: third attempt succeeds
    sms_dispatch_chunk(now=start + dt.timedelta(seconds=180))
    sms.refresh_from_db()
    assert sms.status == OutboundSms.Status.SENT and sms.attempts == 3 and sms.last_error == ""


@override_settings(SMS_RETRY_BASE_SECONDS=60, SMS_RETRY_MAX_SECONDS=300)
def test_retry_delay_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in range(1, 7)] == [60, 120, 240, 300, 300, 300]


@override_settings(SMS_MAX_ATTEMPTS=3, SMS_RETRY_BASE_SECONDS=1)
def test_message_is_dead_after_max_attempts(template):
    # given
    sms = enqueue()
    MemoryBackend.fail_next(10)
    now = timezone.now()
    # when: attempts 1 and 2 fail and stay retryable; attempt 3 (= SMS_MAX_ATTEMPTS) gives up
    for minute in range(3):
        sms_dispatch_chunk(now=now + dt.timedelta(minutes=minute))
        sms.refresh_from_db()
        expected = OutboundSms.Status.DEAD if minute == 2 else OutboundSms.Status.FAILED
        assert sms.status == expected and sms.attempts == minute + 1
    # then: a dead message is never picked again
    assert sms_dispatch_chunk(now=now + dt.timedelta(days=1)).selected == 0
    assert sms.next_attempt_at is None
    assert MemoryBackend.sent == []


@override_settings(SMS_MAX_ATTEMPTS=1)
def test_retry_puts_a_dead_message_back_with_an_audit_row(template, supervisor):
    # given
    sms = enqueue()
    MemoryBackend.fail_next(1)
    sms_dispatch()
    sms.refresh_from_db()
    assert sms.status == OutboundSms.Status.DEAD
    sent_one = enqueue(key="other")
    sms_dispatch()
    # when
    count = sms_retry(sms_ids=[sms.pk, sent_one.pk], actor=supervisor, reason="gateway back")
    # then: only the dead one
    sms.refresh_from_db()
    assert count == 1
    assert sms.status == OutboundSms.Status.QUEUED and sms.attempts == 0
    event = AuditEvent.objects.get(verb="sms.retried")
    assert event.actor == supervisor and event.old == {"status": "dead", "attempts": 1}
    assert event.reason == "gateway back"
    sms_dispatch()
    sms.refresh_from_db()
    assert sms.status == OutboundSms.Status.SENT


def test_dispatch_works_in_chunks(template):
    # given
    for n in range(7):
        enqueue(key=f"k{n}")
    # when
    result = sms_dispatch(limit=3)
    # then
    assert result.selected == 7 and result.changed == 7
    assert OutboundSms.objects.filter(status=OutboundSms.Status.SENT).count() == 7


def test_dispatch_task_is_callable_directly(template):
    from core.tasks import sms_dispatch_task as task

    enqueue()
    assert task() == {"selected": 1, "sent": 1, "failed": 0}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_dispatchers_never_send_one_row_twice(template):
    # given: 120 due messages and a slow gateway that records every send
    for n in range(120):
        OutboundSmsFactory(dedup_key=f"p{n}")
    sent: list[int] = []
    lock = threading.Lock()

    class SlowGateway:
        def send(self, sms):
            time.sleep(0.002)
            with lock:
                sent.append(sms.pk)
            return f"gw-{sms.pk}"

    errors = []

    def dispatcher():
        try:
            sms_dispatch(limit=10, backend=SlowGateway())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when: four dispatchers at once
    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert errors == []
    assert len(sent) == 120 and len(set(sent)) == 120
    assert OutboundSms.objects.filter(status=OutboundSms.Status.SENT, attempts=1).count() == 120


# --- delivery reports ------------------------------------------------------------------------------------------------


def test_delivery_report_marks_delivered(client, template):
    # given
    _client, key = make_client(kind="network")
    sms = enqueue()
    sms_dispatch()
    sms.refresh_from_db()
    # when
    response = client.post("/api/v1/sms/delivery-report", {"id": sms.gateway_message_id,
                                                            "message_status": "DELIVRD"},
                           HTTP_AUTHORIZATION=f"Token {key}")
    # then
    sms.refresh_from_db()
    assert response.status_code == 200 and response.content == b"ACK/Jasmin"
    assert sms.status == OutboundSms.Status.DELIVERED and sms.delivered_at is not None


def test_delivery_report_with_key_in_query_and_undelivered_state(client, template):
    # given
    _client, key = make_client(kind="network")
    sms = enqueue()
    sms_dispatch()
    sms.refresh_from_db()
    # when
    response = client.post(f"/api/v1/sms/delivery-report?key={urllib.parse.quote(key)}",
                           {"id": sms.gateway_message_id, "message_status": "UNDELIV"})
    # then
    sms.refresh_from_db()
    assert response.status_code == 200
    assert sms.status == OutboundSms.Status.SENT and "UNDELIV" in sms.last_error


@pytest.mark.parametrize(
    ("kind", "auth", "data", "status", "code"),
    [
        ("network", True, {"message_status": "DELIVRD"}, 400, "invalid"),
        ("charging", True, {"id": "x", "message_status": "DELIVRD"}, 403, "permission_denied"),
        ("network", False, {"id": "x", "message_status": "DELIVRD"}, 401, "not_authenticated"),
    ],
)
def test_delivery_report_refusals(client, kind, auth, data, status, code):
    # given
    _client, key = make_client(kind=kind)
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if auth else {}
    # when
    response = client.post("/api/v1/sms/delivery-report", data, **headers)
    # then
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_delivery_report_with_a_wrong_query_key_is_401(client):
    response = client.post("/api/v1/sms/delivery-report?key=wrong", {"id": "x", "message_status": "DELIVRD"})
    assert response.status_code == 401


# --- backends --------------------------------------------------------------------------------------------------------


class FakeJasmin(http.server.BaseHTTPRequestHandler):
    """A local stand-in for the SMS gateway (the outside world)."""

    requests: list[dict] = []
    status = 200
    delay = 0.0

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        FakeJasmin.requests.append(dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())))
        time.sleep(FakeJasmin.delay)
        self.send_response(FakeJasmin.status)
        self.end_headers()
        self.wfile.write(b'Success "abc-123"' if FakeJasmin.status == 200 else b"Error")

    def log_message(self, *args):
        pass


@pytest.fixture
def jasmin():
    FakeJasmin.requests = []
    FakeJasmin.status = 200
    FakeJasmin.delay = 0.0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeJasmin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/send"
    server.shutdown()


def test_http_backend_posts_jasmin_parameters(jasmin, template):
    # given
    sms = enqueue()
    # when
    with override_settings(SMS_BACKEND="http", SMS_HTTP_URL=jasmin, SMS_HTTP_USERNAME="bo", SMS_HTTP_PASSWORD="pw"):
        result = sms_dispatch()
    # then
    sms.refresh_from_db()
    assert result.changed == 1
    assert FakeJasmin.requests[0]["username"] == "bo" and FakeJasmin.requests[0]["password"] == "pw"
    assert FakeJasmin.requests[0]["to"] == "6281234567890"
    assert FakeJasmin.requests[0]["content"] == "Pemakaian 80% dari Rp 1."
    assert sms.gateway_message_id == "abc-123" and sms.status == OutboundSms.Status.SENT


def test_http_backend_non_2xx_is_a_failure(jasmin, template):
    # given
    sms = enqueue()
    FakeJasmin.status = 500
    # when
    with override_settings(SMS_BACKEND="http", SMS_HTTP_URL=jasmin):
        sms_dispatch()
    # then
    sms.refresh_from_db()
    assert sms.status == OutboundSms.Status.FAILED and "500" in sms.last_error


def test_http_backend_timeout_is_a_failure(jasmin, template):
    # given
    sms = enqueue()
    FakeJasmin.delay = 0.5
    # when / then
    with override_settings(SMS_HTTP_URL=jasmin, SMS_HTTP_TIMEOUT_SECONDS=0.1), pytest.raises(SmsSendError):
        HttpBackend().send(sms)


def test_http_backend_without_url_fails(template):
    with override_settings(SMS_HTTP_URL=""), pytest.raises(SmsSendError):
        HttpBackend().send(enqueue())


def test_console_backend_logs(template, caplog):
    sms = enqueue()
    with caplog.at_level("INFO", logger="core.sms"):
        assert ConsoleBackend().send(sms) == f"console-{sms.pk}"
    assert "Pemakaian 80%" in caplog.text


def test_backend_is_chosen_in_settings():
    with override_settings(SMS_BACKEND="console"):
        assert isinstance(get_backend(), ConsoleBackend)
    with override_settings(SMS_BACKEND="memory"):
        assert isinstance(get_backend(), MemoryBackend)


# --- claims, leases, replies, reports racing the id (issue 15) -------------------------------------------------------


class Recorder:
    """A gateway stand-in that remembers the client message id of every call."""

    def __init__(self, answer=None):
        self.calls: list[str] = []
        self.answer = answer

    def send(self, sms):
        self.calls.append(sms.client_message_id)
        if self.answer is not None:
            return self.answer(sms)
        return f"gw-{sms.client_message_id}"


def test_claim_marks_sending_with_a_lease_and_an_expired_lease_is_resent_with_the_same_client_id(template):
    # given: an attempt that claimed the row and died before recording anything
    from core.outbox import _claim

    sms = enqueue()
    start = timezone.now()
    [claimed] = _claim(limit=10, now=start)
    sms.refresh_from_db()
    assert sms.status == OutboundSms.Status.SENDING and sms.attempts == 1 and sms.attempt_id == claimed.attempt_id
    # when: another dispatcher runs before the lease ends → not due; after it ends → resent
    gateway = Recorder()
    assert sms_dispatch_chunk(now=start + dt.timedelta(seconds=5), backend=gateway).selected == 0
    sms_dispatch_chunk(now=sms.lease_until + dt.timedelta(seconds=1), backend=gateway)
    # then: one resend, same gateway idempotency key, and the dead attempt's late result is not recorded
    sms.refresh_from_db()
    assert gateway.calls == [claimed.client_message_id]
    assert sms.status == OutboundSms.Status.SENT and sms.attempts == 2 and sms.lease_until is None
    from core.outbox import _record

    assert _record(claimed, now=start, message_id="late-answer") is False
    sms.refresh_from_db()
    assert sms.gateway_message_id == f"gw-{claimed.client_message_id}"


def test_client_message_id_is_stable_and_distinct(template):
    first, second = enqueue(key="a"), enqueue(key="b")
    assert first.client_message_id == OutboundSms.objects.get(pk=first.pk).client_message_id
    assert first.client_message_id != second.client_message_id and len(first.client_message_id) <= 32


def test_a_deadline_releases_the_claimed_rows_it_cannot_send(template):
    # given: three due messages and a run whose time is already up
    rows = [enqueue(key=f"d{n}") for n in range(3)]
    # when
    result = sms_dispatch_chunk(backend=Recorder(), deadline=time.monotonic())
    # then: nothing sent, nothing left claimed, no attempt counted
    assert result.changed == 0 and result.skipped == 3
    for sms in rows:
        sms.refresh_from_db()
        assert sms.status == OutboundSms.Status.QUEUED and sms.attempts == 0 and sms.attempt_id is None


def test_soft_time_limit_mid_send_records_the_attempt_and_releases_the_rest(template):
    from celery.exceptions import SoftTimeLimitExceeded

    # given: the gateway takes the first message, then the task's soft limit strikes during the second
    rows = [enqueue(key=f"s{n}") for n in range(4)]

    def answer(sms):
        if sms.pk == rows[1].pk:
            raise SoftTimeLimitExceeded()
        return f"gw-{sms.pk}"

    # when
    with pytest.raises(SoftTimeLimitExceeded):
        sms_dispatch_chunk(backend=Recorder(answer))
    # then: the first is sent, the interrupted one is a failed attempt due again, the others are untouched
    states = {sms.pk: OutboundSms.objects.get(pk=sms.pk) for sms in rows}
    assert states[rows[0].pk].status == OutboundSms.Status.SENT
    assert states[rows[1].pk].status == OutboundSms.Status.FAILED and states[rows[1].pk].attempts == 1
    assert "time limit" in states[rows[1].pk].last_error
    assert {states[r.pk].status for r in rows[2:]} == {OutboundSms.Status.QUEUED}
    assert {states[r.pk].attempts for r in rows[2:]} == {0}


class GarbageGateway(http.server.BaseHTTPRequestHandler):
    """Answers the first request with a plain-text line (not HTTP), the second with 200 but no message id."""

    count = 0

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        GarbageGateway.count += 1
        if GarbageGateway.count == 1:
            self.wfile.write(b"OK queued\r\n")
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"Queued, thanks" if GarbageGateway.count == 2 else b'Success "gw-ok"')

    def log_message(self, *args):
        pass


def test_a_non_http_or_unparseable_reply_is_one_failed_attempt_and_the_others_are_sent(template):
    # given
    GarbageGateway.count = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), GarbageGateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rows = [enqueue(key=f"g{n}") for n in range(3)]
    # when
    try:
        with override_settings(SMS_BACKEND="http", SMS_HTTP_URL=f"http://127.0.0.1:{server.server_address[1]}/"):
            result = sms_dispatch_chunk()
    finally:
        server.shutdown()
    # then: each bad reply is a failed attempt with the reply kept; the good one is sent once
    first, second, third = (OutboundSms.objects.get(pk=sms.pk) for sms in rows)
    assert (result.selected, result.changed, result.failed) == (3, 1, 2)
    assert first.status == OutboundSms.Status.FAILED and first.attempts == 1 and "not HTTP" in first.last_error
    assert second.status == OutboundSms.Status.FAILED and "Queued, thanks" in second.last_error
    assert third.status == OutboundSms.Status.SENT and third.gateway_message_id == "gw-ok"


def test_http_backend_sends_the_client_message_id_and_keeps_a_5xx_reply(jasmin, template):
    sms = enqueue()
    FakeJasmin.status = 503
    with override_settings(SMS_BACKEND="http", SMS_HTTP_URL=jasmin):
        sms_dispatch()
    sms.refresh_from_db()
    assert FakeJasmin.requests[0]["client-message-id"] == sms.client_message_id
    assert sms.last_error == "gateway answered 503: Error"


def test_a_report_that_arrives_before_the_id_is_recorded_is_kept_then_matched(client, template):
    from core.models import DeliveryReport

    # given: the gateway's report for message "gw-early" arrives while the send is not yet recorded
    _client, key = make_client(kind="network")
    sms = enqueue()
    response = client.post("/api/v1/sms/delivery-report", {"id": "gw-early", "message_status": "DELIVRD"},
                           HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.content == b"ACK/Jasmin"
    report = DeliveryReport.objects.get()
    assert report.sms is None and report.matched_at is None
    # when: the send is recorded with that id
    sms_dispatch(backend=Recorder(lambda sms: "gw-early"))
    # then: the kept report is matched and the message delivered
    sms.refresh_from_db()
    report.refresh_from_db()
    assert sms.status == OutboundSms.Status.DELIVERED and report.sms == sms and report.matched_at is not None


def test_a_report_for_an_unknown_id_is_kept_for_review(client, supervisor_client):
    from core.models import DeliveryReport

    _client, key = make_client(kind="network")
    response = client.post("/api/v1/sms/delivery-report", {"id": "never-sent", "message_status": "DELIVRD"},
                           HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert DeliveryReport.objects.filter(gateway_message_id="never-sent", sms__isnull=True).count() == 1
    page = supervisor_client.get("/admin/core/deliveryreport/?matched=no")
    assert page.status_code == 200 and "never-sent" in page.content.decode()


def test_the_dispatcher_sweep_matches_reports_whose_id_landed_since(template):
    from core.models import DeliveryReport
    from core.outbox import reports_match_pending

    sms = OutboundSmsFactory(status=OutboundSms.Status.SENT, gateway_message_id="gw-7", next_attempt_at=None)
    DeliveryReport.objects.create(gateway_message_id="gw-7", state="DELIVRD")
    assert reports_match_pending() == 1
    sms.refresh_from_db()
    assert sms.status == OutboundSms.Status.DELIVERED
