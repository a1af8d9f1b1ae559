"""BIL-07: a blocked line still owes its bill; termination at the customer's request does not cancel debt."""

import pytest

from accounts.models import Block, Line
from accounts.services import line_block
from billing.models import Bill
from billing.services import bills_overdue_chunk, payment_record
from core.verdicts import RuleViolation
from tests.billing.factories import TODAY, BillFactory, open_line

pytestmark = pytest.mark.django_db


@pytest.mark.rule("BIL-07")
def test_bil07_termination_does_not_cancel_the_open_bill(agent):
    # given a line with an open bill of Rp 150.000
    line = open_line()
    bill = BillFactory(billing_account=line.billing_account, total=150_000)
    # when the customer terminates the line in writing (a permanent block)
    line_block(line=line, reason=Block.Reason.TERMINATION, actor=agent, note="written request no. T-7")
    # then the line is terminated but the bill is still owed in full and can be paid
    line.refresh_from_db()
    bill.refresh_from_db()
    assert line.status == Line.Status.TERMINATED
    assert (bill.status, bill.outstanding) == ("open", 150_000)
    payment_record(bill=bill, amount=150_000, method="cash", reference="BIL07-T", actor=agent, paid_on=TODAY)
    assert Bill.objects.get(pk=bill.pk).status == "paid"


@pytest.mark.rule("BIL-05", "BIL-07")
def test_bil07_a_blocked_line_owes_its_bill_past_the_due_date(agent):
    # given an overdue bill that blocked the line (BIL-05)
    line = open_line()
    bill = BillFactory(billing_account=line.billing_account, total=90_000)
    bills_overdue_chunk(today=TODAY)
    assert line.blocks.filter(reason=Block.Reason.UNPAID_BILL, ended_at__isnull=True).exists()
    # then the debt is neither reduced nor waived: paying less leaves the rest outstanding, paying more is refused
    payment_record(bill=bill, amount=40_000, method="cash", reference="BIL07-P1", actor=agent, paid_on=TODAY)
    bill.refresh_from_db()
    assert (bill.status, bill.outstanding) == ("open", 50_000)
    with pytest.raises(RuleViolation):
        payment_record(bill=bill, amount=50_001, method="cash", reference="BIL07-P2", actor=agent, paid_on=TODAY)
