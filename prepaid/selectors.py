"""Reads for the agent tab, the API and the services' rule checks."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Block
from core.branding import brand_context
from core.dates import local_today
from core.parameters import parameter
from prepaid.models import AppPass, Card, LedgerEntry, Package, PassApp, PrimeSubscription, PrimeTier, TariffDay


def card_for_line(line) -> Card | None:
    return Card.objects.select_related("line", "activation_area").filter(line=line).first()


def card_by_msisdn(msisdn: str) -> Card | None:
    """The card of the line that holds this number now (ValidationError on a malformed number)."""
    from accounts.selectors import line_by_msisdn

    line = line_by_msisdn(msisdn)
    if line is None:
        return None
    return Card.objects.select_related("line", "activation_area").filter(line=line).first()


def active_prime(card: Card) -> PrimeSubscription | None:
    return PrimeSubscription.objects.select_related("tier").filter(card=card, status="active").first()


def line_has_open_block(line_id: int) -> bool:
    return Block.objects.filter(line_id=line_id, ended_at__isnull=True).exists()


def tariff_percent(day: dt.date) -> int:
    """PRE-06: a special day's tariff first, then the weekend tariff, else the normal price (100 %)."""
    special = TariffDay.objects.filter(date=day).values_list("price_percent", flat=True).first()
    if special is not None:
        return special
    if day.weekday() >= 5:
        return parameter("prepaid_weekend_price_percent")
    return 100


def package_price(*, package: Package, day: dt.date, prime: bool, percent: int | None = None) -> int:
    """The price on `day`: the Prime special price when the card has Prime (PRM-04), then the day's tariff (PRE-06)."""
    base = package.prime_price if prime and package.prime_price else package.price
    percent = tariff_percent(day) if percent is None else percent
    return (base * percent + 50) // 100


def packages_on_sale() -> QuerySet:
    return Package.objects.filter(is_active=True).order_by("order", "price")


@dataclass
class TariffCalendarDay:
    date: dt.date
    name: str
    percent: int


def tariff_calendar(start: dt.date, days: int = 14) -> list[TariffCalendarDay]:
    """PRE-06: the days in the window whose tariff differs from the normal price, for display with the prices."""
    specials = {row.date: row for row in TariffDay.objects.filter(date__gte=start, date__lt=start + dt.timedelta(days))}
    weekend = parameter("prepaid_weekend_price_percent")
    result = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        if day in specials:
            result.append(TariffCalendarDay(day, specials[day].name, specials[day].price_percent))
        elif day.weekday() >= 5 and weekend != 100:
            result.append(TariffCalendarDay(day, _("Weekend"), weekend))
    return result


def prime_tier_for_spend(average: int, tiers: list[PrimeTier] | None = None) -> PrimeTier:
    """PRM-01: the highest tier whose threshold the average spend reaches (the lowest tier otherwise)."""
    tiers = tiers if tiers is not None else list(PrimeTier.objects.order_by("min_average_spend"))
    chosen = tiers[0]
    for tier in tiers:
        if average >= tier.min_average_spend:
            chosen = tier
    return chosen


def active_app_pass(card: Card, now: dt.datetime | None = None) -> AppPass | None:
    now = now or timezone.now()
    return AppPass.objects.filter(card=card, valid_until__gt=now).order_by("-valid_until").first()


def pass_apps() -> list[str]:
    return list(PassApp.objects.filter(is_active=True).order_by("order", "name").values_list("name", flat=True))


def card_ledger(card: Card) -> QuerySet:
    return LedgerEntry.objects.filter(card=card).select_related("actor").order_by("-created_at", "-id")


@dataclass
class Benefit:
    title: str
    detail: str


def prime_benefits(subscription: PrimeSubscription | None) -> list[Benefit]:
    """PRM-04, shown among the card's benefits while Prime is active."""
    if subscription is None:
        return []
    return [
        Benefit(_("Free calls to IM3 numbers"), _("Every Sunday 05:00–15:00 WIB.")),
        Benefit(_("Free calls to call centre %(operator_call_centre)s") % brand_context(), _("Always.")),
        Benefit(_("Free SIM replacement"), _("No fee and no top-up needed for a lost or damaged card.")),
        Benefit(_("Data rollover"), _("Unused quota of monthly data packages (UNLIMITED, FREEDOM COMBO, FREEDOM PLUS) "
                                      "rolls over.")),
        Benefit(_("Unlimited app pass"), _("3 days, domestic only: %(apps)s.") % {"apps": ", ".join(pass_apps())}),
        Benefit(_("Special price on unlimited packages"), ""),
        Benefit(_("Traffic priority"), ""),
    ] + ([Benefit(_("Wednesday e-voucher draw"), _("Online-shopping e-voucher drawn every Wednesday."))]
         if subscription.tier.voucher_draw else [])


def days_left(card: Card, today: dt.date | None = None) -> int | None:
    """Days until the active period or the grace period ends, for the agent's colour cue."""
    today = today or local_today()
    if card.state == Card.State.ACTIVE and card.active_until:
        return (card.active_until - today).days
    if card.state == Card.State.GRACE and card.grace_until:
        return (card.grace_until - today).days
    return None
