"""ACC-09 under concurrency (PostgreSQL, real transactions): a line ends once, and nothing is bought after it."""

import threading

import pytest
from django.db import connection
from django.db.models import Sum

from accounts import services
from accounts.models import Block, Line
from billing.models import Bill, Purchase, UsageRecord
from billing.services import purchase_authorize
from tests.billing.factories import TODAY, open_line

THREADS = 8


def _run(barrier, errors, results, target):
    try:
        barrier.wait()
        results.append(target())
    except Exception as exc:
        errors.append(exc)
    finally:
        connection.close()


def _together(*targets):
    barrier, errors, results = threading.Barrier(len(targets)), [], []
    threads = [threading.Thread(target=_run, args=(barrier, errors, results, target)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.rule("ACC-09")
def test_acc09_two_agents_terminating_at_once_end_the_line_once(agent):
    line = open_line()

    def terminate():
        return services.line_terminate(line=line, request_reference="REQ-C1", reason="moving", actor=agent,
                                       today=TODAY)

    errors, results = _together(terminate, terminate)
    assert len(results) == 1 and [error.codes for error in errors] == [["line_not_active"]]
    assert Block.objects.filter(line=line, reason="termination").count() == 1
    assert Bill.objects.filter(billing_account=line.billing_account).count() == 1
    assert Line.objects.get(pk=line.pk).status == "terminated"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.rule("ACC-09")
def test_acc09_purchases_racing_the_termination_are_on_the_final_bill_or_declined(agent):
    """Every purchase approved is billed on the final bill; none is approved after the line ended."""
    line = open_line()

    def terminate():
        return services.line_terminate(line=line, request_reference="REQ-C2", reason="moving", actor=agent,
                                       today=TODAY)

    def buy(index):
        return lambda: purchase_authorize(request_id=f"race-{index}", line=line, scope="domestic",
                                          category="addon", amount=1_000, today=TODAY)

    errors, _results = _together(terminate, *[buy(index) for index in range(THREADS)])
    assert errors == []
    bill = Bill.objects.get(billing_account=line.billing_account)
    approved = Purchase.objects.filter(line=line, decision="approved").aggregate(total=Sum("amount"))["total"] or 0
    package = UsageRecord.objects.filter(line=line).aggregate(total=Sum("amount"))["total"]
    credit = bill.charges.filter(source="adjustment").aggregate(total=Sum("amount"))["total"] or 0
    assert bill.subtotal == package + approved + credit  # PPN on top (BIL-10)
    after = purchase_authorize(request_id="race-after", line=line, scope="domestic", category="addon", amount=1_000,
                               today=TODAY)
    assert after.decision == "declined"
