"""Batch work for the prepaid jobs. Each `*_chunk` selects due rows BY STATE (SKIP LOCKED on PostgreSQL), changes
their state in set-based SQL where it can, and returns a ChunkResult; `core.jobs.job_run` calls it until nothing is
left. A re-run or a second worker finds nothing to do twice."""

import datetime as dt
import random
import secrets
from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Block, Line
from core.audit import audit_record
from core.dates import add_months
from core.jobs import ChunkResult
from core.models import Channel
from core.money import format_rupiah
from core.parameters import parameter
from core.verdicts import RuleViolation
from prepaid.models import (
    Card,
    LedgerEntry,
    PrimeSubscription,
    PrimeTier,
    SmsHourCounter,
    SmsUsageRecord,
    VoucherDraw,
    VoucherWin,
)
from prepaid.selectors import prime_tier_for_spend
from prepaid.services.prime import spend_averages

LIFECYCLE_CHUNK = 5000


def _skip_locked(queryset):
    """FOR UPDATE SKIP LOCKED where the database has it (PostgreSQL); SQLite serialises writers anyway."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def _ids_clause(ids: list[int]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [list(ids)]
    return "IN (" + ", ".join(["%s"] * len(ids)) + ")", list(ids)


def _sms(**kwargs):
    from core.outbox import sms_enqueue

    return sms_enqueue(**kwargs)


# ------------------------------------------------------------------------------------------------ lifecycle (PRE-02)


def lifecycle_chunk(*, today: dt.date, size: int = LIFECYCLE_CHUNK) -> ChunkResult:
    """PRE-02: active → grace the day after active_until; grace → invalid the day after the 30th grace day, voiding
    the balance with one forfeiture entry per card (INSERT … SELECT, then one UPDATE, in the caller's transaction).

    A card whose active_until is 10 Jan is active on 10 Jan, in grace from 11 Jan to 9 Feb (grace_until = 10 Jan +
    `prepaid_grace_days`), and invalid from 10 Feb."""
    table = connection.ops.quote_name(Card._meta.db_table)
    now = timezone.now()
    due = list(_skip_locked(Card.objects.filter(state=Card.State.ACTIVE, active_until__lt=today))
               .order_by("active_until", "id").values_list("id", flat=True)[:size])
    if due:
        clause, params = _ids_clause(due)
        grace_days = parameter("prepaid_grace_days")
        grace_until = ("active_until + %s" if connection.vendor == "postgresql"
                       else "date(active_until, '+' || %s || ' days')")
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET state = %s, grace_until = {grace_until}, updated_at = %s "
                f"WHERE id {clause} AND state = %s",
                [Card.State.GRACE, grace_days, now, *params, Card.State.ACTIVE],
            )
            changed = cursor.rowcount
        return ChunkResult(selected=len(due), changed=changed, skipped=len(due) - changed)

    due = list(_skip_locked(Card.objects.filter(state=Card.State.GRACE, grace_until__lt=today))
               .order_by("grace_until", "id").values_list("id", flat=True)[:size])
    if not due:
        return ChunkResult(selected=0)
    clause, params = _ids_clause(due)
    ledger = connection.ops.quote_name(LedgerEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ledger} (card_id, kind, reference, amount, balance_after, created_at, channel, note, "
            f"actor_id) SELECT id, %s, %s || CAST(id AS VARCHAR(20)), -balance, 0, %s, %s, %s, NULL FROM {table} "
            f"WHERE id {clause} AND state = %s",
            [LedgerEntry.Kind.FORFEITURE, "forfeit:", now, Channel.SYSTEM, "PRE-02 grace period ended", *params,
             Card.State.GRACE],
        )
        cursor.execute(
            f"UPDATE {table} SET state = %s, balance = 0, invalid_since = %s, updated_at = %s "
            f"WHERE id {clause} AND state = %s",
            [Card.State.INVALID, today, now, *params, Card.State.GRACE],
        )
        changed = cursor.rowcount
    return ChunkResult(selected=len(due), changed=changed, skipped=len(due) - changed)


# ------------------------------------------------------------------------------------------------ Prime renewal


def prime_renewal_chunk(*, today: dt.date, size: int = 500) -> ChunkResult:
    """PRM-02/03: on the renewal date take the tier's fee when the balance covers it, else disable Prime and send
    an SMS. The debit is a conditional UPDATE (balance >= fee), the ledger reference is unique per subscription and
    period: neither a second worker nor a re-run charges twice, and the balance never goes negative."""
    subscriptions = list(
        _skip_locked(PrimeSubscription.objects.filter(status=PrimeSubscription.Status.ACTIVE, renews_on__lte=today))
        .select_related("tier", "card__line").order_by("renews_on", "id")[:size]
    )
    if not subscriptions:
        return ChunkResult(selected=0)
    now = timezone.now()
    charged = disabled = 0
    for subscription in subscriptions:
        fee = subscription.tier.monthly_fee
        period = subscription.renews_on
        reference = f"prime:{subscription.pk}:{period.isoformat()}"
        debited = False
        try:
            with transaction.atomic():
                debited = bool(
                    Card.objects.filter(pk=subscription.card_id, state=Card.State.ACTIVE, balance__gte=fee)
                    .update(balance=F("balance") - fee, updated_at=now)
                )
                if debited:
                    balance = Card.objects.values_list("balance", flat=True).get(pk=subscription.card_id)
                    LedgerEntry.objects.create(
                        card_id=subscription.card_id, kind=LedgerEntry.Kind.PRIME_FEE, amount=-fee,
                        balance_after=balance, reference=reference, channel=Channel.SYSTEM,
                        note=subscription.tier.name, created_at=now,
                    )
        except IntegrityError:
            # This period was charged already (the savepoint undid our debit): only move the date on.
            debited = True
        if debited:
            charged += 1
            subscription.periods_charged += 1
            # A calendar month from the start: 31 Jan → 28/29 Feb → 31 Mar (DOMAIN.md "Month").
            subscription.renews_on = add_months(subscription.started_on, subscription.periods_charged)
            subscription.save(update_fields=["periods_charged", "renews_on"])
            continue
        disabled += 1
        card = subscription.card
        low_balance = card.state == Card.State.ACTIVE
        subscription.status = PrimeSubscription.Status.DISABLED
        subscription.ended_on = today
        subscription.end_reason = (PrimeSubscription.EndReason.LOW_BALANCE if low_balance
                                   else PrimeSubscription.EndReason.CARD_NOT_ACTIVE)
        subscription.save(update_fields=["status", "ended_on", "end_reason"])
        audit_record(actor=None, actor_label="job:prepaid.prime_renewal", channel=Channel.SYSTEM,
                     verb="prime.disabled", subject=card.line, old={"tier": subscription.tier.code},
                     new={"reason": subscription.end_reason, "period": period, "fee": fee})
        if low_balance:  # PRM-03; a card in grace or invalid has no service to tell about
            _sms(msisdn=card.line.msisdn, line=card.line, template_code="prime_disabled_low_balance",
                 dedup_key=f"prime-disabled:{subscription.pk}:{period.isoformat()}",
                 context={"msisdn": card.line.msisdn_national, "tier": subscription.tier.name,
                          "fee": format_rupiah(fee)})
    return ChunkResult(selected=len(subscriptions), changed=charged + disabled, skipped=0)


# ------------------------------------------------------------------------------------------------ Prime tiers (PRM-01)


def prime_tier_chunk(*, month_start: dt.date, size: int = 2000) -> ChunkResult:
    """PRM-01, monthly: each active subscription's tier from its last 3 months' average spend. Subscriptions already
    reviewed for this month are left alone, so a re-run finds nothing."""
    rows = list(
        _skip_locked(PrimeSubscription.objects.filter(status=PrimeSubscription.Status.ACTIVE)
                     .filter(Q(tier_reviewed_for__isnull=True) | Q(tier_reviewed_for__lt=month_start)))
        .order_by("id").values_list("id", "card_id", "tier_id")[:size]
    )
    if not rows:
        return ChunkResult(selected=0)
    tiers = list(PrimeTier.objects.order_by("min_average_spend"))
    averages = spend_averages(card_ids=[card_id for _, card_id, _ in rows], month_start=month_start)
    by_tier: dict[int, list[int]] = defaultdict(list)
    changed = 0
    for subscription_id, card_id, tier_id in rows:
        tier = prime_tier_for_spend(averages.get(card_id, 0), tiers)
        by_tier[tier.pk].append(subscription_id)
        changed += tier.pk != tier_id
    for tier_id, ids in by_tier.items():
        PrimeSubscription.objects.filter(id__in=ids).update(tier_id=tier_id, tier_reviewed_for=month_start)
    return ChunkResult(selected=len(rows), changed=changed, skipped=len(rows) - changed)


# ------------------------------------------------------------------------------------------------ e-voucher draw


def draw_winners(*, seed: int, eligible: list[int], count: int) -> list[int]:
    """The winners of a draw, reproducible from its recorded seed and eligible list (PRM-04)."""
    return random.Random(seed).sample(eligible, min(count, len(eligible)))


@transaction.atomic
def prime_voucher_draw(*, day: dt.date, seed: int | None = None) -> VoucherDraw:
    """PRM-04: every Wednesday, e-vouchers drawn at random among active Prime Joy and Prime First subscribers.
    The seed and the eligible list are recorded; the winners are recorded and get an SMS each. Once per day."""
    if day.weekday() != 2:
        raise RuleViolation.single("not_wednesday", _("The e-voucher draw is held on Wednesdays."))
    existing = VoucherDraw.objects.filter(draw_date=day).first()
    if existing is not None:
        return existing
    eligible_rows = list(
        PrimeSubscription.objects.filter(status=PrimeSubscription.Status.ACTIVE, tier__voucher_draw=True,
                                         card__state=Card.State.ACTIVE)
        .order_by("id").values_list("id", "card_id")
    )
    eligible = [row[0] for row in eligible_rows]
    card_of = dict(eligible_rows)
    seed = secrets.randbits(62) if seed is None else seed
    wanted = parameter("prime_voucher_winners")
    amount = parameter("prime_voucher_amount")
    draw = VoucherDraw.objects.create(draw_date=day, seed=seed, eligible=eligible, eligible_count=len(eligible),
                                      winners_wanted=wanted, voucher_amount=amount)
    winners = draw_winners(seed=seed, eligible=eligible, count=wanted)
    cards = {card.pk: card for card in Card.objects.select_related("line").filter(pk__in=[card_of[w] for w in winners])}
    code_rng = random.Random(seed ^ 0x5EED)
    for position, subscription_id in enumerate(winners):
        card = cards[card_of[subscription_id]]
        code = f"P{day:%y%m%d}{position:03d}{code_rng.randrange(16 ** 5):05X}"
        VoucherWin.objects.create(draw=draw, subscription_id=subscription_id, card=card, voucher_code=code)
        _sms(msisdn=card.line.msisdn, line=card.line, template_code="prime_voucher_won",
             dedup_key=f"prime-voucher:{draw.pk}:{card.pk}",
             context={"msisdn": card.line.msisdn_national, "amount": format_rupiah(amount), "code": code})
    return draw


def prime_voucher_draw_chunk(*, day: dt.date) -> ChunkResult:
    if day.weekday() != 2 or VoucherDraw.objects.filter(draw_date=day).exists():
        return ChunkResult(selected=0)
    draw = prime_voucher_draw(day=day)
    return ChunkResult(selected=draw.eligible_count or 1, changed=draw.winners.count())


# ------------------------------------------------------------------------------------------------ expiry reminder


def expiry_reminder_chunk(*, today: dt.date, size: int = 1000) -> ChunkResult:
    """An SMS `prepaid_reminder_days` before active_until (or fewer, when the job missed a day); once per date."""
    days = parameter("prepaid_reminder_days")
    cards = list(
        _skip_locked(Card.objects.filter(state=Card.State.ACTIVE, active_until__gt=today,
                                         active_until__lte=today + dt.timedelta(days=days))
                     .exclude(reminder_sent_for=F("active_until")))
        .select_related("line").order_by("active_until", "id")[:size]
    )
    if not cards:
        return ChunkResult(selected=0)
    grace_days = parameter("prepaid_grace_days")
    for card in cards:
        _sms(msisdn=card.line.msisdn, line=card.line, template_code="prepaid_expiry_reminder",
             dedup_key=f"prepaid-reminder:{card.pk}:{card.active_until.isoformat()}",
             context={"msisdn": card.line.msisdn_national, "active_until": card.active_until.strftime("%d-%m-%Y"),
                      "grace_days": grace_days})
    Card.objects.filter(id__in=[card.pk for card in cards]).update(reminder_sent_for=F("active_until"))
    return ChunkResult(selected=len(cards), changed=len(cards))


# ------------------------------------------------------------------------------------------------ SMS fair usage


def sms_usage_record(*, card: Card, record_id: str, occurred_at: dt.datetime, count: int = 1) -> bool:
    """Count SMS usage once per record id into the card's hourly counter (PRE-04). False on a replay."""
    if count <= 0:
        raise RuleViolation.single("count_invalid", _("The SMS count must be positive."))
    local = timezone.localtime(occurred_at)
    with transaction.atomic():
        try:
            with transaction.atomic():
                SmsUsageRecord.objects.create(record_id=record_id, card=card, occurred_at=occurred_at, count=count)
        except IntegrityError:
            return False
        key = {"card": card, "day": local.date(), "hour": local.hour}
        if not SmsHourCounter.objects.filter(**key).update(count=F("count") + count):
            try:
                with transaction.atomic():
                    SmsHourCounter.objects.create(**key, count=count)
            except IntegrityError:
                SmsHourCounter.objects.filter(**key).update(count=F("count") + count)
    return True


def sms_fair_usage_chunk(*, now: dt.datetime, size: int = 200) -> ChunkResult:
    """PRE-04: block a card that sent more than `prepaid_sms_per_day` SMS today or more than `prepaid_sms_per_hour`
    in one hour, with an SMS. A line is blocked for this at most once a day (a supervisor may lift it)."""
    day = timezone.localdate(now)
    per_day, per_hour = parameter("prepaid_sms_per_day"), parameter("prepaid_sms_per_hour")
    day_start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
    blocked_today = Block.objects.filter(reason=Block.Reason.SMS_FAIR_USAGE).filter(
        Q(ended_at__isnull=True) | Q(started_at__gte=day_start)).values("line_id")
    rows = list(
        SmsHourCounter.objects.filter(day=day, card__line__status__in=[Line.Status.ACTIVE, Line.Status.INACTIVE])
        .exclude(card__line_id__in=blocked_today)
        .values("card_id").annotate(total=Sum("count"), peak=Max("count"))
        .filter(Q(total__gt=per_day) | Q(peak__gt=per_hour)).order_by("card_id")[:size]
    )
    if not rows:
        return ChunkResult(selected=0)
    from accounts.services import line_block

    cards = {card.pk: card for card in Card.objects.select_related("line").filter(pk__in=[r["card_id"] for r in rows])}
    changed = failed = 0
    for row in rows:
        card = cards[row["card_id"]]
        over_day = row["total"] > per_day
        limit = (_("%(count)s SMS a day") % {"count": per_day}) if over_day else (
            _("%(count)s SMS an hour") % {"count": per_hour})
        try:
            with transaction.atomic():
                line_block(line=card.line, reason=Block.Reason.SMS_FAIR_USAGE, actor=None, channel=Channel.SYSTEM,
                           note=_("%(total)s SMS today, at most %(peak)s in one hour: over %(limit)s (PRE-04).")
                           % {"total": row["total"], "peak": row["peak"], "limit": limit})
                _sms(msisdn=card.line.msisdn, line=card.line, template_code="prepaid_sms_fair_usage_block",
                     dedup_key=f"prepaid-sms-block:{card.pk}:{day.isoformat()}",
                     context={"msisdn": card.line.msisdn_national, "limit": limit})
            changed += 1
        except RuleViolation:
            failed += 1
    return ChunkResult(selected=len(rows), changed=changed, failed=failed)
