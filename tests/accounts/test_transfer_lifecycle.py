"""A line transferred to another holder (ACC-06) in every app (accounts/lifecycle.py): billing keeps the old holder's
usage on the old account and restarts the line's cycle on the new one (LIM-13 proration); TecProtec ends with the
transfer and refuses it while a claim is open; prepaid has nothing to do."""

import datetime as dt

import pytest
from django.utils.translation import gettext

from accounts import lifecycle, services
from billing.cycles import cycle_for, prorate
from billing.models import Bill, BillCharge, SpendingLimit, UsageRecord
from billing.services import (
    bills_issue_chunk,
    cycles_close_chunk,
    purchase_authorize,
    spending_limit_open,
    usage_record,
)
from core.dates import local_today
from core.models import AuditEvent
from core.verdicts import RuleViolation
from protection.models import Enrollment, Installment
from protection.services import claim_file
from tests.accounts.factories import BillingAccountFactory, CustomerFactory, PostpaidLineFactory
from tests.accounts.test_lifecycle import KICK, _kick
from tests.protection.factories import enroll, postpaid_line_with_device

pytestmark = pytest.mark.django_db


def _old_cycle_day(today: dt.date) -> int:
    """A bill day whose cycle started before today (so the old holder has used part of it)."""
    return 28 if today.day != 28 else 27


def _holder_with_account(cycle_day: int = 1):
    customer = CustomerFactory()
    return customer, BillingAccountFactory(customer=customer, bill_cycle_day=cycle_day)


def _transfer(supervisor, line, **change):
    customer, account = _holder_with_account()
    data = {"to_customer": customer, "to_billing_account": account, "letter_number": f"APR-{line.pk}",
            "reason": "Family member takes over"}
    return services.line_transfer(line=line, actor=supervisor, **{**data, **change})


def _opened_before_today(**kwargs):
    today = local_today()
    start = cycle_for(today, _old_cycle_day(today))[0]
    line = kwargs.pop("line", None) or PostpaidLineFactory(activated_on=start,
                                                           billing_account__bill_cycle_day=_old_cycle_day(today))
    spending_limit_open(line=line, package=_kick(), actor=None, today=start, domestic_amount=300_000)
    return line, start


@pytest.mark.rule("ACC-06")
@pytest.mark.rule("LIM-13")
def test_transfer_leaves_the_old_holders_usage_on_the_old_account_and_restarts_the_cycle(supervisor):
    # given a line that used data and bought an add-on in its current cycle on account A
    today = local_today()
    line, start = _opened_before_today()
    old_account = line.billing_account
    usage_record(record_id="cdr-1", line=line, scope="domestic", category="data", amount=12_000,
                 occurred_at=dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC))
    assert purchase_authorize(request_id="buy-1", line=line, scope="domestic", category="addon",
                              amount=5_000).decision == "approved"
    # when it goes to a new holder with account B (billed on the 1st)
    approval = _transfer(supervisor, line)
    new_account = approval.to_customer.billing_accounts.get()
    # then account A gets the cycle's usage so far, and the package fee only up to yesterday
    charges = {charge.source: charge for charge in BillCharge.objects.filter(billing_account=old_account, line=line)}
    old_start, old_end = cycle_for(today, _old_cycle_day(today))
    due = prorate(KICK, cycle_start=old_start, cycle_end=old_end, first_day=old_start,
                  last_day=today - dt.timedelta(days=1))
    usage_by_category = {charge.description: charge.amount for charge in BillCharge.objects.filter(
        billing_account=old_account, line=line, source="usage")}
    assert sorted(usage_by_category.values()) == sorted([12_000, KICK])
    assert charges["purchase"].amount == 5_000
    assert charges["adjustment"].amount == due - KICK
    assert all(charge.bill_id is None for charge in charges.values())
    # and the line's limits restart today on B's cycle with the fee prorated from today
    new_start, new_end = cycle_for(today, new_account.bill_cycle_day)
    fee = prorate(KICK, cycle_start=new_start, cycle_end=new_end, first_day=today, last_day=new_end)
    for limit in SpendingLimit.objects.filter(line=line):
        assert (limit.cycle_start, limit.cycle_end, limit.settled) == (today, new_end, 0)
    domestic = SpendingLimit.objects.get(line=line, scope="domestic")
    assert domestic.used == fee and domestic.amount == 300_000
    assert UsageRecord.objects.get(record_id=f"package:{line.pk}:{today.isoformat()}").amount == fee


@pytest.mark.rule("ACC-06")
def test_after_a_transfer_each_account_is_billed_its_own_usage_once(supervisor):
    # given a transferred line with usage before and after the transfer
    today = local_today()
    line, start = _opened_before_today()
    old_account = line.billing_account
    usage_record(record_id="before", line=line, scope="domestic", category="data", amount=7_000,
                 occurred_at=dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC))
    approval = _transfer(supervisor, line)
    new_account = approval.to_customer.billing_accounts.get()
    usage_record(record_id="after", line=line, scope="domestic", category="data", amount=3_000,
                 occurred_at=dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(hours=1))
    # when both cycles close and the bills are issued
    later = max(cycle_for(today, _old_cycle_day(today))[1], SpendingLimit.objects.filter(line=line).first().cycle_end)
    later += dt.timedelta(days=1)
    for _ in range(3):
        cycles_close_chunk(today=later)
        bills_issue_chunk(today=later)
    # then the old account's charges carry the old usage and the new account's the new usage, never both
    data = {"line": line, "source": "usage", "source_ref__endswith": ":data"}
    old = BillCharge.objects.filter(billing_account=old_account, **data)
    new = BillCharge.objects.filter(billing_account=new_account, **data)
    assert [charge.amount for charge in old] == [7_000]
    assert [charge.amount for charge in new] == [3_000]
    assert Bill.objects.filter(billing_account=new_account).exists()


@pytest.mark.rule("ACC-06")
def test_the_agent_reads_what_stays_on_the_old_account_before_submitting(supervisor):
    line, _start = _opened_before_today()
    customer, account = _holder_with_account()
    transition = lifecycle.Transition(name=lifecycle.TRANSFER, line=line, customer=line.customer, kind=line.kind,
                                      billing_account=line.billing_account, today=local_today(),
                                      params={"to_customer": customer, "to_billing_account": account})
    verdict = lifecycle.check(transition)
    assert verdict.allowed and verdict.details["usage_so_far"] == KICK
    assert any(line.billing_account.number in note and account.number in note for note in verdict.details["notes"])


@pytest.mark.rule("ACC-06")
@pytest.mark.rule("TP-12")
def test_tecprotec_ends_with_the_transfer_and_nothing_is_charged_to_the_new_holder(supervisor, agent):
    # given an active TecProtec on a postpaid line with its limits
    line = postpaid_line_with_device()
    _opened_before_today(line=line)
    enrollment = enroll(line, start=local_today() - dt.timedelta(days=20))
    charged = Installment.objects.filter(enrollment=enrollment).count()
    # when the line is transferred
    _transfer(supervisor, line)
    # then the enrollment ended today with the transfer as its reason, audited
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.terminated_on, enrollment.next_charge_on) == (
        Enrollment.Status.TERMINATED, local_today(), None)
    assert enrollment.termination_reason == gettext("The line was transferred to another holder.")
    assert AuditEvent.objects.filter(verb="protection.terminated", subject_id=str(enrollment.pk)).exists()
    # and no instalment follows, no claim is accepted
    from protection.services import installments_charge_chunk

    installments_charge_chunk(today=local_today() + dt.timedelta(days=200))
    assert Installment.objects.filter(enrollment=enrollment).count() == charged
    with pytest.raises(RuleViolation):
        claim_file(enrollment=enrollment, imei=enrollment.imei, damage="screen", actor=agent)


@pytest.mark.rule("ACC-06")
@pytest.mark.rule("TP-12")
def test_a_line_with_an_open_claim_is_not_transferred(supervisor, agent):
    line = postpaid_line_with_device()
    _opened_before_today(line=line)
    enrollment = enroll(line, start=local_today() - dt.timedelta(days=30))
    claim_file(enrollment=enrollment, imei=enrollment.imei, damage="screen", actor=agent)
    old_holder = line.customer_id
    with pytest.raises(RuleViolation) as excinfo:
        _transfer(supervisor, line)
    assert excinfo.value.codes == ["claim_open"]
    line.refresh_from_db()
    assert line.customer_id == old_holder
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE


@pytest.mark.rule("ACC-06")
def test_a_prepaid_transfer_has_no_billing_or_protection_part(supervisor):
    from tests.accounts.factories import LineFactory

    line = LineFactory()
    customer = CustomerFactory()
    services.line_transfer(line=line, to_customer=customer, actor=supervisor, letter_number="APR-P",
                           reason="Gift")
    assert not BillCharge.objects.exists() and not SpendingLimit.objects.exists()
    assert {participant.app for participant in lifecycle.participants(lifecycle.TRANSFER)} == {"billing",
                                                                                                 "protection"}
