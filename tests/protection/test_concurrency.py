"""Races on PostgreSQL: the partial unique indexes and SKIP LOCKED keep TecProtec right under concurrency."""

import datetime as dt
import threading

import pytest
from django.db import connection

from core.verdicts import RuleViolation
from protection.models import Claim, Enrollment, Installment
from protection.services import claim_file, installments_charge_chunk, protection_enroll
from tests.protection.factories import enroll, postpaid_line_with_device

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = dt.date(2026, 3, 2)


def _race(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_concurrent_enrollments_of_one_line_make_one():
    # given
    line = postpaid_line_with_device()
    # when two channels subscribe at the same moment
    results = _race(4, lambda i: protection_enroll(line=line, payment_option="monthly", channel="umb",
                                                   actor_label=f"ussd-{i}", today=START))
    # then one active enrollment, one first instalment; the others refused with a reason
    assert Enrollment.objects.filter(line=line).count() == 1
    assert Installment.objects.count() == 1
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert len(refused) == 3 and all(r.codes == ["already_enrolled"] for r in refused)


def test_one_imei_on_two_lines_at_once_is_covered_once():
    first = postpaid_line_with_device()
    second = postpaid_line_with_device(imei=first.device.imei)
    lines = [first, second]
    results = _race(2, lambda i: protection_enroll(line=lines[i], payment_option="upfront", channel="umb",
                                                   actor_label="ussd", today=START))
    assert Enrollment.objects.filter(status="active").count() == 1
    assert sum(isinstance(r, RuleViolation) for r in results) == 1


@pytest.mark.rule("TP-08")
def test_concurrent_claims_on_one_enrollment_file_one():
    # TP-08 under a race: the enrollment row lock serialises the allowance check
    enrollment = enroll(start=START)
    results = _race(3, lambda i: claim_file(enrollment=enrollment, imei=enrollment.imei, damage="Screen",
                                            actor_label="t", today=dt.date(2026, 4, 1)))
    assert Claim.objects.count() == 1
    assert sorted(r.codes[0] for r in results if isinstance(r, RuleViolation)) == ["claim_already_used"] * 2


def test_instalment_workers_share_the_work_with_skip_locked_and_charge_each_month_once():
    # given 12 subscriptions due for month 2
    for _ in range(12):
        enroll(start=START)
    today = dt.date(2026, 4, 2)

    def worker(_index):
        changed = 0
        while True:
            result = installments_charge_chunk(today=today, limit=2)
            if result.selected == 0:
                return changed
            changed += result.changed

    # when three workers run at once
    results = _race(3, worker)
    # then every month 2 is charged exactly once
    assert sum(results) == 12
    assert Installment.objects.filter(month_index=2).count() == 12
