import io
import random

import pytest

from accounts.demo import seed_demo_data as accounts_seed
from prepaid.demo import seed_demo_data
from prepaid.ledger_checks import ledger_mismatches
from prepaid.models import Card, LedgerEntry, PrimeSubscription

pytestmark = pytest.mark.django_db


def test_demo_has_every_state_verifying_ledgers_prime_tiers_and_is_idempotent():
    # given
    accounts_seed(rng=random.Random(1), stdout=io.StringIO())
    # when
    seed_demo_data(rng=random.Random(2), stdout=io.StringIO())
    # then
    assert set(Card.objects.values_list("state", flat=True)) == {"inactive", "active", "grace", "invalid"}
    assert ledger_mismatches() == []
    assert LedgerEntry.objects.filter(kind="forfeiture").exists()
    assert set(PrimeSubscription.objects.values_list("tier__code", flat=True)) == {"lite", "joy", "first"}
    counts = (Card.objects.count(), LedgerEntry.objects.count())
    seed_demo_data(rng=random.Random(2), stdout=io.StringIO())
    assert (Card.objects.count(), LedgerEntry.objects.count()) == counts
