import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Block
from billing import tasks
from billing.models import (
    Bill,
    BillCharge,
    BillingProfile,
    CreditNote,
    EarlySettlementDemand,
    Objection,
    Payment,
    SpendingCycle,
    UsageRecord,
)
from billing.services import (
    bill_charge_add,
    bills_issue_chunk,
    bills_overdue_chunk,
    cycles_close_chunk,
    early_settlement_enforce_chunk,
    early_settlement_scan,
    goodwill_credit_grant,
    objection_file,
    objection_resolve,
    payment_current_usage,
    payment_record,
    purchase_authorize,
    usage_record,
)
from core.models import AuditEvent, JobRun, OutboundSms
from core.verdicts import RuleViolation
from tests.accounts.factories import PostpaidLineFactory
from tests.billing.factories import TODAY, BillFactory, limit_of, open_line, package, set_limit

pytestmark = pytest.mark.django_db
DEC1 = dt.date(2026, 12, 1)


def open_samu(lines=2, **kwargs):
    first = open_line(**kwargs)
    others = []
    from billing.services import spending_limit_open

    for _ in range(lines - 1):
        other = PostpaidLineFactory(customer=first.customer, billing_account=first.billing_account,
                                    activated_on=first.activated_on)
        spending_limit_open(line=other, package=package("halo_kick"), actor=None, today=TODAY)
        others.append(other)
    return [first, *others]


# --- cycle close and bill run (BIL-01) --------------------------------------------------------------------------


@pytest.mark.rule("BIL-01")
@pytest.mark.parametrize(("today", "closes"), [(dt.date(2026, 11, 30), False), (DEC1, True)])
def test_cycle_close_moves_lines_into_the_next_cycle_and_keeps_history(today, closes):
    # given a November cycle with usage and the 80 % SMS sent
    line = open_line()
    purchase_authorize(request_id="p1", line=line, scope="domestic", category="addon", amount=150_000, today=TODAY)
    # when the job runs on the last day / the day after
    result = cycles_close_chunk(today=today)
    # then
    limit = limit_of(line)
    if not closes:
        assert result.selected == 0 and limit.used == 250_000
        return
    assert result.selected == 2
    assert (limit.cycle_start, limit.cycle_end) == (DEC1, dt.date(2026, 12, 31))
    assert limit.used == 100_000 and limit.settled == 0  # December's package fee
    assert limit.warn_notified is False
    history = SpendingCycle.objects.get(line=line, scope="domestic")
    assert (history.cycle_start, history.used, history.amount) == (dt.date(2026, 11, 1), 250_000, 300_000)
    assert UsageRecord.objects.filter(line=line, record_id=f"package:{line.pk}:2026-12-01").count() == 1
    # and it is idempotent for the cycle
    assert cycles_close_chunk(today=today).selected == 0
    assert SpendingCycle.objects.filter(line=line).count() == 2
    assert limit_of(line).used == 100_000


@pytest.mark.rule("BIL-01")
def test_bill_run_bills_usage_purchases_and_pending_charges():
    # given November: package fee, data usage, an approved and a declined purchase, a TecProtec installment
    line = open_line()
    usage_record(record_id="c1", line=line, scope="domestic", category="data", amount=12_345,
                 occurred_at=timezone.now())
    purchase_authorize(request_id="p1", line=line, scope="domestic", category="addon", amount=50_000, today=TODAY)
    purchase_authorize(request_id="p2", line=line, scope="domestic", category="addon", amount=999_000, today=TODAY)
    account = line.billing_account
    charge, created = bill_charge_add(billing_account=account, line=line, source="tecprotec", source_ref="tp:1",
                                      amount=20_000, description="TecProtec 1/6", charged_on=dt.date(2026, 11, 20))
    _, created_again = bill_charge_add(billing_account=account, line=line, source="tecprotec", source_ref="tp:1",
                                       amount=20_000, description="TecProtec 1/6", charged_on=dt.date(2026, 11, 20))
    bill_charge_add(billing_account=account, line=line, source="tecprotec", source_ref="tp:2", amount=20_000,
                    description="TecProtec 2/6", charged_on=dt.date(2026, 12, 20))
    assert (created, created_again) == (True, False)
    # when the cycle closes and the bills run
    tasks.cycle_close(today=DEC1)
    # then one bill for November
    bill = Bill.objects.get(billing_account=account)
    assert (bill.period_start, bill.period_end, bill.issued_on) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30), DEC1)
    assert bill.due_date == dt.date(2026, 12, 21)
    assert bill.subtotal == 100_000 + 12_345 + 50_000 + 20_000
    # BIL-10: PPN 11 % of the taxable charges (not the TecProtec premium), rounded down: 17.857,95 → 17.857
    assert (bill.taxable_amount, bill.ppn_percent, bill.ppn) == (162_345, 11, 17_857)
    assert bill.total == 182_345 + 17_857
    charge.refresh_from_db()
    assert charge.bill == bill
    assert BillCharge.objects.get(source_ref="tp:2").bill is None
    # and a second run changes nothing
    run = tasks.cycle_close(today=DEC1)
    assert run.status == JobRun.Status.SUCCEEDED
    tasks.cycle_close(today=DEC1, force=True)
    assert Bill.objects.filter(billing_account=account).count() == 1


@pytest.mark.rule("BIL-01", "ACC-03")
def test_bill_waits_until_every_line_of_the_account_closed():
    lines = open_samu(2)
    # only the first line's cycle is closed (e.g. the job was interrupted)
    cycles_close_chunk(today=DEC1, size=2)
    assert bills_issue_chunk(today=DEC1).selected == 0
    assert not Bill.objects.exists()
    cycles_close_chunk(today=DEC1)
    bills_issue_chunk(today=DEC1)
    assert Bill.objects.get(billing_account=lines[0].billing_account).subtotal == 200_000


# --- payments (BIL-02) and LIM-11 -----------------------------------------------------------------------------


@pytest.mark.rule("BIL-02")
def test_partial_then_full_payment(agent):
    line = open_line()
    bill = BillFactory(billing_account=line.billing_account, total=150_000)
    payment_record(bill=bill, amount=50_000, method="transfer", reference="TRX-1", actor=agent,
                   paid_on=dt.date(2026, 10, 10))
    bill.refresh_from_db()
    assert (bill.paid, bill.status, bill.outstanding) == (50_000, "open", 100_000)
    payment_record(bill=bill, amount=100_000, method="cash", reference="TRX-2", actor=agent,
                   paid_on=dt.date(2026, 10, 12))
    bill.refresh_from_db()
    assert (bill.paid, bill.status, bill.paid_on) == (150_000, "paid", dt.date(2026, 10, 12))
    assert AuditEvent.objects.filter(verb="bill.payment", subject_id=str(bill.pk)).count() == 2


@pytest.mark.rule("BIL-02")
@pytest.mark.parametrize(("kwargs", "code"), [
    ({"amount": 150_001}, "overpayment"), ({"amount": 0}, "invalid_amount"), ({"reference": " "}, "reference_required"),
    ({"method": "gold"}, "invalid_method"), ({"reference": "DUP"}, "reference_used"),
])
def test_bad_payment_is_refused_and_nothing_written(agent, kwargs, code):
    line = open_line()
    bill = BillFactory(billing_account=line.billing_account, total=150_000)
    other = BillFactory(billing_account=line.billing_account, period_start=dt.date(2026, 8, 1), total=10_000)
    payment_record(bill=other, amount=1_000, method="cash", reference="DUP", actor=agent)
    args = {"bill": bill, "amount": 1_000, "method": "cash", "reference": "NEW", "actor": agent, **kwargs}
    with pytest.raises(RuleViolation) as exc:
        payment_record(**args)
    assert exc.value.codes == [code]
    bill.refresh_from_db()
    assert bill.paid == 0 and Payment.objects.filter(bill=bill).count() == 0


@pytest.mark.rule("LIM-04", "LIM-11")
def test_lim11_paying_current_usage_allows_purchases_again(agent):
    # given a line at 100 % (LIM-04: no purchase allowed)
    line = open_line()
    set_limit(line, 300_000, used=300_000)
    assert purchase_authorize(request_id="a", line=line, scope="domestic", category="addon", amount=1,
                              today=TODAY).reason == "limit_exceeded"
    # when the customer pays 100.000 of the current usage instead of upgrading (LIM-11)
    payment = payment_current_usage(line=line, amount=100_000, method="cash", reference="CUR-1", actor=agent)
    # then the usage counted against the limit drops by the amount paid
    limit = limit_of(line)
    assert (limit.used, limit.settled, limit.counted) == (300_000, 100_000, 200_000)
    assert purchase_authorize(request_id="b", line=line, scope="domestic", category="addon", amount=100_000,
                              today=TODAY).decision == "approved"
    assert purchase_authorize(request_id="c", line=line, scope="domestic", category="addon", amount=1,
                              today=TODAY).decision == "declined"
    # and the payment is credited on the next bill
    credit = BillCharge.objects.get(source_ref=f"payment:{payment.pk}")
    assert (credit.amount, credit.bill) == (-100_000, None)
    assert AuditEvent.objects.filter(line=line, verb="limit.settled").exists()


@pytest.mark.rule("LIM-11")
@pytest.mark.parametrize(("amount", "ok"), [(100_000, True), (100_001, False)])
def test_lim11_cannot_pay_more_than_current_usage(agent, amount, ok):
    line = open_line()
    if ok:
        payment_current_usage(line=line, amount=amount, method="cash", reference="X", actor=agent)
        assert limit_of(line).counted == 0
    else:
        with pytest.raises(RuleViolation) as exc:
            payment_current_usage(line=line, amount=amount, method="cash", reference="X", actor=agent)
        assert exc.value.codes == ["overpayment"]
        assert limit_of(line).settled == 0


# --- overdue (BIL-05, BIL-06) ---------------------------------------------------------------------------------


@pytest.mark.rule("BIL-05", "BIL-06")
@pytest.mark.parametrize(("due_date", "blocked"), [(TODAY, False), (TODAY - dt.timedelta(days=1), True)])
def test_overdue_bill_blocks_every_line_of_a_samu_account(due_date, blocked):
    lines = open_samu(3)
    BillFactory(billing_account=lines[0].billing_account, issued_on=due_date - dt.timedelta(days=20),
                due_date=due_date)
    bills_overdue_chunk(today=TODAY)
    open_blocks = Block.objects.filter(reason="unpaid_bill", ended_at__isnull=True)
    assert open_blocks.count() == (3 if blocked else 0)
    if blocked:
        assert set(open_blocks.values_list("scope", flat=True)) == {"outgoing"}
        assert OutboundSms.objects.filter(template_code="billing_bill_overdue").count() == 1
        # re-run: nothing more
        assert bills_overdue_chunk(today=TODAY).selected == 0
        assert open_blocks.count() == 3


@pytest.mark.rule("BIL-07")
def test_bil07_a_blocked_line_still_owes_its_bill(agent):
    # given an overdue bill that blocked the line
    line = open_line()
    bill = BillFactory(billing_account=line.billing_account, total=150_000)
    bills_overdue_chunk(today=TODAY)
    # then the debt stays and can still be paid
    bill.refresh_from_db()
    assert (bill.status, bill.outstanding) == ("open", 150_000)
    payment_record(bill=bill, amount=150_000, method="cash", reference="B7", actor=agent, paid_on=TODAY)
    bill.refresh_from_db()
    assert bill.status == "paid"


@pytest.mark.rule("BIL-06")
def test_bil06_profile_blocks_only_one_line():
    lines = open_samu(3)
    BillingProfile.objects.create(billing_account=lines[0].billing_account, block_only_line=lines[1])
    BillFactory(billing_account=lines[0].billing_account)
    bills_overdue_chunk(today=TODAY)
    assert list(Block.objects.filter(reason="unpaid_bill").values_list("line", flat=True)) == [lines[1].pk]


@pytest.mark.parametrize("run_overdue_job", [False, True])
@pytest.mark.rule("LIM-05", "BIL-06")
def test_lim05_bil06_single_line_samu_unpaid_bill_declines_only_the_blocked_line(run_overdue_job):
    # given a SAMU account whose overdue setting blocks line 2 only, and a bill unpaid past its due date
    lines = open_samu(3)
    BillingProfile.objects.create(billing_account=lines[0].billing_account, block_only_line=lines[1])
    BillFactory(billing_account=lines[0].billing_account)
    if run_overdue_job:  # before and after the overdue job has blocked that line
        bills_overdue_chunk(today=TODAY)
    # when each line buys an add-on
    decisions = [purchase_authorize(request_id=f"samu-{run_overdue_job}-{n}", line=line, scope="domestic",
                                    category="addon", amount=1_000, today=TODAY) for n, line in enumerate(lines)]
    # then only the line the setting blocks is declined (LIM-05 decision, BIL-06)
    assert [(p.decision, p.reason) for p in decisions] == [
        ("approved", ""), ("declined", "unpaid_bill"), ("approved", "")]


@pytest.mark.rule("LIM-05", "BIL-06")
def test_lim05_bil06_samu_blocking_all_lines_declines_every_line():
    # given a SAMU account with a profile that names no line (every line is blocked) and an overdue bill
    lines = open_samu(2)
    BillingProfile.objects.create(billing_account=lines[0].billing_account, block_only_line=None)
    BillFactory(billing_account=lines[0].billing_account)
    # then every line is declined
    reasons = {purchase_authorize(request_id=f"all-{n}", line=line, scope="domestic", category="addon",
                                  amount=1_000, today=TODAY).reason for n, line in enumerate(lines)}
    assert reasons == {"unpaid_bill"}


@pytest.mark.rule("BIL-05")
def test_paying_in_full_lifts_the_unpaid_block(agent):
    # given an overdue bill and blocked lines
    lines = open_samu(2)
    bill = BillFactory(billing_account=lines[0].billing_account, total=150_000)
    tasks.overdue(today=TODAY)
    assert purchase_authorize(request_id="u1", line=lines[0], scope="domestic", category="addon", amount=1,
                              today=TODAY).reason == "unpaid_bill"
    # when part is paid, the block stays; when the rest is paid, it is lifted
    payment_record(bill=bill, amount=100_000, method="cash", reference="R1", actor=agent, paid_on=TODAY)
    assert Block.objects.filter(reason="unpaid_bill", ended_at__isnull=True).count() == 2
    payment_record(bill=bill, amount=50_000, method="cash", reference="R2", actor=agent, paid_on=TODAY)
    # then
    assert Block.objects.filter(reason="unpaid_bill", ended_at__isnull=True).count() == 0
    assert AuditEvent.objects.filter(verb="line.unblocked").count() == 2
    assert purchase_authorize(request_id="u2", line=lines[0], scope="domestic", category="addon", amount=1,
                              today=TODAY).decision == "approved"


@pytest.mark.rule("BIL-05")
def test_block_stays_while_another_bill_is_overdue(agent):
    line = open_line()
    first = BillFactory(billing_account=line.billing_account, total=1_000)
    BillFactory(billing_account=line.billing_account, period_start=dt.date(2026, 8, 1), total=1_000)
    bills_overdue_chunk(today=TODAY)
    payment_record(bill=first, amount=1_000, method="cash", reference="R1", actor=agent, paid_on=TODAY)
    assert Block.objects.filter(line=line, reason="unpaid_bill", ended_at__isnull=True).exists()


# --- objections (BIL-03), credits (BIL-08) ----------------------------------------------------------------------


@pytest.mark.rule("BIL-03")
@pytest.mark.parametrize(("today", "accepted"), [(dt.date(2026, 12, 1), True), (dt.date(2026, 12, 2), False)])
def test_bil03_objection_within_two_months_of_processing(agent, today, accepted):
    line = open_line()
    bill = BillFactory(billing_account=line.billing_account, issued_on=dt.date(2026, 10, 1))
    if accepted:
        objection = objection_file(bill=bill, amount=50_000, description="roaming never used", actor=agent,
                                   today=today)
        assert objection.status == "open"
        bill.refresh_from_db()
        assert bill.due_date == dt.date(2026, 10, 21)  # the due date does not move
        assert AuditEvent.objects.filter(verb="bill.objection_filed").exists()
    else:
        with pytest.raises(RuleViolation) as exc:
            objection_file(bill=bill, amount=50_000, description="late", actor=agent, today=today)
        assert exc.value.codes == ["objection_window_closed"]
        assert not Objection.objects.exists()


@pytest.mark.rule("BIL-03")
def test_an_open_objection_does_not_stop_the_overdue_block(agent):
    line = open_line()
    bill = BillFactory(billing_account=line.billing_account)
    objection_file(bill=bill, amount=10_000, description="dispute", actor=agent, today=TODAY)
    bills_overdue_chunk(today=TODAY)
    assert Block.objects.filter(line=line, reason="unpaid_bill").exists()


@pytest.mark.rule("BIL-03")
def test_upheld_objection_gives_a_credit_note_on_the_next_bill(agent, supervisor):
    line = open_line()
    bill = BillFactory(billing_account=line.billing_account)
    objection = objection_file(bill=bill, amount=40_000, description="double charge", actor=agent, today=TODAY)
    with pytest.raises(RuleViolation) as exc:
        objection_resolve(objection=objection, upheld=True, resolution="ok", actor=agent)
    assert exc.value.codes == ["not_allowed"]
    objection_resolve(objection=objection, upheld=True, resolution="double charge confirmed", actor=supervisor)
    objection.refresh_from_db()
    assert (objection.status, objection.credit_amount, objection.resolved_by) == ("upheld", 40_000, supervisor)
    note = CreditNote.objects.get(objection=objection)
    assert BillCharge.objects.get(source_ref=f"credit-note:{note.pk}").amount == -40_000
    with pytest.raises(RuleViolation):
        objection_resolve(objection=objection, upheld=False, resolution="again", actor=supervisor)


@pytest.mark.rule("BIL-03")
def test_rejected_objection_gives_no_credit(agent, supervisor):
    line = open_line()
    objection = objection_file(bill=BillFactory(billing_account=line.billing_account), amount=1_000,
                               description="x", actor=agent, today=TODAY)
    objection_resolve(objection=objection, upheld=False, resolution="usage confirmed", actor=supervisor)
    assert not CreditNote.objects.exists()
    assert AuditEvent.objects.get(verb="bill.objection_resolved").new["status"] == "rejected"


@pytest.mark.rule("BIL-08")
@pytest.mark.parametrize(("amount", "ok"), [(300_000, True), (300_001, False)])
def test_bil08_goodwill_capped_at_three_months_fee(supervisor, amount, ok):
    line = open_line(package_code="halo_kick")  # Rp 100.000 a month
    if ok:
        note = goodwill_credit_grant(line=line, amount=amount, reason="network outage 5 days", actor=supervisor)
        assert note.kind == "goodwill"
        assert AuditEvent.objects.filter(verb="bill.goodwill_credit", line=line).exists()
    else:
        with pytest.raises(RuleViolation) as exc:
            goodwill_credit_grant(line=line, amount=amount, reason="outage", actor=supervisor)
        assert exc.value.codes == ["above_cap"]
        assert not CreditNote.objects.exists()


@pytest.mark.rule("BIL-08")
def test_goodwill_needs_a_supervisor(agent):
    with pytest.raises(RuleViolation) as exc:
        goodwill_credit_grant(line=open_line(), amount=1_000, reason="x", actor=agent)
    assert exc.value.codes == ["not_allowed"]


# --- early settlement (BIL-04) ----------------------------------------------------------------------------------


def _history(account, totals):
    for index, total in enumerate(totals):
        start = dt.date(2026, 10 - index, 1)
        BillFactory(billing_account=account, period_start=start, period_end=start + dt.timedelta(days=27),
                    issued_on=start + dt.timedelta(days=31), due_date=start + dt.timedelta(days=51), total=total,
                    status="paid", paid=total, paid_on=start + dt.timedelta(days=40))


@pytest.mark.rule("BIL-04")
@pytest.mark.parametrize(("used", "demanded"), [(149_999, False), (150_000, True)])
def test_bil04_demand_at_150_percent_of_the_last_three_bills(used, demanded):
    # given bills of 80.000, 100.000, 120.000 (average 100.000) and an older big one that does not count
    line = open_line()
    _history(line.billing_account, [80_000, 100_000, 120_000, 900_000])
    set_limit(line, 300_000, used=used)
    # when
    early_settlement_scan(today=TODAY)
    # then
    demand = EarlySettlementDemand.objects.filter(billing_account=line.billing_account).first()
    assert (demand is not None) is demanded
    if demanded:
        assert (demand.amount, demand.average, demand.settle_by) == (150_000, 100_000, dt.date(2026, 11, 17))
        assert OutboundSms.objects.filter(template_code="billing_early_settlement", line=line).count() == 1
        early_settlement_scan(today=TODAY)  # once per cycle
        assert EarlySettlementDemand.objects.count() == 1


@pytest.mark.rule("BIL-04")
def test_bil04_no_demand_without_three_closed_bills():
    line = open_line()
    _history(line.billing_account, [10_000, 10_000])
    set_limit(line, 3_000_000, used=2_000_000)
    early_settlement_scan(today=TODAY)
    assert not EarlySettlementDemand.objects.exists()


@pytest.mark.rule("BIL-04")
@pytest.mark.parametrize(("today", "blocked"), [(dt.date(2026, 11, 17), False), (dt.date(2026, 11, 18), True)])
def test_bil04_unmet_demand_blocks_after_its_date(today, blocked):
    line = open_line()
    EarlySettlementDemand.objects.create(billing_account=line.billing_account, cycle_start=dt.date(2026, 11, 1),
                                         amount=150_000, average=100_000, demanded_on=TODAY,
                                         settle_by=dt.date(2026, 11, 17))
    early_settlement_enforce_chunk(today=today)
    assert Block.objects.filter(line=line, reason="early_settlement_unmet").exists() is blocked


@pytest.mark.rule("BIL-04")
def test_bil04_paying_meets_the_demand_and_lifts_its_block(agent):
    line = open_line()
    set_limit(line, 300_000, used=200_000)
    demand = EarlySettlementDemand.objects.create(
        billing_account=line.billing_account, cycle_start=dt.date(2026, 11, 1), amount=150_000, average=100_000,
        demanded_on=dt.date(2026, 11, 2), settle_by=dt.date(2026, 11, 9))
    early_settlement_enforce_chunk(today=TODAY)
    payment_current_usage(line=line, amount=100_000, method="cash", reference="E1", actor=agent)
    demand.refresh_from_db()
    assert demand.status == "unmet"
    payment_current_usage(line=line, amount=50_000, method="cash", reference="E2", actor=agent)
    demand.refresh_from_db()
    assert demand.status == "met"
    assert not Block.objects.filter(line=line, reason="early_settlement_unmet", ended_at__isnull=True).exists()
