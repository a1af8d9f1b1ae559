import io
import random

import pytest

from accounts.demo import seed_demo_data as seed_accounts
from accounts.models import Block, Line
from billing.demo import seed_demo_data
from billing.models import Bill, Objection, Purchase, SpendingLimit

pytestmark = pytest.mark.django_db


def test_demo_data_is_complete_and_idempotent():
    # given the accounts demo
    seed_accounts(rng=random.Random(1), stdout=None)
    # when billing's demo runs twice
    out = io.StringIO()
    seed_demo_data(rng=random.Random(2), stdout=out)
    counts = (SpendingLimit.objects.count(), Bill.objects.count(), Purchase.objects.count())
    seed_demo_data(rng=random.Random(2), stdout=io.StringIO())
    # then nothing is added the second time
    assert (SpendingLimit.objects.count(), Bill.objects.count(), Purchase.objects.count()) == counts
    postpaid = Line.objects.filter(kind="postpaid", status="active").count()
    assert SpendingLimit.objects.count() == 2 * postpaid
    # and every state an agent should see exists
    assert SpendingLimit.objects.filter(warn_notified=True).exists()
    assert Purchase.objects.filter(decision="declined", reason="limit_exceeded").exists()
    assert Bill.objects.filter(status="paid").exists()
    assert Bill.objects.filter(status="open", overdue_blocked_on__isnull=False).exists()
    assert Block.objects.filter(reason="unpaid_bill", ended_at__isnull=True).exists()
    assert Objection.objects.filter(status="open").exists()
    assert "billing:" in out.getvalue()
