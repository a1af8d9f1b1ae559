"""IM3 Prime on a card: subscribe, cancel, the unlimited app pass (PRM-01..04)."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.dates import add_months, local_today
from core.models import Channel
from core.money import format_rupiah
from core.parameters import parameter
from core.verdicts import RuleViolation
from prepaid.models import AppPass, Card, LedgerEntry, PrimeSubscription, PrimeTier
from prepaid.selectors import active_app_pass, pass_apps, prime_tier_for_spend
from prepaid.services.cards import _reference, card_lock, ledger_write, topup_step

SPEND_KINDS = (LedgerEntry.Kind.PACKAGE_PURCHASE, LedgerEntry.Kind.PRIME_FEE)


def _refuse(code: str, message: str) -> RuleViolation:
    return RuleViolation.single(code, message)


def spend_averages(*, card_ids: list[int], month_start: dt.date, months: int | None = None) -> dict[int, int]:
    """PRM-01 Decision: average monthly spend (package purchases and Prime fees from the balance) over the
    `prime_spend_months` calendar months before `month_start`. One grouped query for all the cards."""
    months = months or parameter("prime_spend_months")
    window_start = add_months(month_start, -months)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(window_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(month_start, dt.time.min, tzinfo=tz)
    rows = (
        LedgerEntry.objects.filter(card_id__in=card_ids, kind__in=SPEND_KINDS, created_at__gte=start,
                                   created_at__lt=end)
        .values("card_id").annotate(total=Sum("amount"))
    )
    averages: dict[int, int] = defaultdict(int)
    for row in rows:
        averages[row["card_id"]] = -row["total"] // months
    return averages


def prime_subscribe(*, card: Card, actor, channel: str = Channel.GRAPARI, today: dt.date | None = None,
                    actor_label: str = "") -> PrimeSubscription:
    """Join IM3 Prime: the tier from the average spend (PRM-01), the first month's fee taken now (PRM-02); renewals
    follow every calendar month from today."""
    today = today or local_today()
    with transaction.atomic():
        card = card_lock(card)
        if card.state != Card.State.ACTIVE:
            raise _refuse("card_not_active", _("Only an active card can join IM3 Prime; this card is %(state)s.")
                          % {"state": card.get_state_display().lower()})
        if card.brand != Card.Brand.IM3:  # PRE-07
            raise _refuse("not_im3", _("IM3 Prime is for IM3 Ooredoo cards; this card is %(brand)s.")
                          % {"brand": card.get_brand_display()})
        if PrimeSubscription.objects.filter(card=card, status=PrimeSubscription.Status.ACTIVE).exists():
            raise _refuse("already_prime", _("This card already has IM3 Prime."))
        month_start = today.replace(day=1)
        average = spend_averages(card_ids=[card.pk], month_start=month_start)[card.pk]
        tier = prime_tier_for_spend(average)
        if card.balance < tier.monthly_fee:  # PRM-03: never a negative balance
            raise RuleViolation.single(
                "balance_insufficient", _("The balance of %(balance)s does not cover the %(tier)s fee of %(fee)s.")
                % {"balance": format_rupiah(card.balance), "tier": tier.name, "fee": format_rupiah(tier.monthly_fee)},
                next_step=topup_step(card.line_id))
        subscription = PrimeSubscription.objects.create(
            card=card, tier=tier, started_on=today, periods_charged=1, renews_on=add_months(today, 1),
            tier_reviewed_for=month_start,
        )
        ledger_write(card=card, kind=LedgerEntry.Kind.PRIME_FEE, amount=-tier.monthly_fee, channel=channel,
                     actor=actor, reference=f"prime:{subscription.pk}:{today.isoformat()}", note=tier.name)
        audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="prime.subscribed",
                     subject=card.line, new={"tier": tier.code, "fee": tier.monthly_fee, "average_spend": average,
                                             "renews_on": subscription.renews_on})
    return subscription


def prime_cancel(*, subscription: PrimeSubscription, actor, reason: str, channel: str = Channel.GRAPARI,
                 today: dt.date | None = None) -> PrimeSubscription:
    today = today or local_today()
    if not (reason or "").strip():
        raise _refuse("reason_required", _("Give a reason."))
    with transaction.atomic():
        subscription = PrimeSubscription.objects.select_for_update(of=("self",)).select_related("card__line").get(
            pk=subscription.pk)
        if subscription.status != PrimeSubscription.Status.ACTIVE:
            raise _refuse("not_active", _("This Prime subscription has already ended."))
        subscription.status = PrimeSubscription.Status.DISABLED
        subscription.ended_on = today
        subscription.end_reason = PrimeSubscription.EndReason.CUSTOMER_REQUEST
        subscription.save(update_fields=["status", "ended_on", "end_reason"])
        audit_record(actor=actor, channel=channel, verb="prime.cancelled", subject=subscription.card.line,
                     reason=reason, old={"tier": subscription.tier_id})
    return subscription


def app_pass_claim(
    *, card: Card, reference: str, channel: str = Channel.APP, actor=None, actor_label: str = "",
    now: dt.datetime | None = None,
) -> AppPass:
    """PRM-04: the 3-day unlimited pass for the listed apps, domestic only, one active pass at a time."""
    reference = _reference(reference)
    now = now or timezone.now()
    with transaction.atomic():
        card = card_lock(card)
        existing = AppPass.objects.filter(reference=reference).first()
        if existing is not None:
            if existing.card_id == card.pk:
                return existing
            raise _refuse("reference_reused", _("This reference was already used for another transaction."))
        if card.state != Card.State.ACTIVE:
            raise _refuse("card_not_active", _("The card is not active."))
        if not PrimeSubscription.objects.filter(card=card, status=PrimeSubscription.Status.ACTIVE).exists():
            raise _refuse("not_prime", _("The unlimited app pass is an IM3 Prime benefit."))
        current = active_app_pass(card, now)
        if current is not None:
            raise _refuse("pass_active", _("An app pass is already active until %(until)s.")
                          % {"until": timezone.localtime(current.valid_until).strftime("%d-%m-%Y %H:%M")})
        app_pass = AppPass.objects.create(
            card=card, reference=reference, claimed_at=now, channel=channel,
            valid_until=now + dt.timedelta(days=parameter("prime_app_pass_days")), apps=", ".join(pass_apps()),
        )
        audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="prime.app_pass_claimed",
                     subject=card.line, new={"valid_until": app_pass.valid_until, "apps": app_pass.apps})
    return app_pass


def prime_tiers() -> list[PrimeTier]:
    return list(PrimeTier.objects.order_by("min_average_spend"))
