"""Lock order (core.locks): a limit change over USSD and a supervisor's override racing purchase authorizations on
the same line never deadlock (PostgreSQL, real transactions in threads). LIM-02 still holds: nothing is approved
past the limit in force."""

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection
from django.db.models import Sum

from billing.models import LimitChange, Purchase
from billing.services import purchase_authorize, spending_limit_change, spending_limit_override
from core.models import Channel
from tests.accounts.factories import SupervisorFactory
from tests.billing.factories import TODAY, limit_of, open_line

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LINES = 4
AUTHORIZERS = 4
PER_AUTHORIZER = 15
OVERRIDES = 15
NEXT_MONTH = dt.date(2026, 12, 2)  # LIM-08: the line was opened (a change) in November


def _run(barrier, failures, work):
    try:
        barrier.wait()
        work()
    except OperationalError as exc:  # a deadlock or lock timeout is what this test is about
        failures.append(exc)
    finally:
        connection.close()


def test_limit_change_and_override_racing_authorizations_never_deadlock():
    # given: lines with room, a supervisor, and for each line one USSD limit change, a stream of overrides and
    # four charging-system clients authorizing on it at the same time
    lines = [open_line() for _ in range(LINES)]
    supervisor = SupervisorFactory()
    failures: list[Exception] = []
    work = []
    for line in lines:
        work.append(lambda line=line: spending_limit_change(line=line, new_amount=900_000, channel=Channel.UMB,
                                                            actor=None, actor_label="ussd", today=NEXT_MONTH))
        work.append(lambda line=line: [
            spending_limit_override(line=line, new_amount=1_000_000 + step * 1_000, actor=supervisor,
                                    reason="race test", today=TODAY) for step in range(OVERRIDES)])
        for client in range(AUTHORIZERS):
            work.append(lambda line=line, client=client: [
                purchase_authorize(request_id=f"race-{line.pk}-{client}-{n}", line=line, scope="domestic",
                                   category="addon", amount=7_000, today=TODAY) for n in range(PER_AUTHORIZER)])
    barrier = threading.Barrier(len(work))
    threads = [threading.Thread(target=_run, args=(barrier, failures, item)) for item in work]
    # when: they all start together
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: no deadlock, every request answered, every change recorded, usage within the limit
    assert failures == []
    for line in lines:
        assert Purchase.objects.filter(line=line).count() == AUTHORIZERS * PER_AUTHORIZER
        assert LimitChange.objects.filter(line=line, kind=LimitChange.Kind.CHANGE).count() == 1
        assert LimitChange.objects.filter(line=line, kind=LimitChange.Kind.OVERRIDE).count() == OVERRIDES
        limit = limit_of(line)
        approved = Purchase.objects.filter(line=line, decision="approved").aggregate(total=Sum("amount"))["total"]
        assert approved == AUTHORIZERS * PER_AUTHORIZER * 7_000  # all fit under 1.000.000
        assert limit.used <= limit.amount


def _post(url: str, key: str, data: dict, *, json_body: bool) -> int:
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    body = json.dumps(data).encode() if json_body else urllib.parse.urlencode(data).encode()
    kind = "application/json" if json_body else "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body, headers={"Content-Type": kind, "Authorization": f"Token {key}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_over_http_a_ussd_limit_change_racing_authorizations_answers_no_5xx(live_server):
    # given: lines, the USSD gateway and the charging system as API clients, a supervisor overriding at the same time
    from core.dates import local_today
    from tests.core.factories import make_client

    lines = [open_line(today=local_today(), activated_on=dt.date(2024, 1, 1)) for _ in range(LINES)]
    _ussd, ussd_key = make_client(kind="ussd")
    _charging, charging_key = make_client(kind="charging")
    supervisor = SupervisorFactory()
    statuses: list[int] = []
    failures: list[Exception] = []
    work = []
    for line in lines:
        def ussd(line=line):
            for text in ("", "900000", "900000*1"):
                statuses.append(_post(f"{live_server.url}/api/v1/ussd", ussd_key, {
                    "sessionId": f"s-{line.pk}", "serviceCode": "*111*11#", "phoneNumber": line.msisdn,
                    "text": text}, json_body=False))

        def authorize(line=line, client=0):
            for n in range(PER_AUTHORIZER):
                statuses.append(_post(f"{live_server.url}/api/v1/purchases/authorize", charging_key, {
                    "request_id": f"http-{line.pk}-{client}-{n}", "msisdn": line.msisdn_national,
                    "scope": "domestic", "category": "addon", "amount": 7_000}, json_body=True))

        work.append(ussd)
        work.append(lambda line=line: [spending_limit_override(line=line, new_amount=1_000_000 + step * 1_000,
                                                               actor=supervisor, reason="race test")
                                       for step in range(5)])
        work += [lambda line=line, client=client: authorize(line, client) for client in range(AUTHORIZERS)]
    barrier = threading.Barrier(len(work))
    threads = [threading.Thread(target=_run, args=(barrier, failures, item)) for item in work]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: no deadlock, no 5xx, every authorization answered and recorded
    assert failures == []
    assert [status for status in statuses if status >= 500] == []
    assert len(statuses) == LINES * (3 + AUTHORIZERS * PER_AUTHORIZER)
    for line in lines:
        assert Purchase.objects.filter(line=line).count() == AUTHORIZERS * PER_AUTHORIZER
        assert limit_of(line).used <= limit_of(line).amount
