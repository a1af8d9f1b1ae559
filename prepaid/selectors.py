"""Reads for the agent tab, the API and the services' rule checks."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Block
from core.dates import local_today
from core.parameters import parameter
from prepaid.models import (
    AppPass,
    Card,
    LedgerEntry,
    Package,
    PassApp,
    PriceChange,
    PrimeSubscription,
    PrimeTier,
    TariffDay,
)


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


def _pending_change(day: dt.date) -> QuerySet:
    """PRE-08: price changes in force on `day` that the job has not yet copied into their package."""
    return PriceChange.objects.filter(effective_on__lte=day, applied_at__isnull=True).order_by("-effective_on")


def with_prices_on(queryset: QuerySet, day: dt.date) -> QuerySet:
    """Annotate each package with its list prices on `day` (one query for a whole list)."""
    change = _pending_change(day).filter(package=OuterRef("pk"))
    return queryset.annotate(change_id=Subquery(change.values("pk")[:1]),
                             change_price=Subquery(change.values("new_price")[:1]),
                             change_prime_price=Subquery(change.values("new_prime_price")[:1]))


def list_prices(package: Package, day: dt.date) -> tuple[int, int | None]:
    """PRE-08: (price, Prime special price) on `day`: a change takes effect on its date; until then the old price
    holds. Uses the `with_prices_on` annotation when the package comes from such a list."""
    if hasattr(package, "change_id"):
        if package.change_id is None:
            return package.price, package.prime_price
        return package.change_price, package.change_prime_price
    change = _pending_change(day).filter(package=package).values("new_price", "new_prime_price").first()
    if change is None:
        return package.price, package.prime_price
    return change["new_price"], change["new_prime_price"]


def package_price(*, package: Package, day: dt.date, prime: bool, percent: int | None = None) -> int:
    """The price on `day`: the list price of that day (PRE-08), the Prime special price when the card has Prime
    (PRM-04), then the day's tariff (PRE-06)."""
    price, prime_price = list_prices(package, day)
    base = prime_price if prime and prime_price else price
    percent = tariff_percent(day) if percent is None else percent
    return (base * percent + 50) // 100


def packages_on_sale(day: dt.date | None = None) -> QuerySet:
    return with_prices_on(Package.objects.filter(is_active=True), day or local_today()).order_by("order", "price")


def upcoming_price_changes(day: dt.date) -> dict[int, PriceChange]:
    """PRE-08: the next scheduled change of each package after `day`, to show the agent and the app ahead."""
    upcoming = {}
    for change in PriceChange.objects.filter(effective_on__gt=day).order_by("effective_on", "pk"):
        upcoming.setdefault(change.package_id, change)
    return upcoming


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
        Benefit(_("Free calls to call centre 185"), _("Always.")),
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
