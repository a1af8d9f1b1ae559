import datetime as dt

import pytest

from core.jobs import ChunkResult, job_run
from core.models import AuditEvent, JobRun
from core.verdicts import RuleViolation
from protection import tasks
from protection.models import Enrollment, Installment
from protection.services import (
    claim_file,
    enrollment_terminate,
    enrollments_expire_chunk,
    installments_charge_chunk,
)
from tests.protection.factories import enroll

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 2)


def _charged(enrollment) -> list[int]:
    return list(Installment.objects.filter(enrollment=enrollment).order_by("month_index")
                .values_list("month_index", flat=True))


@pytest.mark.rule("TP-03")
def test_monthly_plan_is_charged_six_times_on_the_calendar_month_steps():
    # TP-03: Rp 20.000 a month for 6 months, each due a calendar month after the start
    enrollment = enroll(start=dt.date(2026, 1, 31))
    for day in (dt.date(2026, 2, 27), dt.date(2026, 2, 28), dt.date(2026, 7, 31), dt.date(2026, 12, 31)):
        while installments_charge_chunk(today=day).selected:
            pass
        if day == dt.date(2026, 2, 27):
            assert _charged(enrollment) == [1]  # not due yet
    rows = list(Installment.objects.filter(enrollment=enrollment).values_list("month_index", "amount", "due_on"))
    assert rows == [(1, 20_000, dt.date(2026, 1, 31)), (2, 20_000, dt.date(2026, 2, 28)),
                    (3, 20_000, dt.date(2026, 3, 31)), (4, 20_000, dt.date(2026, 4, 30)),
                    (5, 20_000, dt.date(2026, 5, 31)), (6, 20_000, dt.date(2026, 6, 30))]
    enrollment.refresh_from_db()
    assert enrollment.installments_charged == 6 and enrollment.next_charge_on is None


def test_instalment_job_run_twice_charges_once():
    # given a monthly and an upfront subscription, month 2 due on 2 April
    monthly = enroll(start=START)
    upfront = enroll(start=START, option="upfront")
    # when the daily task runs, then runs again (and is even forced)
    tasks.installments_charge_task("2026-04-02")
    assert Installment.objects.count() == 3
    tasks.installments_charge_task("2026-04-02")  # a finished day is not run again
    assert tasks.installments_charge_task("2026-04-02", force=True)["changed"] == 0  # forced: finds nothing left
    # then
    assert _charged(monthly) == [1, 2]
    assert _charged(upfront) == [1]
    run = JobRun.objects.get(job="protection.installments", period_key="2026-04-02")
    assert run.status == JobRun.Status.SUCCEEDED


def test_instalment_job_killed_half_way_finishes_the_rest_on_the_next_run():
    # given five subscriptions due for month 2
    enrollments = [enroll(start=START) for _ in range(5)]
    today = dt.date(2026, 4, 2)
    calls = {"n": 0}

    def dies_after_first_chunk() -> ChunkResult:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return installments_charge_chunk(today=today, limit=2)

    # when the first run dies after its first committed chunk
    with pytest.raises(RuntimeError):
        job_run(job="protection.installments", period_key=today.isoformat(), chunk=dies_after_first_chunk)
    assert Installment.objects.filter(month_index=2).count() == 2
    assert JobRun.objects.get(job="protection.installments").status == JobRun.Status.FAILED
    # and the next run resumes
    tasks.installments_charge_task(today.isoformat())
    # then every subscription is charged month 2 exactly once
    assert [_charged(e) for e in enrollments] == [[1, 2]] * 5
    run = JobRun.objects.get(job="protection.installments")
    assert run.status == JobRun.Status.SUCCEEDED and run.changed == 5


def test_the_database_refuses_a_second_charge_of_the_same_month():
    from django.db import IntegrityError, transaction

    enrollment = enroll(start=START)
    with pytest.raises(IntegrityError), transaction.atomic():
        Installment.objects.create(enrollment=enrollment, month_index=1, amount=20_000, due_on=START)


@pytest.mark.rule("TP-12")
def test_termination_stops_future_instalments_and_is_audited_with_reason(agent):
    # TP-12
    enrollment = enroll(start=START)
    tasks.installments_charge_task("2026-04-02")
    # when
    enrollment_terminate(enrollment=enrollment, actor=agent, reason="Customer sold the phone",
                         today=dt.date(2026, 4, 10))
    tasks.installments_charge_task("2026-12-31")
    # then
    enrollment.refresh_from_db()
    assert enrollment.status == "terminated" and enrollment.terminated_on == dt.date(2026, 4, 10)
    assert enrollment.next_charge_on is None
    assert _charged(enrollment) == [1, 2]
    event = AuditEvent.objects.get(verb="protection.terminated")
    assert event.reason == "Customer sold the phone" and event.actor == agent and event.old["status"] == "active"


@pytest.mark.rule("TP-12")
def test_termination_refused_after_a_claim_and_without_reason(agent):
    # TP-12: only if no claim was made
    enrollment = enroll(start=START)
    with pytest.raises(RuleViolation) as excinfo:
        enrollment_terminate(enrollment=enrollment, actor=agent, reason="  ", today=START)
    assert excinfo.value.codes == ["reason_required"]
    claim_file(enrollment=enrollment, imei=enrollment.imei, damage="Cracked screen", actor=agent,
               today=dt.date(2026, 4, 1))
    with pytest.raises(RuleViolation) as excinfo:
        enrollment_terminate(enrollment=enrollment, actor=agent, reason="changed mind", today=dt.date(2026, 4, 2))
    assert excinfo.value.codes == ["claim_made"]
    enrollment.refresh_from_db()
    assert enrollment.status == "active"


def test_termination_of_an_ended_subscription_is_refused():
    enrollment = enroll(start=START)
    with pytest.raises(RuleViolation) as excinfo:
        enrollment_terminate(enrollment=enrollment, actor=None, reason="late", today=enrollment.end_date)
    assert excinfo.value.codes == ["period_ended"]


@pytest.mark.rule("TP-04")
def test_expiry_job_expires_on_the_end_date_not_before():
    # TP-04: end date = the first day no longer covered
    enrollment = enroll(start=START)
    assert enrollments_expire_chunk(today=enrollment.end_date - dt.timedelta(days=1)).selected == 0
    assert tasks.enrollments_expire_task(enrollment.end_date.isoformat())["changed"] == 1
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.EXPIRED and enrollment.expired_on == enrollment.end_date
    assert AuditEvent.objects.filter(verb="protection.expired", subject_id=str(enrollment.pk)).count() == 1
    assert tasks.enrollments_expire_task(enrollment.end_date.isoformat(), force=True)["changed"] == 0


@pytest.mark.rule("TP-03")
def test_instalments_are_posted_to_the_postpaid_bill_once_each():
    # TP-03: charged to the postpaid bill; the bill charge is idempotent by its source ref
    from billing.models import BillCharge

    enrollment = enroll(start=START)
    tasks.installments_charge_task("2026-04-02")
    tasks.installments_charge_task("2026-04-02", force=True)
    charges = list(BillCharge.objects.filter(source="tecprotec").order_by("charged_on")
                   .values_list("source_ref", "amount", "charged_on", "line_id", "billing_account_id"))
    account = enrollment.line.billing_account_id
    assert charges == [
        (f"protection:installment:{enrollment.pk}:1", 20_000, START, enrollment.line_id, account),
        (f"protection:installment:{enrollment.pk}:2", 20_000, dt.date(2026, 4, 2), enrollment.line_id, account),
    ]
    assert list(Installment.objects.filter(enrollment=enrollment).values_list("bill_ref", flat=True)) == [
        c[0] for c in charges]
