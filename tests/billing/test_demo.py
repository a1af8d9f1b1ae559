import io
import random

import pytest

from accounts.demo import seed_demo_data as seed_accounts
from accounts.models import Block, Line
from billing.demo import seed_demo_data
from billing.models import Bill, Objection, Purchase, SpendingLimit
from tests.accounts.factories import PostpaidLineFactory
from tests.billing.factories import BillFactory

pytestmark = pytest.mark.django_db


def test_demo_data_is_complete_and_idempotent():
    # given the accounts demo, and a generated postpaid line outside the demo ranges (as `generate_lines` makes
    # a million of) whose account has a bill past its due date
    seed_accounts(rng=random.Random(1), stdout=None)
    generated = PostpaidLineFactory()
    assert not generated.msisdn.startswith(("+62811", "+62813"))
    overdue = BillFactory(billing_account=generated.billing_account)
    # when billing's demo runs twice
    out = io.StringIO()
    seed_demo_data(rng=random.Random(2), stdout=out)
    counts = (SpendingLimit.objects.count(), Bill.objects.count(), Purchase.objects.count())
    seed_demo_data(rng=random.Random(2), stdout=io.StringIO())
    # then nothing is added the second time
    assert (SpendingLimit.objects.count(), Bill.objects.count(), Purchase.objects.count()) == counts
    postpaid = Line.objects.filter(kind="postpaid", status="active").exclude(pk=generated.pk).count()
    assert SpendingLimit.objects.count() == 2 * postpaid
    # and the generated line and its account are left as they were
    assert not SpendingLimit.objects.filter(line=generated).exists()
    assert list(Bill.objects.filter(billing_account=generated.billing_account)) == [overdue]
    overdue.refresh_from_db()
    assert overdue.overdue_blocked_on is None
    assert not Block.objects.filter(line=generated).exists()
    # and every state an agent should see exists
    assert SpendingLimit.objects.filter(warn_notified=True).exists()
    assert Purchase.objects.filter(decision="declined", reason="limit_exceeded").exists()
    assert Bill.objects.filter(status="paid").exists()
    assert Bill.objects.filter(status="open", overdue_blocked_on__isnull=False).exists()
    assert Block.objects.filter(reason="unpaid_bill", ended_at__isnull=True).exists()
    assert Objection.objects.filter(status="open").exists()
    assert "billing:" in out.getvalue()
