"""2. The prepaid lifecycle job (PRE-02) and the Prime renewal job (PRM-02/03) over all cards, each against
   (a) the raw set-based SQL that makes the same changes and (b) a per-row ORM loop on a sample, extrapolated.
4. The worker's peak memory: the job runs in a fresh process (bench.worker) that reports its max RSS.

Every variant starts from the same snapshot: `dataset.reset_due_state()` puts the due rows back before each one,
and the raw SQL's end state is compared with the job's (cards by state and balance, Prime by status, ledger by
kind, SMS rows)."""

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from bench import dataset

BASE_DIR = Path(__file__).resolve().parent.parent
ORM_BATCH = 500


# --------------------------------------------------------------------------------------------------- raw SQL


def raw_lifecycle(today) -> float:
    """PRE-02 in three statements, one transaction, committed."""
    from core.parameters import parameter

    grace_days = parameter("prepaid_grace_days")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE prepaid_card SET state = 'grace', grace_until = active_until + %s, updated_at = now() "
                       "WHERE state = 'active' AND active_until < %s", [grace_days, today])
        cursor.execute(
            "INSERT INTO prepaid_ledgerentry (card_id, kind, reference, amount, balance_after, created_at, channel, "
            "note, actor_id) SELECT id, 'forfeiture', 'forfeit:' || id, -balance, 0, now(), 'system', "
            "'PRE-02 grace period ended', NULL FROM prepaid_card WHERE state = 'grace' AND grace_until < %s", [today])
        cursor.execute("UPDATE prepaid_card SET state = 'invalid', balance = 0, invalid_since = %s, updated_at = now() "
                       "WHERE state = 'grace' AND grace_until < %s", [today, today])
    return time.perf_counter() - started


RAW_PRIME_SQL = """
WITH due AS (
    SELECT s.id, s.card_id, s.renews_on, t.monthly_fee AS fee, t.name AS tier_name, t.code AS tier_code
    FROM prepaid_primesubscription s JOIN prepaid_primetier t ON t.id = s.tier_id
    WHERE s.status = 'active' AND s.renews_on <= %(today)s
    FOR UPDATE OF s
), debited AS (
    UPDATE prepaid_card c SET balance = c.balance - d.fee, updated_at = now() FROM due d
    WHERE c.id = d.card_id AND c.state = 'active' AND c.balance >= d.fee
    RETURNING c.id, c.balance
), ledger AS (
    INSERT INTO prepaid_ledgerentry (card_id, kind, reference, amount, balance_after, created_at, channel, actor_id,
                                     note)
    SELECT d.card_id, 'prime_fee', 'prime:' || d.id || ':' || d.renews_on, -d.fee, b.balance, now(), 'system', NULL,
           d.tier_name
    FROM due d JOIN debited b ON b.id = d.card_id
    RETURNING 1
), renewed AS (
    UPDATE prepaid_primesubscription s SET periods_charged = s.periods_charged + 1,
           renews_on = (s.started_on + (s.periods_charged + 1) * interval '1 month')::date
    FROM due d JOIN debited b ON b.id = d.card_id
    WHERE s.id = d.id
    RETURNING s.id
), disabled AS (
    UPDATE prepaid_primesubscription s SET status = 'disabled', ended_on = %(today)s,
           end_reason = CASE WHEN c.state = 'active' THEN 'low_balance' ELSE 'card_not_active' END
    FROM due d JOIN prepaid_card c ON c.id = d.card_id
    WHERE s.id = d.id AND NOT EXISTS (SELECT 1 FROM debited b WHERE b.id = d.card_id)
    RETURNING s.id, s.card_id, s.end_reason, d.tier_code, d.tier_name, d.fee, d.renews_on
), audit AS (
    INSERT INTO core_auditevent (created_at, actor_id, actor_label, outlet_id, channel, verb, subject_type,
                                 subject_id, subject_repr, line_id, customer_id, old, new, reason)
    SELECT now(), NULL, 'job:prepaid.prime_renewal', NULL, 'system', 'prime.disabled', 'accounts.line', l.id::text,
           '0' || substr(l.msisdn, 4), l.id, l.customer_id, jsonb_build_object('tier', x.tier_code),
           jsonb_build_object('reason', x.end_reason, 'period', x.renews_on, 'fee', x.fee), ''
    FROM disabled x JOIN prepaid_card c ON c.id = x.card_id JOIN accounts_line l ON l.id = c.line_id
    RETURNING 1
)
INSERT INTO core_outboundsms (msisdn, line_id, template_code, language, text, dedup_key, status, attempts,
                              next_attempt_at, last_error, gateway_message_id, created_at, updated_at)
SELECT l.msisdn, l.id, t.code, 'id',
       replace(replace(replace(t.text_id, '{msisdn}', '0' || substr(l.msisdn, 4)), '{tier}', x.tier_name), '{fee}',
               'Rp ' || replace(to_char(x.fee, 'FM999,999,999,999'), ',', '.')),
       'prime-disabled:' || x.id || ':' || x.renews_on, 'queued', 0, now(), '', '', now(), now()
FROM disabled x JOIN prepaid_card c ON c.id = x.card_id JOIN accounts_line l ON l.id = c.line_id
JOIN core_smstemplate t ON t.code = 'prime_disabled_low_balance'
WHERE x.end_reason = 'low_balance'
"""


def raw_prime(today) -> float:
    """PRM-02/03 in one statement (data-modifying CTEs), one transaction, committed."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(RAW_PRIME_SQL, {"today": today})
    return time.perf_counter() - started


# --------------------------------------------------------------------------------------------------- per-row ORM


def orm_lifecycle(today, sample: int) -> tuple[float, int]:
    """The naive way: load each due card, change it, save() it (and create its ledger row), 500 per transaction."""
    from core.models import Channel
    from core.parameters import parameter
    from prepaid.models import Card, LedgerEntry

    grace_days = parameter("prepaid_grace_days")
    half = sample // 2
    to_grace = list(Card.objects.filter(state="active", active_until__lt=today).order_by("id")
                    .values_list("id", flat=True)[:half])
    to_invalid = list(Card.objects.filter(state="grace", grace_until__lt=today).order_by("id")
                      .values_list("id", flat=True)[:sample - len(to_grace)])
    ids = to_grace + to_invalid
    started = time.perf_counter()
    for offset in range(0, len(ids), ORM_BATCH):
        with transaction.atomic():
            for card in Card.objects.select_for_update().filter(pk__in=ids[offset:offset + ORM_BATCH]):
                now = timezone.now()
                if card.state == Card.State.ACTIVE:
                    card.state = Card.State.GRACE
                    card.grace_until = card.active_until + dt.timedelta(days=grace_days)
                    card.updated_at = now
                    card.save(update_fields=["state", "grace_until", "updated_at"])
                else:
                    LedgerEntry.objects.create(card=card, kind=LedgerEntry.Kind.FORFEITURE,
                                               reference=f"forfeit:{card.pk}", amount=-card.balance, balance_after=0,
                                               channel=Channel.SYSTEM, note="PRE-02 grace period ended")
                    card.state = Card.State.INVALID
                    card.balance = 0
                    card.invalid_since = today
                    card.updated_at = now
                    card.save(update_fields=["state", "balance", "invalid_since", "updated_at"])
    return time.perf_counter() - started, len(ids)


def orm_prime(today, sample: int) -> tuple[float, int]:
    """The naive way: each due subscription with its card loaded, saved, its ledger row, audit row and SMS."""
    from core.audit import audit_record
    from core.dates import add_months
    from core.models import Channel
    from core.money import format_rupiah
    from core.outbox import sms_enqueue
    from prepaid.models import Card, LedgerEntry, PrimeSubscription

    ids = list(PrimeSubscription.objects.filter(status="active", renews_on__lte=today).order_by("id")
               .values_list("id", flat=True)[:sample])
    started = time.perf_counter()
    for offset in range(0, len(ids), ORM_BATCH):
        with transaction.atomic():
            subscriptions = (PrimeSubscription.objects.select_for_update(of=("self",))
                             .select_related("tier", "card__line").filter(pk__in=ids[offset:offset + ORM_BATCH]))
            for sub in subscriptions:
                card = Card.objects.select_for_update().get(pk=sub.card_id)
                fee = sub.tier.monthly_fee
                period = sub.renews_on
                if card.state == Card.State.ACTIVE and card.balance >= fee:
                    card.balance -= fee
                    card.updated_at = timezone.now()
                    card.save(update_fields=["balance", "updated_at"])
                    LedgerEntry.objects.create(card=card, kind=LedgerEntry.Kind.PRIME_FEE, amount=-fee,
                                               balance_after=card.balance, reference=f"prime:{sub.pk}:{period}",
                                               channel=Channel.SYSTEM, note=sub.tier.name)
                    sub.periods_charged += 1
                    sub.renews_on = add_months(sub.started_on, sub.periods_charged)
                    sub.save(update_fields=["periods_charged", "renews_on"])
                    continue
                low = card.state == Card.State.ACTIVE
                sub.status = PrimeSubscription.Status.DISABLED
                sub.ended_on = today
                sub.end_reason = "low_balance" if low else "card_not_active"
                sub.save(update_fields=["status", "ended_on", "end_reason"])
                line = sub.card.line
                audit_record(actor=None, actor_label="job:prepaid.prime_renewal", channel=Channel.SYSTEM,
                             verb="prime.disabled", subject=line, old={"tier": sub.tier.code},
                             new={"reason": sub.end_reason, "period": period, "fee": fee})
                if low:
                    sms_enqueue(msisdn=line.msisdn, line=line, template_code="prime_disabled_low_balance",
                                dedup_key=f"prime-disabled:{sub.pk}:{period.isoformat()}",
                                context={"msisdn": line.msisdn_national, "tier": sub.tier.name,
                                         "fee": format_rupiah(fee)})
    return time.perf_counter() - started, len(ids)


# --------------------------------------------------------------------------------------------------- worker


def worker(job: str, today) -> dict:
    connection.close()  # the child must see everything committed; nothing is open here anyway
    result = subprocess.run([sys.executable, "-m", "bench.worker", job, today.isoformat()], cwd=BASE_DIR,
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------------- run


def _compare(raw: dict, job: dict) -> list[str]:
    """The differences between the raw SQL's end state and the job's ([] = identical)."""
    differences = []
    for key in raw:
        if raw[key] != job[key]:
            differences.append(f"{key}: raw {raw[key]} vs job {job[key]}")
    return differences


def run(*, today, sample: int) -> dict:
    dataset.reset_due_state(today=today)
    due = dataset.due_counts(today)
    print(f"  due: {due}", flush=True)
    results = {"due": due}
    for name, raw_fn, orm_fn, rows in (
        ("lifecycle", raw_lifecycle, orm_lifecycle, due["to_grace"] + due["to_invalid"]),
        ("prime_renewal", raw_prime, orm_prime, due["prime_due"]),
    ):
        raw_seconds = raw_fn(today)
        raw_state = dataset.state_fingerprint()
        print(f"  {name}: raw SQL {raw_seconds:.2f} s", flush=True)
        dataset.reset_due_state(today=today)
        job = worker(name, today)
        job_state = dataset.state_fingerprint()
        differences = _compare(raw_state, job_state)
        print(f"  {name}: job {job['seconds']:.2f} s ({job['chunks']} chunks, {job['changed']:,} changed), "
              f"peak RSS {job['peak_rss_mb']:.0f} MB; same end state as raw SQL: {not differences}", flush=True)
        for line in differences:
            print(f"    DIFFERENT {line}", flush=True)
        dataset.reset_due_state(today=today)
        orm_seconds, orm_rows = orm_fn(today, sample)
        extrapolated = orm_seconds / orm_rows * rows if orm_rows else 0.0
        print(f"  {name}: per-row ORM loop {orm_seconds:.2f} s for {orm_rows:,} rows → {extrapolated:.1f} s for "
              f"{rows:,}", flush=True)
        dataset.reset_due_state(today=today)
        results[name] = {
            "rows": rows, "raw_seconds": round(raw_seconds, 2), "job": job,
            "job_vs_raw": round(job["seconds"] / raw_seconds, 2) if raw_seconds else None,
            "same_end_state": not differences, "differences": differences,
            "orm_sample_rows": orm_rows, "orm_sample_seconds": round(orm_seconds, 2),
            "orm_extrapolated_seconds": round(extrapolated, 1),
        }
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM prepaid_card")
        results["cards"] = cursor.fetchone()[0]
    return results
