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
