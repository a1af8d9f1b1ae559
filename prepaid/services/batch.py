"""Batch work for the prepaid jobs. Each `*_chunk` selects due rows BY STATE (SKIP LOCKED on PostgreSQL), changes
their state in set-based SQL where it can, and returns a ChunkResult; `core.jobs.job_run` calls it until nothing is
left. A re-run or a second worker finds nothing to do twice."""

import datetime as dt
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.consent import marketing_sms_enqueue
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
    # ACC-09: the invalid card's line ends in every app (Prime disabled), its number enters quarantine (ACC-04).
    from accounts.services import lines_end_cards_invalid

    lines_end_cards_invalid(line_ids=list(Card.objects.filter(pk__in=due, state=Card.State.INVALID,
                                                              invalid_since=today).values_list("line_id", flat=True)),
                            today=today)
    return ChunkResult(selected=len(due), changed=changed, skipped=len(due) - changed)


# ------------------------------------------------------------------------------------------------ Prime renewal

PRIME_CHUNK = 5000


@dataclass(frozen=True)
class _Due:
    """One subscription due for renewal, with what its charge writes."""

    id: int
    card_id: int
    period: dt.date
    fee: int
    tier_name: str
    tier_code: str
    next_renews_on: dt.date

    @property
    def reference(self) -> str:
        # Unique per subscription and period (LedgerEntry.reference is unique): a period is never charged twice.
        return f"prime:{self.id}:{self.period.isoformat()}"


# PostgreSQL: the whole chunk's charge in one statement. The chunk's cards are locked in id order first (so that
# two batch jobs touching the same cards cannot deadlock), then debited where they are active and the balance
# covers the fee (PRM-02; a conditional UPDATE, never below zero - PRM-03) and this period is not in the ledger yet;
# each debit writes its ledger row with the balance the UPDATE returned; the subscriptions whose period is paid
# (now, or by an earlier run) move on by one calendar month. RETURNING: the ids of those renewed.
_PRIME_RENEW_SQL = """
WITH due (sub_id, card_id, fee, reference, renews_on, note) AS (
    SELECT * FROM unnest(%(ids)s::bigint[], %(cards)s::bigint[], %(fees)s::bigint[], %(refs)s::varchar[],
                         %(next)s::date[], %(notes)s::varchar[])
), locked AS (
    SELECT c.id FROM {card} c WHERE c.id = ANY(%(cards)s::bigint[]) ORDER BY c.id FOR UPDATE
), debited AS (
    UPDATE {card} c SET balance = c.balance - d.fee, updated_at = %(now)s
    FROM due d JOIN locked l ON l.id = d.card_id
    WHERE c.id = d.card_id AND c.state = %(active)s AND c.balance >= d.fee
      AND NOT EXISTS (SELECT 1 FROM {ledger} e WHERE e.reference = d.reference)
    RETURNING c.id, c.balance
), entries AS (
    INSERT INTO {ledger} (card_id, kind, reference, amount, balance_after, created_at, channel, actor_id, note)
    SELECT d.card_id, %(kind)s, d.reference, -d.fee, b.balance, %(now)s, %(channel)s, NULL, d.note
    FROM due d JOIN debited b ON b.id = d.card_id
    RETURNING card_id
), paid AS (
    SELECT card_id FROM entries
    UNION ALL
    SELECT d.card_id FROM due d WHERE EXISTS (SELECT 1 FROM {ledger} e WHERE e.reference = d.reference)
)
UPDATE {subscription} s SET periods_charged = s.periods_charged + 1, renews_on = d.renews_on
FROM due d JOIN paid p ON p.card_id = d.card_id
WHERE s.id = d.sub_id AND s.status = %(sub_active)s
RETURNING s.id
"""


def _renew_set_based(rows: list[_Due], now: dt.datetime) -> set[int]:
    quote = connection.ops.quote_name
    sql = _PRIME_RENEW_SQL.format(card=quote(Card._meta.db_table), ledger=quote(LedgerEntry._meta.db_table),
                                  subscription=quote(PrimeSubscription._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            "ids": [r.id for r in rows], "cards": [r.card_id for r in rows], "fees": [r.fee for r in rows],
            "refs": [r.reference for r in rows], "next": [r.next_renews_on for r in rows],
            "notes": [r.tier_name for r in rows], "now": now, "active": Card.State.ACTIVE,
            "kind": LedgerEntry.Kind.PRIME_FEE, "channel": Channel.SYSTEM,
            "sub_active": PrimeSubscription.Status.ACTIVE,
        })
        return {row[0] for row in cursor.fetchall()}


def _renew_row_by_row(rows: list[_Due], now: dt.datetime) -> set[int]:
    """The portable path (SQLite, which serialises writers): the same conditional debit and unique reference,
    one subscription at a time."""
    charged_before = set(LedgerEntry.objects.filter(reference__in=[r.reference for r in rows])
                         .values_list("reference", flat=True))
    renewed = set()
    for row in rows:
        if row.reference not in charged_before:
            if not Card.objects.filter(pk=row.card_id, state=Card.State.ACTIVE, balance__gte=row.fee).update(
                    balance=F("balance") - row.fee, updated_at=now):
                continue
            balance = Card.objects.values_list("balance", flat=True).get(pk=row.card_id)
            LedgerEntry.objects.create(card_id=row.card_id, kind=LedgerEntry.Kind.PRIME_FEE, amount=-row.fee,
                                       balance_after=balance, reference=row.reference, channel=Channel.SYSTEM,
                                       note=row.tier_name, created_at=now)
        PrimeSubscription.objects.filter(pk=row.id, status=PrimeSubscription.Status.ACTIVE).update(
            periods_charged=F("periods_charged") + 1, renews_on=row.next_renews_on)
        renewed.add(row.id)
    return renewed


def _disable(rows: list[_Due], *, today: dt.date) -> None:
    """PRM-03: Prime off for the subscriptions that could not pay, with an audit row each, and an SMS when it is the
    balance (a card in grace or invalid has no service to tell about). The SMS rows go in with one INSERT that skips
    an existing dedup key (`sms_enqueue`'s rule: a second SMS with the same key writes nothing); the dispatcher's
    beat schedule sends them (no on-commit nudge for a batch)."""
    from core.models import OutboundSms, SmsTemplate
    from core.outbox import sms_render

    cards = Card.objects.select_related("line").in_bulk([row.card_id for row in rows])
    reasons: dict[str, list[_Due]] = defaultdict(list)
    for row in rows:
        low_balance = cards[row.card_id].state == Card.State.ACTIVE
        reasons[PrimeSubscription.EndReason.LOW_BALANCE if low_balance
                else PrimeSubscription.EndReason.CARD_NOT_ACTIVE].append(row)
    for reason, group in reasons.items():
        PrimeSubscription.objects.filter(id__in=[row.id for row in group],
                                         status=PrimeSubscription.Status.ACTIVE).update(
            status=PrimeSubscription.Status.DISABLED, ended_on=today, end_reason=reason)
        for row in group:
            audit_record(actor=None, actor_label="job:prepaid.prime_renewal", channel=Channel.SYSTEM,
                         verb="prime.disabled", subject=cards[row.card_id].line, old={"tier": row.tier_code},
                         new={"reason": reason, "period": row.period, "fee": row.fee})
    low = reasons.get(PrimeSubscription.EndReason.LOW_BALANCE)
    if not low:
        return
    template = SmsTemplate.objects.get(code="prime_disabled_low_balance")
    now = timezone.now()
    messages = []
    for row in low:
        line = cards[row.card_id].line
        messages.append(OutboundSms(
            msisdn=line.msisdn, line=line, template_code=template.code, language="id",
            text=sms_render(template=template, language="id",
                            context={"msisdn": line.msisdn_national, "tier": row.tier_name,
                                     "fee": format_rupiah(row.fee)}),
            dedup_key=f"prime-disabled:{row.id}:{row.period.isoformat()}", next_attempt_at=now,
        ))
    # The ones already queued are left out first: on PostgreSQL the dedup key is unique in the key table (the
    # outbox is partitioned by month, core.partitions), which ON CONFLICT DO NOTHING does not cover.
    queued = set(OutboundSms.objects.filter(dedup_key__in=[m.dedup_key for m in messages])
                 .values_list("dedup_key", flat=True))
    OutboundSms.objects.bulk_create([m for m in messages if m.dedup_key not in queued], ignore_conflicts=True)


def prime_renewal_chunk(*, today: dt.date, size: int = PRIME_CHUNK) -> ChunkResult:
    """PRM-02/03: on the renewal date take the tier's fee when the balance covers it, else disable Prime and send
    an SMS. Set-based per chunk: the due subscriptions are selected and locked (SKIP LOCKED, so a second worker
    takes other ones), then charged in one statement on PostgreSQL (`_PRIME_RENEW_SQL`). The debit is conditional
    (balance >= fee) and the ledger reference is unique per subscription and period: neither a second worker nor a
    re-run charges twice, and the balance never goes negative."""
    due = list(
        _skip_locked(PrimeSubscription.objects.filter(status=PrimeSubscription.Status.ACTIVE, renews_on__lte=today))
        .order_by("renews_on", "id")
        .values_list("id", "card_id", "renews_on", "started_on", "periods_charged", "tier__monthly_fee",
                     "tier__name", "tier__code")[:size]
    )
    if not due:
        return ChunkResult(selected=0)
    rows = [
        # A calendar month from the start: 31 Jan → 28/29 Feb → 31 Mar (DOMAIN.md "Month").
        _Due(id=pk, card_id=card_id, period=renews_on, fee=fee, tier_name=name, tier_code=code,
             next_renews_on=add_months(started_on, periods_charged + 1))
        for pk, card_id, renews_on, started_on, periods_charged, fee, name, code in due
    ]
    now = timezone.now()
    if connection.vendor == "postgresql":
        renewed = _renew_set_based(rows, now)
    else:
        renewed = _renew_row_by_row(rows, now)
    short = [row for row in rows if row.id not in renewed]
    if short:
        _disable(short, today=today)
    return ChunkResult(selected=len(rows), changed=len(rows), skipped=0)


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
    cards = {card.pk: card for card in
             Card.objects.select_related("line__customer").filter(pk__in=[card_of[w] for w in winners])}
    code_rng = random.Random(seed ^ 0x5EED)
    for position, subscription_id in enumerate(winners):
        card = cards[card_of[subscription_id]]
        code = f"P{day:%y%m%d}{position:03d}{code_rng.randrange(16 ** 5):05X}"
        VoucherWin.objects.create(draw=draw, subscription_id=subscription_id, card=card, voucher_code=code)
        # ACC-11: a marketing SMS; the voucher is won all the same, the customer who withdrew just gets no SMS.
        marketing_sms_enqueue(msisdn=card.line.msisdn, line=card.line, template_code="prime_voucher_won",
                              dedup_key=f"prime-voucher:{draw.pk}:{card.pk}", language=card.line.customer.language,
                              context={"msisdn": card.line.msisdn_national, "amount": format_rupiah(amount),
                                       "code": code})
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
                           note=_("%(total)s SMS today, at most %(peak)s in one hour: over %(limit)s.")
                           % {"total": row["total"], "peak": row["peak"], "limit": limit})
                _sms(msisdn=card.line.msisdn, line=card.line, template_code="prepaid_sms_fair_usage_block",
                     dedup_key=f"prepaid-sms-block:{card.pk}:{day.isoformat()}",
                     context={"msisdn": card.line.msisdn_national, "limit": limit})
            changed += 1
        except RuleViolation:
            failed += 1
    return ChunkResult(selected=len(rows), changed=changed, failed=failed)
