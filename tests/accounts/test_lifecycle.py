"""A line's life across the apps (accounts/lifecycle.py): each rule at its boundary."""

import datetime as dt

import pytest

from accounts import services
from accounts.identifiers import make_iccid, make_imsi
from accounts.models import Block, Customer, IdentityCheck, Line, SimChange
from billing.cycles import prorate
from billing.models import BasicPackage, Bill, BillCharge, LinePackage, SpendingLimit, UsageRecord
from billing.services import cycles_close_chunk, spending_limit_open
from core.dates import local_today
from core.models import AuditEvent
from core.verdicts import RuleViolation
from prepaid.models import Card, PrimeSubscription
from prepaid.services import lifecycle_chunk, prime_subscribe
from protection.models import Claim, Enrollment
from protection.services import claim_file, installments_charge_chunk
from tests.accounts.factories import BillingAccountFactory, CustomerFactory, LineFactory, PostpaidLineFactory
from tests.prepaid.factories import CardFactory, prime
from tests.protection.factories import enroll, postpaid_line_with_device

pytestmark = pytest.mark.django_db

KICK = 100_000  # Halo Kick, Rp 100.000 a month


def _codes(excinfo) -> list[str]:
    return excinfo.value.codes


def _kick() -> BasicPackage:
    return BasicPackage.objects.get(code="halo_kick")


def _opened(day: dt.date, *, cycle_day: int = 1) -> Line:
    """A postpaid line activated on `day` with its package and limits opened that day."""
    line = PostpaidLineFactory(activated_on=day, billing_account__bill_cycle_day=cycle_day)
    spending_limit_open(line=line, package=_kick(), actor=None, today=day, domestic_amount=300_000)
    return line


def _package_usage(line: Line) -> int:
    return sum(UsageRecord.objects.filter(line=line, category__code="basic_package").values_list("amount", flat=True))


# LIM-13 proration -------------------------------------------------------------------------------------------------


@pytest.mark.rule("LIM-13")
def test_lim13_proration_rounds_down():
    """LIM-13: fee × days used / days in the cycle, rounded down."""
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    assert prorate(KICK, cycle_start=start, cycle_end=end, first_day=start, last_day=end) == 100_000
    assert prorate(KICK, cycle_start=start, cycle_end=end, first_day=end, last_day=end) == 3_333  # 100.000 / 30
    assert prorate(KICK, cycle_start=start, cycle_end=end, first_day=start, last_day=start) == 3_333
    assert prorate(99_999, cycle_start=start, cycle_end=end, first_day=dt.date(2026, 11, 16), last_day=end) == 49_999


@pytest.mark.rule("LIM-13")
def test_lim13_first_fee_on_the_first_day_of_the_cycle_is_the_whole_fee():
    """LIM-13: activated on the cycle's first day, the first fee is not cut."""
    line = _opened(dt.date(2026, 11, 1))
    assert _package_usage(line) == KICK
    assert SpendingLimit.objects.get(line=line, scope="domestic").used == KICK


@pytest.mark.rule("LIM-13")
def test_lim13_first_fee_on_the_last_day_of_the_cycle_is_one_day():
    """LIM-13: activated on 30 Nov (cycle 1–30 Nov), one day of 30 is charged and counts against the limit."""
    line = _opened(dt.date(2026, 11, 30))
    assert _package_usage(line) == 3_333
    assert SpendingLimit.objects.get(line=line, scope="domestic").used == 3_333


@pytest.mark.rule("LIM-13")
def test_lim13_next_cycle_charges_the_whole_fee():
    line = _opened(dt.date(2026, 11, 30))
    cycles_close_chunk(today=dt.date(2026, 12, 1))
    assert UsageRecord.objects.get(record_id=f"package:{line.pk}:2026-12-01").amount == KICK


# LIM-12 subscription --------------------------------------------------------------------------------------------


def _subscribe(agent, customer=None, *, limit=300_000, package="halo_kick", method="cash", **change):
    customer = customer or CustomerFactory()
    account = BillingAccountFactory(customer=customer, payment_method=method, bill_cycle_day=1)
    data = {"msisdn": "081234567890", "iccid": make_iccid(700_000_001), "imsi": make_imsi(700_000_001),
            "kind": Line.Kind.POSTPAID, "billing_account": account,
            "params": {"package": package, "domestic_limit": limit}}
    return services.line_activate(customer=customer, actor=agent, **{**data, **change})


@pytest.mark.rule("LIM-12")
def test_lim12_subscribe_with_package_and_chosen_limit(agent):
    """LIM-12: the chosen domestic limit; the international one at its catalogue default; the first fee prorated."""
    line = _subscribe(agent, limit=450_000)
    limits = {limit.scope: limit for limit in SpendingLimit.objects.filter(line=line)}
    assert (limits["domestic"].amount, limits["international"].amount) == (450_000, 1_000_000)
    start, end = limits["domestic"].cycle_start, limits["domestic"].cycle_end
    days, used = (end - start).days + 1, (end - local_today()).days + 1
    assert limits["domestic"].used == KICK * used // days
    assert LinePackage.objects.get(line=line).package.code == "halo_kick"
    assert AuditEvent.objects.filter(line=line, verb="limit.opened").exists()


@pytest.mark.parametrize(("method", "limit", "allowed"), [
    ("cash", 299_999, False), ("cash", 300_000, True), ("cash", 1_000_000, True), ("cash", 1_000_001, False),
    ("credit_card", 499_999, False), ("credit_card", 500_000, True), ("credit_card", 2_500_000, True),
    ("credit_card", 2_500_001, False),
])
@pytest.mark.rule("LIM-12")
def test_lim12_initial_limit_within_lim09_range(agent, method, limit, allowed):
    """LIM-12, LIM-09: a new line's limit between the payment method's minimum and the new-customer maximum."""
    if allowed:
        assert _subscribe(agent, method=method, limit=limit).spending_limits.get(scope="domestic").amount == limit
        return
    with pytest.raises(RuleViolation) as excinfo:
        _subscribe(agent, method=method, limit=limit)
    assert _codes(excinfo) == ["out_of_range"]
    assert not Line.objects.exists() and not AuditEvent.objects.filter(verb="line.activated").exists()


@pytest.mark.rule("LIM-12")
def test_lim12_no_postpaid_line_without_package_and_limit(agent):
    with pytest.raises(RuleViolation) as excinfo:
        _subscribe(agent, package=None, limit=None)
    assert _codes(excinfo) == ["package_required"]
    with pytest.raises(RuleViolation) as excinfo:
        _subscribe(agent, limit=None)
    assert _codes(excinfo) == ["limit_required"]
    assert not Line.objects.exists()


@pytest.mark.rule("LIM-06")
def test_lim06_suggestion_and_lim09_range_shown_before_submitting():
    """LIM-12: the agent reads LIM-06's suggestion for the package and payment method and LIM-09's range."""
    customer = CustomerFactory()
    account = BillingAccountFactory(customer=customer, payment_method="credit_card")
    verdict = services.activation_eligibility(customer=customer, kind="postpaid", billing_account=account,
                                              params={"package": "halo_kick", "domestic_limit": None})
    assert verdict.details["suggested"] == 500_000
    assert (verdict.details["minimum"], verdict.details["maximum"]) == (500_000, 2_500_000)
    assert any("Rp 500.000" in note for note in verdict.details["notes"])
    assert verdict.codes == [] and verdict.missing_codes == ["limit_required"]  # a hint, not a refusal


@pytest.mark.parametrize("status", [Customer.Verification.PENDING, Customer.Verification.FAILED])
@pytest.mark.rule("ACC-08")
def test_acc08_no_line_for_a_customer_not_verified(agent, status):
    """ACC-08: activated only for a verified customer."""
    with pytest.raises(RuleViolation) as excinfo:
        _subscribe(agent, CustomerFactory(verification=status))
    assert _codes(excinfo) == ["not_verified" if status == "pending" else "verification_failed"]
    assert not Line.objects.exists()


@pytest.mark.rule("PRE-07")
def test_pre07_prepaid_only_for_individuals(agent):
    organisation = CustomerFactory(kind=Customer.Kind.ORGANISATION, id_type=Customer.IdType.NPWP,
                                   id_number="013000666091000")
    with pytest.raises(RuleViolation) as excinfo:
        services.line_activate(customer=organisation, actor=agent, msisdn="081234567890",
                               iccid=make_iccid(700_000_002), imsi=make_imsi(700_000_002), kind=Line.Kind.PREPAID)
    assert _codes(excinfo) == ["prepaid_individuals_only"]


# ACC-08 verification after activation ---------------------------------------------------------------------------


@pytest.mark.rule("ACC-08")
def test_acc08_verification_failing_blocks_false_data_then_passing_lifts_it(supervisor):
    # given: a verified customer with two lines in service
    customer = CustomerFactory()
    lines = [LineFactory(customer=customer), PostpaidLineFactory(customer=customer)]
    # when: the verification fails after activation
    services.customer_set_verification(customer=customer, status="failed", actor=supervisor, reason="fake KTP")
    # then
    assert all(Block.objects.filter(line=line, reason="false_data", ended_at__isnull=True).exists() for line in lines)
    # when: it passes again
    services.customer_set_verification(customer=customer, status="verified", actor=supervisor, reason="KTP seen")
    # then
    assert not Block.objects.filter(reason="false_data", ended_at__isnull=True).exists()
    assert Block.objects.filter(reason="false_data", ended_at__isnull=False).count() == 2


# LIM-13 package change ------------------------------------------------------------------------------------------


@pytest.mark.rule("LIM-13")
def test_lim13_package_change_takes_effect_at_the_next_cycle_start(agent):
    line = _opened(dt.date(2026, 11, 1))
    verdict = services.package_change_eligibility(line=line, params={"package": "halo_plus_170"})
    services.line_package_change(line=line, actor=agent, channel="call_centre_188",
                                 params={"package": "halo_plus_170"})
    package = LinePackage.objects.get(line=line)
    assert (package.package.code, package.next_package.code, package.next_from) == (
        "halo_kick", "halo_plus_170", dt.date(2026, 12, 1))
    assert verdict.details["next_from"] == dt.date(2026, 12, 1) and verdict.details["suggested"] == 400_000
    event = AuditEvent.objects.get(line=line, verb="line.package_changed")
    assert event.channel == "call_centre_188" and event.new["next_package"] == "halo_plus_170"
    # the rest of this cycle keeps the old package; the next cycle charges the new one
    cycles_close_chunk(today=dt.date(2026, 12, 1))
    package.refresh_from_db()
    assert (package.package.code, package.next_package, package.since) == ("halo_plus_170", None,
                                                                          dt.date(2026, 12, 1))
    assert UsageRecord.objects.get(record_id=f"package:{line.pk}:2026-12-01").amount == package.package.monthly_fee


def test_package_change_to_the_same_package_is_refused(agent):
    line = _opened(dt.date(2026, 11, 1))
    with pytest.raises(RuleViolation) as excinfo:
        services.line_package_change(line=line, actor=agent, params={"package": "halo_kick"})
    assert _codes(excinfo) == ["same_package"]


# ACC-10 SIM replacement -----------------------------------------------------------------------------------------


def _check(line, agent, result="passed"):
    return services.identity_check_record(line=line, method="ktp_nik", result=result, actor=agent)


@pytest.mark.rule("ACC-10")
def test_acc10_postpaid_sim_replaced_after_passed_check_lifts_the_lost_block(agent):
    line = _opened(dt.date(2026, 11, 1))
    services.line_report_lost(line=line, actor=agent, statement_number="LS-9", identity_copy_received=True)
    old_iccid = Line.objects.get(pk=line.pk).iccid
    change = services.line_sim_replace(line=line, identity_check=_check(line, agent), new_iccid=make_iccid(700_000_3),
                                       new_imsi=make_imsi(700_000_3), reason="lost", actor=agent)
    line.refresh_from_db()
    assert (line.iccid, line.imsi) == (make_iccid(700_000_3), make_imsi(700_000_3))
    assert change.old_iccid == old_iccid and change.identity_check.checked_by == agent
    assert not Block.objects.filter(line=line, ended_at__isnull=True).exists()
    assert AuditEvent.objects.filter(line=line, verb="line.identity_checked").exists()


@pytest.mark.rule("ACC-10")
def test_acc10_failed_identity_check_is_recorded_and_refuses(agent):
    line = _opened(dt.date(2026, 11, 1))
    check = _check(line, agent, result="failed")
    with pytest.raises(RuleViolation) as excinfo:
        services.line_sim_replace(line=line, identity_check=check, new_iccid=make_iccid(700_000_4),
                                  new_imsi=make_imsi(700_000_4), reason="damaged", actor=agent)
    assert _codes(excinfo) == ["identity_check_failed"]
    assert IdentityCheck.objects.filter(result="failed").count() == 1 and not SimChange.objects.exists()


@pytest.mark.rule("ACC-10")
def test_acc10_new_sim_must_be_free_and_a_check_is_used_once(agent):
    line, other = _opened(dt.date(2026, 11, 1)), LineFactory()
    check = _check(line, agent)
    with pytest.raises(RuleViolation) as excinfo:
        services.line_sim_replace(line=line, identity_check=check, new_iccid=make_iccid(700_000_5),
                                  new_imsi=other.imsi, reason="damaged", actor=agent)
    assert _codes(excinfo) == ["imsi_taken"]
    services.line_sim_replace(line=line, identity_check=check, new_iccid=make_iccid(700_000_5),
                              new_imsi=make_imsi(700_000_5), reason="damaged", actor=agent)
    with pytest.raises(RuleViolation) as excinfo:
        services.line_sim_replace(line=line, identity_check=check, new_iccid=make_iccid(700_000_6),
                                  new_imsi=make_imsi(700_000_6), reason="damaged", actor=agent)
    assert _codes(excinfo) == ["identity_check_used"]


# ACC-09 termination ---------------------------------------------------------------------------------------------


def _terminate(line, agent, day):
    return services.line_terminate(line=line, request_reference="REQ-77", reason="moving abroad", actor=agent,
                                   today=day)


@pytest.mark.rule("ACC-09")
def test_acc09_termination_on_the_last_day_of_the_cycle_bills_the_whole_fee(agent):
    """ACC-09, LIM-13: ended on the cycle's last day, the final bill has the whole fee and no credit."""
    line = _opened(dt.date(2026, 10, 1))
    cycles_close_chunk(today=dt.date(2026, 11, 1))
    _terminate(line, agent, dt.date(2026, 11, 30))
    bill = Bill.objects.get(billing_account=line.billing_account, period_start=dt.date(2026, 11, 1))
    assert (bill.period_end, bill.subtotal) == (dt.date(2026, 11, 30), KICK)  # PPN comes on top (BIL-10)
    assert not BillCharge.objects.filter(source="adjustment").exists()


@pytest.mark.rule("ACC-09")
def test_acc09_termination_on_the_first_day_of_the_cycle_credits_the_unused_days(agent):
    line = _opened(dt.date(2026, 10, 1))
    cycles_close_chunk(today=dt.date(2026, 11, 1))
    _terminate(line, agent, dt.date(2026, 11, 1))
    bill = Bill.objects.get(billing_account=line.billing_account, period_start=dt.date(2026, 11, 1))
    assert bill.subtotal == 3_333  # one day of 30, rounded down; PPN comes on top (BIL-10)
    credit = BillCharge.objects.get(source="adjustment", bill=bill)
    assert credit.amount == 3_333 - KICK


@pytest.mark.rule("ACC-09")
def test_acc09_termination_ends_the_line_keeps_what_is_owed_and_charges_nothing_after(agent):
    # given: an unpaid bill of October
    line = _opened(dt.date(2026, 10, 1))
    cycles_close_chunk(today=dt.date(2026, 11, 1))
    from billing.services import bills_issue_chunk

    bills_issue_chunk(today=dt.date(2026, 11, 1))
    october = Bill.objects.get(period_start=dt.date(2026, 10, 1))
    # when
    _terminate(line, agent, dt.date(2026, 11, 15))
    # then
    line.refresh_from_db()
    assert (line.status, line.terminated_on, line.termination_reference) == ("terminated", dt.date(2026, 11, 15),
                                                                              "REQ-77")
    assert line.quarantine_until == dt.date(2026, 11, 15) + dt.timedelta(days=90)  # ACC-04
    october.refresh_from_db()
    assert october.status == "open" and october.outstanding == october.total  # BIL-07: owed in full
    assert october.subtotal == KICK
    assert not SpendingLimit.objects.filter(line=line).exists()
    charges = BillCharge.objects.count()
    for day in (dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1)):
        cycles_close_chunk(today=day)
        bills_issue_chunk(today=day)
    assert BillCharge.objects.count() == charges
    assert Bill.objects.filter(billing_account=line.billing_account).count() == 2
    assert AuditEvent.objects.get(verb="line.terminated").new["reference"] == "REQ-77"


@pytest.mark.rule("ACC-09")
def test_acc09_termination_needs_the_written_request_reference(agent):
    line = _opened(dt.date(2026, 11, 1))
    with pytest.raises(RuleViolation) as excinfo:
        services.line_terminate(line=line, request_reference=" ", reason="x", actor=agent)
    assert _codes(excinfo) == ["request_reference_required"]
    assert Line.objects.get(pk=line.pk).status == "active"


@pytest.mark.rule("TP-12")
def test_tp12_termination_refused_while_a_claim_is_open_then_protection_ends(agent):
    """TP-12, ACC-09: an open claim refuses the termination; once closed, the line ends and so does TecProtec."""
    line = postpaid_line_with_device()
    enrollment = enroll(line, start=local_today() - dt.timedelta(days=30))
    claim = claim_file(enrollment=enrollment, imei=enrollment.imei, damage="screen", actor=agent)
    with pytest.raises(RuleViolation) as excinfo:
        services.line_terminate(line=line, request_reference="REQ-1", reason="x", actor=agent)
    assert _codes(excinfo) == ["claim_open"]
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.CLOSED)
    services.line_terminate(line=line, request_reference="REQ-1", reason="x", actor=agent)
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.next_charge_on) == (Enrollment.Status.TERMINATED, None)
    assert installments_charge_chunk(today=local_today() + dt.timedelta(days=200)).changed == 0


@pytest.mark.rule("ACC-09")
def test_acc09_no_claim_after_the_line_ended(agent):
    line = postpaid_line_with_device()
    enrollment = enroll(line, start=local_today() - dt.timedelta(days=30))
    services.line_terminate(line=line, request_reference="REQ-2", reason="x", actor=agent)
    with pytest.raises(RuleViolation) as excinfo:
        claim_file(enrollment=enrollment, imei=enrollment.imei, damage="screen", actor=agent)
    assert "enrollment_terminated" in _codes(excinfo)


@pytest.mark.rule("ACC-09")
def test_acc09_a_permanent_block_ends_every_app_too(supervisor):
    line = postpaid_line_with_device()
    enrollment = enroll(line, start=local_today() - dt.timedelta(days=30))
    services.line_block(line=line, reason="violation_of_law", note="court order", permanent=True, actor=supervisor)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.TERMINATED


# PRE-07, PRE-02 prepaid -----------------------------------------------------------------------------------------


@pytest.mark.rule("PRE-07")
def test_pre07_prime_only_on_im3(agent):
    mentari = CardFactory(balance=100_000, brand=Card.Brand.MENTARI)
    with pytest.raises(RuleViolation) as excinfo:
        prime_subscribe(card=mentari, actor=agent)
    assert _codes(excinfo) == ["not_im3"]
    assert prime_subscribe(card=CardFactory(balance=100_000), actor=agent).status == "active"


@pytest.mark.rule("PRE-02", "ACC-09")
def test_pre02_acc09_invalid_card_ends_its_line_and_prime():
    card = CardFactory(state=Card.State.GRACE, active_until=dt.date(2026, 10, 1), balance=5_000)
    subscription = prime(card, renews_on=dt.date(2026, 12, 15))
    day = card.grace_until + dt.timedelta(days=1)
    while lifecycle_chunk(today=day).selected:
        pass
    card.refresh_from_db()
    subscription.refresh_from_db()
    line = Line.objects.get(pk=card.line_id)
    assert card.state == Card.State.INVALID
    assert (line.status, line.terminated_on, line.quarantine_until) == ("terminated", day,
                                                                        day + dt.timedelta(days=90))
    assert (subscription.status, subscription.end_reason, subscription.ended_on) == (
        PrimeSubscription.Status.DISABLED, PrimeSubscription.EndReason.LINE_ENDED, day)
