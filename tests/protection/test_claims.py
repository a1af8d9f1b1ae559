import datetime as dt

import pytest

from core.models import AuditEvent, Holiday, OutboundSms
from core.verdicts import RuleViolation
from protection import tasks
from protection.models import Claim, Enrollment, Reimbursement
from protection.rules import claim_eligibility
from protection.services import TransitionNotAllowed, claim_advance, claim_file, enrollment_terminate
from tests.accounts.factories import CustomerFactory, OutletFactory
from tests.protection.factories import enroll, new_imei, postpaid_line_with_device, receipt_file

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 2)  # a Monday


def _file(enrollment, *, on, imei=None, **kwargs) -> Claim:
    return claim_file(enrollment=enrollment, imei=imei or enrollment.imei, damage="Cracked screen", today=on,
                      actor_label="test", **kwargs)


def _refused(enrollment, *, on, imei=None, **kwargs) -> list[str]:
    with pytest.raises(RuleViolation) as excinfo:
        _file(enrollment, on=on, imei=imei, **kwargs)
    return excinfo.value.codes


@pytest.mark.rule("TP-07")
@pytest.mark.parametrize(("day", "codes"), [(13, ["waiting_period"]), (14, []), (15, [])])
def test_waiting_period_days_13_14_15(day, codes):
    # TP-07: no claim within 14 days of registration; from day 14 on it is accepted
    enrollment = enroll(start=START)
    verdict = claim_eligibility(enrollment=enrollment, imei=enrollment.imei, today=START + dt.timedelta(days=day))
    assert verdict.codes == codes
    if codes:
        assert _refused(enrollment, on=START + dt.timedelta(days=day)) == codes
        assert not Claim.objects.exists()
    else:
        assert _file(enrollment, on=START + dt.timedelta(days=day)).status == Claim.Status.FILED


@pytest.mark.rule("TP-09")
def test_filing_a_claim_records_fee_audit_and_sms(agent):
    enrollment = enroll(start=START)
    claim = claim_file(enrollment=enrollment, imei=enrollment.imei, damage="Water damage", actor=agent,
                       today=dt.date(2026, 4, 1))
    assert (claim.status, claim.fee_amount, claim.filed_by, claim.line_id) == ("filed", 50_000, agent,
                                                                                enrollment.line_id)
    event = AuditEvent.objects.get(verb="protection.claim_filed")
    assert event.line_id == enrollment.line_id and event.reason == "Water damage" and event.actor == agent
    sms = OutboundSms.objects.get(template_code="protection_claim_filed")
    assert "Rp 50.000" in sms.text and "0804-1401-078" in sms.text


@pytest.mark.rule("TP-08")
def test_the_second_claim_of_a_period_is_refused():
    # TP-08: at most one claim per period
    enrollment = enroll(start=START)
    _file(enrollment, on=dt.date(2026, 4, 1))
    assert _refused(enrollment, on=dt.date(2026, 5, 1)) == ["claim_already_used"]
    assert Claim.objects.count() == 1


@pytest.mark.rule("TP-08")
def test_a_claim_rejected_by_the_insurer_does_not_use_the_allowance():
    # TP-08 (Decision): the insurer's rejection gives nothing, so another claim may be filed
    enrollment = enroll(start=START)
    claim = _file(enrollment, on=dt.date(2026, 4, 1))
    claim_advance(claim=claim, event="rejected", reason="Damage not covered", actor_label="amsi")
    assert _file(enrollment, on=dt.date(2026, 4, 5)).status == "filed"


@pytest.mark.rule("TP-05")
def test_claim_for_another_phone_is_refused():
    # TP-05: only the IMEI registered first
    enrollment = enroll(start=START)
    assert _refused(enrollment, on=dt.date(2026, 4, 1), imei=new_imei()) == ["imei_mismatch"]


def test_claim_after_the_period_or_on_a_terminated_subscription_is_refused():
    enrollment = enroll(start=START)
    last_day = enrollment.end_date - dt.timedelta(days=1)
    assert claim_eligibility(enrollment=enrollment, imei=enrollment.imei, today=last_day).allowed
    assert _refused(enrollment, on=enrollment.end_date) == ["period_ended"]
    other = enroll(start=START)
    enrollment_terminate(enrollment=other, actor=None, actor_label="t", reason="asked", today=dt.date(2026, 4, 1))
    assert _refused(other, on=dt.date(2026, 4, 2)) == ["enrollment_terminated"]
    Enrollment.objects.filter(pk=enrollment.pk).update(status="expired", next_charge_on=None)
    enrollment.refresh_from_db()
    assert _refused(enrollment, on=dt.date(2026, 4, 2)) == ["period_ended"]


def test_no_enrollment_gives_a_verdict_not_an_error():
    assert claim_eligibility(enrollment=None, imei=None, today=START).codes == ["not_enrolled"]


@pytest.mark.rule("TP-06")
def test_umb_subscription_checks_the_receipt_at_the_first_claim():
    # TP-06 via UMB: the age counts on the registration date, checked when the receipt is first seen
    enrollment = enroll(start=START, channel="umb")
    on = dt.date(2026, 4, 1)
    assert _refused(enrollment, on=on) == ["receipt_required"]
    # one day older than 24 months on the registration date
    assert _refused(enrollment, on=on, purchase_date=dt.date(2024, 3, 1), receipt_number="R1",
                    receipt=receipt_file()) == ["device_too_old"]
    assert _refused(enrollment, on=on, purchase_date=dt.date(2024, 3, 2)) == ["receipt_number_required"]
    # exactly 24 months: accepted, and the receipt is kept on the enrollment
    claim = _file(enrollment, on=on, purchase_date=dt.date(2024, 3, 2), receipt_number="R1",
                  receipt=receipt_file("png"))
    enrollment.refresh_from_db()
    assert claim.pk and enrollment.purchase_date == dt.date(2024, 3, 2) and enrollment.receipt_number == "R1"
    assert AuditEvent.objects.filter(verb="protection.receipt_recorded").count() == 1


def test_claim_needs_a_damage_description_and_a_valid_imei():
    enrollment = enroll(start=START)
    with pytest.raises(RuleViolation) as excinfo:
        claim_file(enrollment=enrollment, imei=enrollment.imei, damage=" ", today=dt.date(2026, 4, 1))
    assert excinfo.value.codes == ["damage_required"]
    with pytest.raises(RuleViolation) as excinfo:
        claim_file(enrollment=enrollment, imei="1234", damage="x", today=dt.date(2026, 4, 1))
    assert excinfo.value.codes == ["imei_invalid"]


# --- workflow (TP-08..TP-10) ------------------------------------------------------------------------------------------


def _claim(*, jabodetabek=True, customer=None) -> Claim:
    line = postpaid_line_with_device(customer=customer or CustomerFactory(jabodetabek=jabodetabek))
    return _file(enroll(line, start=START), on=dt.date(2026, 4, 1))


@pytest.mark.rule("TP-09")
def test_workflow_happy_path_is_audited_at_every_step():
    claim = _claim()
    steps = [("fee_paid", {}), ("picked_up", {"on": dt.date(2026, 4, 3)}), ("at_repair", {}),
             ("returned", {"repair_cost": 750_000, "on": dt.date(2026, 4, 8)}), ("closed", {})]  # due 8 Apr (TP-10)
    for event, kwargs in steps:
        claim = claim_advance(claim=claim, event=event, actor_label="amsi", channel="api", **kwargs)
    assert claim.status == "closed" and claim.fee_paid_at and claim.closed_at
    assert (claim.covered_amount, claim.customer_excess, claim.sla_breached) == (750_000, 0, False)
    verbs = list(AuditEvent.objects.filter(subject_type="protection.claim").order_by("id").values_list("verb", "old",
                                                                                                       "new"))
    assert [v for v, _o, _n in verbs] == ["protection.claim_filed", "protection.claim_fee_paid",
                                          "protection.claim_picked_up", "protection.claim_at_repair",
                                          "protection.claim_returned", "protection.claim_closed"]
    assert verbs[2][1] == {"status": "fee_paid"} and verbs[2][2]["status"] == "picked_up"


@pytest.mark.rule("TP-08")
@pytest.mark.parametrize(("cost", "covered", "excess"), [(999_999, 999_999, 0), (1_000_000, 1_000_000, 0),
                                                         (1_000_001, 1_000_000, 1)])
def test_repair_cost_above_the_limit_is_the_customers(cost, covered, excess):
    # TP-08: up to Rp 1.000.000
    claim = _claim()
    for event in ("fee_paid", "picked_up", "at_repair"):
        claim = claim_advance(claim=claim, event=event, actor_label="amsi")
    claim = claim_advance(claim=claim, event="returned", repair_cost=cost, actor_label="amsi")
    claim.refresh_from_db()
    assert (claim.repair_cost, claim.covered_amount, claim.customer_excess) == (cost, covered, excess)


@pytest.mark.rule("TP-09")
def test_event_the_state_machine_does_not_allow_is_refused_with_the_current_state():
    claim = _claim()
    with pytest.raises(TransitionNotAllowed) as excinfo:
        claim_advance(claim=claim, event="picked_up", actor_label="amsi")  # fee not paid yet (TP-09)
    assert excinfo.value.codes == ["transition_not_allowed"] and excinfo.value.current_status == "filed"
    claim.refresh_from_db()
    assert claim.status == "filed"
    with pytest.raises(RuleViolation) as excinfo:
        claim_advance(claim=claim, event="teleported", actor_label="amsi")
    assert excinfo.value.codes == ["unknown_event"]


def test_rejection_needs_the_insurers_reason_then_closes():
    claim = _claim()
    with pytest.raises(RuleViolation) as excinfo:
        claim_advance(claim=claim, event="rejected", actor_label="amsi")
    assert excinfo.value.codes == ["reason_required"]
    claim = claim_advance(claim=claim, event="rejected", reason="Liquid damage excluded", actor_label="amsi")
    assert claim.status == "rejected" and claim.rejection_reason == "Liquid damage excluded"
    assert AuditEvent.objects.get(verb="protection.claim_rejected").reason == "Liquid damage excluded"
    assert claim_advance(claim=claim, event="closed", actor_label="amsi").status == "closed"
    with pytest.raises(TransitionNotAllowed):
        claim_advance(claim=claim, event="returned", repair_cost=1, actor_label="amsi")


def test_returned_needs_a_repair_cost():
    claim = _claim()
    for event in ("fee_paid", "picked_up", "at_repair"):
        claim = claim_advance(claim=claim, event=event, actor_label="amsi")
    for bad in (None, -1):
        with pytest.raises(RuleViolation) as excinfo:
            claim_advance(claim=claim, event="returned", repair_cost=bad, actor_label="amsi")
        assert excinfo.value.codes == ["repair_cost_required"]


@pytest.mark.rule("TP-10")
@pytest.mark.parametrize(("customer_region", "outlet_region", "days"), [
    (True, False, 7), (False, True, 14), (None, True, 7), (None, False, 14), (None, None, 14),
])
@pytest.mark.rule("TP-10")
def test_tp10_sla_due_date_from_filing_by_region(customer_region, outlet_region, days):
    # TP-10: 7 days in Jabodetabek, 14 elsewhere, from the filing (1 Apr); the customer's region, defaulting to the
    # registering outlet's
    outlet = OutletFactory(jabodetabek=outlet_region) if outlet_region is not None else None
    claim = _claim(customer=CustomerFactory(jabodetabek=customer_region, registered_at=outlet))
    assert claim.sla_days == days and claim.sla_due_on == dt.date(2026, 4, 1) + dt.timedelta(days=days)
    claim = claim_advance(claim=claim, event="fee_paid", actor_label="amsi")
    claim = claim_advance(claim=claim, event="picked_up", on=dt.date(2026, 4, 3), actor_label="amsi")
    # the pickup does not restart the clock
    assert claim.sla_days == days and claim.sla_due_on == dt.date(2026, 4, 1) + dt.timedelta(days=days)


@pytest.mark.rule("TP-10")
def test_tp10_clock_starts_at_filing_so_a_slow_pickup_is_a_breach():
    # given a Jabodetabek claim filed on 1 Apr (due 8 Apr), never picked up
    claim = claim_advance(claim=_claim(jabodetabek=True), event="fee_paid", actor_label="amsi")
    assert claim.sla_due_on == dt.date(2026, 4, 8)
    # when the job runs on the due day, then the day after
    tasks.claims_flag_sla_task("2026-04-08")
    claim.refresh_from_db()
    assert claim.sla_breached is False
    tasks.claims_flag_sla_task("2026-04-09")
    claim.refresh_from_db()
    # then the slow pickup is a breach
    assert (claim.status, claim.sla_breached) == ("fee_paid", True)
    # and a pickup after it and a return still count it
    for event, on in (("picked_up", dt.date(2026, 4, 9)), ("at_repair", dt.date(2026, 4, 9))):
        claim = claim_advance(claim=claim, event=event, on=on, actor_label="amsi")
    claim = claim_advance(claim=claim, event="returned", repair_cost=100, on=dt.date(2026, 4, 12), actor_label="amsi")
    assert claim.sla_breached is True


@pytest.mark.rule("TP-10")
def test_sla_job_flags_breaches_the_day_after_the_due_date():
    # TP-10: filed 1 Apr in Jabodetabek: due 8 Apr
    claim = _claim(jabodetabek=True)
    for event in ("fee_paid", "picked_up"):
        claim = claim_advance(claim=claim, event=event, on=dt.date(2026, 4, 3), actor_label="amsi")
    assert claim.sla_due_on == dt.date(2026, 4, 8)
    tasks.claims_flag_sla_task("2026-04-07")
    claim.refresh_from_db()
    assert claim.sla_breached is False
    tasks.claims_flag_sla_task("2026-04-08")
    claim.refresh_from_db()
    assert claim.sla_breached is False
    tasks.claims_flag_sla_task("2026-04-09")
    tasks.claims_flag_sla_task("2026-04-10")
    claim.refresh_from_db()
    assert claim.sla_breached is True
    assert AuditEvent.objects.filter(verb="protection.claim_sla_breached").count() == 1


@pytest.mark.rule("TP-10")
def test_returning_late_marks_the_breach_returning_on_the_due_date_does_not():
    late, on_time = _claim(), _claim()
    # TP-10: filed 1 Apr in Jabodetabek, due 8 Apr
    for claim, returned in ((late, dt.date(2026, 4, 9)), (on_time, dt.date(2026, 4, 8))):
        for event in ("fee_paid", "picked_up", "at_repair"):
            claim = claim_advance(claim=claim, event=event, on=dt.date(2026, 4, 3), actor_label="amsi")
        claim_advance(claim=claim, event="returned", repair_cost=100, on=returned, actor_label="amsi")
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (late.sla_breached, on_time.sla_breached) == (True, False)


# --- shipping reimbursement (TP-11) -----------------------------------------------------------------------------------


@pytest.mark.rule("TP-11")
def test_reimbursement_due_in_5_working_days_across_a_weekend_and_a_holiday():
    # TP-11: requested Thursday 2 Apr 2026; Fri 3 Apr is a holiday; Sat/Sun skipped
    Holiday.objects.create(date=dt.date(2026, 4, 3), name="Wafat Isa Almasih")
    claim = claim_advance(claim=_claim(), event="fee_paid", actor_label="amsi")
    claim = claim_advance(claim=claim, event="shipping_reimbursement", amount=35_000, on=dt.date(2026, 4, 2),
                          actor_label="amsi")
    reimbursement = Reimbursement.objects.get(claim=claim)
    # Mon 6, Tue 7, Wed 8, Thu 9, Fri 10
    assert (reimbursement.amount, reimbursement.due_on) == (35_000, dt.date(2026, 4, 10))
    assert claim.status == "fee_paid"  # a side event: the claim does not move


@pytest.mark.rule("TP-11")
def test_reimbursement_overdue_is_flagged_until_paid():
    claim = claim_advance(claim=_claim(), event="fee_paid", actor_label="amsi")
    claim_advance(claim=claim, event="shipping_reimbursement", amount=20_000, on=dt.date(2026, 4, 6),
                  actor_label="amsi")  # Monday → due Monday 13 April
    tasks.reimbursements_flag_overdue_task("2026-04-13")
    assert Reimbursement.objects.get().overdue is False
    tasks.reimbursements_flag_overdue_task("2026-04-14")
    assert Reimbursement.objects.get().overdue is True
    claim_advance(claim=claim, event="reimbursement_paid", on=dt.date(2026, 4, 15), reference="TRX9",
                  actor_label="amsi")
    reimbursement = Reimbursement.objects.get()
    assert (reimbursement.status, reimbursement.paid_on, reimbursement.reference) == ("paid", dt.date(2026, 4, 15),
                                                                                      "TRX9")
    assert AuditEvent.objects.get(verb="protection.reimbursement_paid").new["late"] is True
    with pytest.raises(TransitionNotAllowed):
        claim_advance(claim=claim, event="reimbursement_paid", actor_label="amsi")


@pytest.mark.rule("TP-11")
def test_reimbursement_needs_a_positive_amount_and_is_recorded_once():
    claim = _claim()
    with pytest.raises(TransitionNotAllowed):  # before the fee is paid
        claim_advance(claim=claim, event="shipping_reimbursement", amount=10_000, actor_label="amsi")
    claim = claim_advance(claim=claim, event="fee_paid", actor_label="amsi")
    for bad in (None, 0, -5, "abc"):
        with pytest.raises(RuleViolation) as excinfo:
            claim_advance(claim=claim, event="shipping_reimbursement", amount=bad, actor_label="amsi")
        assert excinfo.value.codes == ["amount_required"]
    claim_advance(claim=claim, event="shipping_reimbursement", amount=10_000, actor_label="amsi")
    with pytest.raises(TransitionNotAllowed):
        claim_advance(claim=claim, event="shipping_reimbursement", amount=10_000, actor_label="amsi")
    assert Reimbursement.objects.count() == 1


def test_an_update_dated_before_the_filing_is_refused():
    claim = claim_advance(claim=_claim(), event="fee_paid", actor_label="amsi")  # filed 1 April 2026
    with pytest.raises(RuleViolation) as excinfo:
        claim_advance(claim=claim, event="picked_up", on=dt.date(2026, 3, 31), actor_label="amsi")
    assert excinfo.value.codes == ["date_before_filing"]
    assert claim_advance(claim=claim, event="picked_up", on=dt.date(2026, 4, 1), actor_label="amsi").sla_due_on
