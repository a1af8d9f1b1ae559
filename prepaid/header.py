"""The prepaid part of the line page's customer 360 header (core.header): the card's state, balance and
active-until, the IM3 Prime tier, and — for a card in grace (PRE-02) — a red status with the day the balance is lost.

One query: the card with its active Prime tier as a subquery (the partial unique index `prime_one_active_per_card`)."""

import datetime as dt

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from core.header import Attention, HeaderFact, register_header_fact
from core.money import format_rupiah
from core.parameters import parameter
from prepaid.models import Card, PrimeSubscription

EXPIRY_WARNING_DAYS = 7  # an Active Period ending this soon is listed on the Overview tab


def balance_lost_on(card: Card, today: dt.date) -> dt.date | None:
    """PRE-02: the first day the card is invalid and its balance forfeited, when it is in grace — also when its
    Active Period has ended and the nightly job has not moved it to grace yet. None otherwise.

    active_until 10 Jan → grace from 11 Jan, grace_until 9 Feb (+ `prepaid_grace_days`), balance lost on 10 Feb."""
    if card.state == Card.State.GRACE and card.grace_until:
        return card.grace_until + dt.timedelta(days=1)
    if card.state == Card.State.ACTIVE and card.active_until and card.active_until < today:
        return card.active_until + dt.timedelta(days=parameter("prepaid_grace_days") + 1)
    return None


def prepaid_fact(line, today: dt.date) -> HeaderFact | None:
    if line.kind != "prepaid":
        return None
    prime = PrimeSubscription.objects.filter(card=OuterRef("pk"), status=PrimeSubscription.Status.ACTIVE)
    card = (Card.objects.filter(line_id=line.pk)
            .annotate(prime_tier=Subquery(prime.values("tier__name")[:1]),
                      prime_renews_on=Subquery(prime.values("renews_on")[:1]))
            .first())
    if card is None:
        return None
    lost_on = balance_lost_on(card, today)
    in_grace = lost_on is not None
    days_left = (card.active_until - today).days if card.state == Card.State.ACTIVE and not in_grace \
        and card.active_until else None
    topup = reverse("prepaid:topup", args=[line.pk])
    items, alarm = [], ""
    if in_grace:
        alarm = _("Grace period: the balance is lost on %(date)s") % {"date": lost_on.strftime("%d-%m-%Y")}
        items.append(Attention(
            text=_("The Active Period ended on %(ended)s: no service now, and the balance of %(balance)s is lost on "
                   "%(date)s unless the customer tops up.") % {
                "ended": card.active_until.strftime("%d-%m-%Y"), "balance": format_rupiah(card.balance),
                "date": lost_on.strftime("%d-%m-%Y")},
            level="danger", action=_("Record a top-up"), url=topup))
    elif days_left is not None and days_left <= EXPIRY_WARNING_DAYS:
        items.append(Attention(
            text=_("The Active Period ends on %(date)s; a top-up extends it.") % {
                "date": card.active_until.strftime("%d-%m-%Y")},
            level="warning", action=_("Record a top-up"), url=topup))
    elif card.state == Card.State.INACTIVE:
        items.append(Attention(text=_("The card is not activated yet."), level="info", action=_("Activate"),
                               url=reverse("prepaid:activate", args=[line.pk])))
    return HeaderFact(key="prepaid", template="prepaid/header.html", alarm=alarm, attention=items, context={
        "card": card, "in_grace": in_grace, "lost_on": lost_on, "days_left": days_left,
        "prime_tier": card.prime_tier, "prime_renews_on": card.prime_renews_on,
    })


def register() -> None:
    register_header_fact("prepaid", prepaid_fact, order=20)
