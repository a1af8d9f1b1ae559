import io
import random

import pytest

from accounts.identifiers import make_msisdn
from protection.demo import seed_demo_data
from protection.models import Claim, Enrollment, Installment, LineDevice, Reimbursement
from tests.accounts.factories import PostpaidLineFactory

pytestmark = pytest.mark.django_db


def test_demo_data_covers_every_state_and_a_second_run_creates_nothing():
    # given postpaid lines in the demo number range (0811…)
    for n in range(50):
        PostpaidLineFactory(msisdn=make_msisdn(n))
    # when
    seed_demo_data(rng=random.Random(7), stdout=io.StringIO())
    counts = [Enrollment.objects.count(), Claim.objects.count(), Installment.objects.count(),
              LineDevice.objects.count(), Reimbursement.objects.count()]
    seed_demo_data(rng=random.Random(7), stdout=io.StringIO())
    # then
    assert [Enrollment.objects.count(), Claim.objects.count(), Installment.objects.count(),
            LineDevice.objects.count(), Reimbursement.objects.count()] == counts
    assert set(Enrollment.objects.values_list("payment_option", flat=True)) == {"monthly", "upfront"}
    assert set(Claim.objects.values_list("status", flat=True)) == {
        "filed", "fee_paid", "picked_up", "at_repair", "returned", "rejected", "closed"}
    assert Claim.objects.filter(sla_breached=True).exists()
    assert Reimbursement.objects.filter(status="pending").exists()
    assert Claim.objects.filter(customer_excess__gt=0).exists()
    from core.dates import local_today

    assert Enrollment.objects.filter(claims_from__gt=local_today()).exists()  # in the waiting period
    assert Enrollment.objects.count() < 50  # postpaid lines left without a subscription
