import datetime as dt

import factory

from core.dates import add_months
from prepaid.models import ActivationArea, Card, LedgerEntry, PrimeSubscription, PrimeTier
from tests.accounts.factories import LineFactory


def area(code: str = "jabotabek") -> ActivationArea:
    return ActivationArea.objects.get(code=code)


def tier(code: str) -> PrimeTier:
    return PrimeTier.objects.get(code=code)


class CardFactory(factory.django.DjangoModelFactory):
    """An active card; `balance=` is funded through one ledger entry so that the ledger always verifies."""

    class Meta:
        model = Card

    line = factory.SubFactory(LineFactory)
    activation_area = factory.LazyFunction(area)
    state = Card.State.ACTIVE
    activated_on = dt.date(2026, 1, 1)
    active_until = dt.date(2026, 12, 31)
    balance = 0

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        balance = kwargs.pop("balance", 0)
        if kwargs.get("state") == Card.State.GRACE and not kwargs.get("grace_until"):
            kwargs["grace_until"] = kwargs["active_until"] + dt.timedelta(days=30)
        if kwargs.get("state") == Card.State.INACTIVE:
            kwargs.setdefault("activated_on", None)
            kwargs["activated_on"] = None
        card = super()._create(model_class, *args, **kwargs)
        if balance:
            LedgerEntry.objects.create(card=card, kind=LedgerEntry.Kind.ADJUSTMENT, amount=balance,
                                       balance_after=balance, reference=f"opening:{card.pk}", note="opening balance")
            card.balance = balance
            card.save(update_fields=["balance"])
        return card


def prime(card: Card, code: str = "joy", started_on: dt.date = dt.date(2026, 1, 15), renews_on=None,
          periods_charged: int = 1) -> PrimeSubscription:
    return PrimeSubscription.objects.create(
        card=card, tier=tier(code), started_on=started_on, periods_charged=periods_charged,
        renews_on=renews_on or add_months(started_on, periods_charged),
    )
