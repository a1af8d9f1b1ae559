"""Property-based: any sequence of top-ups, purchases, Prime joins, renewals and expiry keeps balance = ledger, never
negative, and the lifecycle states consistent (PRE-02, PRE-05, PRM-02, PRM-03)."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from core.models import Channel
from core.verdicts import RuleViolation
from prepaid import services
from prepaid.models import Card, LedgerEntry, PrimeSubscription
from tests.prepaid.factories import CardFactory

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
DENOMINATIONS = [5000, 10000, 25000, 50000, 100000]
PACKAGES = ["FREEDOM_COMBO", "FREEDOM_PLUS", "UNLIMITED", "HARIAN_1GB", "MINGGUAN_5GB"]
references = itertools.count()


class CardMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.today = dt.date(2026, 1, 1)
        self.card = CardFactory(active_until=dt.date(2026, 1, 20), balance=20000)
        self.invalid_seen = False

    def _reload(self) -> Card:
        self.card.refresh_from_db()
        return self.card

    @rule(amount=st.sampled_from(DENOMINATIONS))
    def topup(self, amount):
        before = self._reload().balance
        try:
            services.topup_apply(card=self.card, amount=amount, reference=f"h-t-{next(references)}",
                                 channel=Channel.API, today=self.today)
        except RuleViolation as error:
            assert error.codes == ["card_invalid"]
            return
        card = self._reload()
        assert card.balance == before + amount and card.state == Card.State.ACTIVE
        assert card.active_until > self.today

    @rule(code=st.sampled_from(PACKAGES))
    def purchase(self, code):
        before = self._reload().balance
        now = dt.datetime.combine(self.today, dt.time(12), tzinfo=WIB)
        try:
            purchase = services.package_purchase(card=self.card, package_code=code, channel=Channel.API, now=now,
                                                 reference=f"h-p-{next(references)}")
        except RuleViolation as error:
            assert set(error.codes) <= {"balance_floor", "card_not_active"}
            return
        assert self._reload().balance == before - purchase.price >= 3000  # PRE-05

    @rule()
    def join_prime(self):
        try:
            services.prime_subscribe(card=self.card, actor=None, channel=Channel.APP, today=self.today)
        except RuleViolation as error:
            assert set(error.codes) <= {"card_not_active", "already_prime", "balance_insufficient"}

    @rule(days=st.integers(min_value=1, max_value=45))
    def days_pass(self, days):
        for _ in range(days):
            self.today += dt.timedelta(days=1)
            while services.lifecycle_chunk(today=self.today).selected:
                pass
            while services.prime_renewal_chunk(today=self.today).selected:
                pass

    @precondition(lambda self: self.card.state == Card.State.INVALID)
    @rule()
    def invalid_is_final(self):
        self.invalid_seen = True
        assert self._reload().balance == 0

    @invariant()
    def balance_equals_ledger_and_never_negative(self):
        card = self._reload()
        total = LedgerEntry.objects.filter(card=card).aggregate(total=Sum("amount"))["total"] or 0
        assert card.balance == total >= 0
        last = LedgerEntry.objects.filter(card=card).order_by("-id").first()
        assert last is None or last.balance_after == card.balance

    @invariant()
    def states_consistent(self):
        card = self.card
        if card.state == Card.State.ACTIVE:
            assert card.active_until >= self.today
        if card.state == Card.State.GRACE:
            assert card.active_until < self.today <= card.grace_until
        prime = PrimeSubscription.objects.filter(card=card, status="active").first()
        if prime is not None:
            assert prime.renews_on > self.today


def test_ledger_state_machine():
    run_state_machine_as_test(CardMachine, settings=settings(
        max_examples=30, stateful_step_count=25, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    ))
