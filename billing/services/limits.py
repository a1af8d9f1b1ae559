"""Spending limits: opening, usage, limit changes and the cycle close (LIM-01..11)."""

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Line
from billing.cycles import cycle_for, next_cycle_start, prorate
from billing.models import (
    BasicPackage,
    LimitChange,
    LinePackage,
    Scope,
    ServiceCategory,
    SpendingCycle,
    SpendingLimit,
    UsageRecord,
)
from billing.notify import thresholds_check
from billing.rules import limit_change_eligibility
from billing.selectors import suggested_limit
from core.api.request_ids import KEY_MAX_LENGTH
from core.audit import audit_record
from core.dates import local_today
from core.jobs import ChunkResult
from core.locks import lock_line
from core.models import Channel
from core.parameters import parameter
from core.verdicts import RuleViolation, require

# LIM-10: the channels through which a customer may change the limit.
LIMIT_CHANGE_CHANNELS = (Channel.GRAPARI, Channel.CALL_CENTRE_188, Channel.SOCIAL_MEDIA, Channel.UMB, Channel.APP)

_RETURNING = "RETURNING id, used, settled, amount, cycle_start, warn_notified, full_notified"
# Purchase authorization (LIM-02, LIM-03, LIM-05) is in billing/services/purchases.py.
# BIL-11: usage dated before the row's cycle (rated after that cycle closed) does not count against this cycle.
_ADD_SQL = f"UPDATE {SpendingLimit._meta.db_table} " \
    "SET used = used + (CASE WHEN cycle_start <= %s THEN %s ELSE 0 END), updated_at = %s " \
    "WHERE line_id = %s AND scope = %s " + _RETURNING
_COLUMNS = ("id", "used", "settled", "amount", "cycle_start", "warn_notified", "full_notified")



def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _update_returning(sql: str, params: list) -> dict | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip(_COLUMNS, row, strict=True))
    values["cycle_start"] = _as_date(values["cycle_start"])
    values["warn_notified"] = bool(values["warn_notified"])
    values["full_notified"] = bool(values["full_notified"])
    return values


def _notify(line: Line, scope: str, row: dict) -> list[str]:
    return thresholds_check(
        limit_id=row["id"], line=line, scope=scope, amount=row["amount"], counted=row["used"] - row["settled"],
        cycle_start=row["cycle_start"], warn_notified=row["warn_notified"], full_notified=row["full_notified"],
    )


# ---------------------------------------------------------------------------------------------------------------------
# Opening
# ---------------------------------------------------------------------------------------------------------------------


def spending_limit_open(
    *, line: Line, package: BasicPackage, actor, channel: str = Channel.GRAPARI, today: dt.date | None = None,
    domestic_amount: int | None = None,
) -> list[SpendingLimit]:
    """A new postpaid line gets its basic package and both limits (LIM-01, LIM-12).

    The domestic limit is the customer's choice (`domestic_amount`), else the suggestion for the package tariff and
    the account's payment method (LIM-06); the international one is the `limit_international_default` parameter.
    The package fee, prorated for the partial first cycle (LIM-13), is the cycle's first domestic usage (LIM-03:
    the basic package counts against the limit)."""
    today = today or local_today()
    require(line.kind == Line.Kind.POSTPAID and line.billing_account_id is not None, "not_postpaid",
             _("Only a KartuHalo (postpaid) line has a spending limit."))
    with transaction.atomic():
        line = lock_line(line, related=("billing_account",))
        require(not SpendingLimit.objects.filter(line=line).exists(), "already_open",
                 _("This line already has its spending limits."))
        account = line.billing_account
        LinePackage.objects.update_or_create(line=line, defaults={"package": package, "since": today})
        start, end = cycle_for(today, account.bill_cycle_day)
        if domestic_amount is None:
            domestic_amount = suggested_limit(tariff=package.monthly_fee, payment_method=account.payment_method)
        amounts = {
            Scope.DOMESTIC: domestic_amount,
            Scope.INTERNATIONAL: parameter("limit_international_default"),
        }
        limits = []
        for scope, amount in amounts.items():
            limits.append(SpendingLimit.objects.create(line=line, scope=scope, amount=amount, cycle_start=start,
                                                       cycle_end=end))
            LimitChange.objects.create(
                line=line, scope=scope, kind=LimitChange.Kind.INITIAL, old_amount=None, new_amount=amount,
                channel=channel, actor=actor if getattr(actor, "is_authenticated", False) else None,
                actor_label=getattr(actor, "username", "") or "system", changed_on=today,
            )
        audit_record(actor=actor, channel=channel, verb="limit.opened", subject=line,
                     new={"package": package.code, **{str(k): v for k, v in amounts.items()}})
        # LIM-13: only the cycle the line was activated in is partial (a line opened later pays the whole cycle).
        first_day = line.activated_on if line.activated_on and line.activated_on >= start else start
        fee = prorate(package.monthly_fee, cycle_start=start, cycle_end=end, first_day=first_day, last_day=end)
        if fee:
            usage_record(
                record_id=f"package:{line.pk}:{start.isoformat()}", line=line, scope=Scope.DOMESTIC,
                category="basic_package", amount=fee, client="billing",
                # the fee belongs to the cycle that `today` opens, never to an earlier one (BIL-11)
                occurred_at=max(timezone.now(), dt.datetime.combine(today, dt.time.min,
                                                                    tzinfo=timezone.get_current_timezone())),
            )
    for limit in limits:
        limit.refresh_from_db()
    return limits


# ---------------------------------------------------------------------------------------------------------------------
# Usage (rated, already delivered)
# ---------------------------------------------------------------------------------------------------------------------


def _replay_usage(existing: UsageRecord, *, line_id, scope, category, amount) -> UsageRecord:
    if not (existing.line_id == line_id and existing.scope == scope and existing.category.code == category
            and existing.amount == amount):
        raise RuleViolation.single("record_id_reused", _("This record id was already used for different usage."))
    return existing


def usage_record(
    *, record_id: str, scope: str, category: str, amount: int, occurred_at: dt.datetime, msisdn: str | None = None,
    line: Line | None = None, client: str = "",
) -> tuple[UsageRecord, bool]:
    """Record usage the network already delivered. Idempotent by record id: (record, created).

    It counts even past the limit (the service was delivered) and fires the LIM-04 notifications."""
    require(bool(record_id) and len(record_id) <= KEY_MAX_LENGTH, "invalid_record_id",
             _("A record id of 1 to %(n)d characters is required.") % {"n": KEY_MAX_LENGTH})
    require(scope in Scope.values, "invalid_scope", _("The scope is domestic or international."))
    require(isinstance(amount, int) and not isinstance(amount, bool) and amount >= 0, "invalid_amount",
             _("The amount is a whole number of rupiah, zero or more."))
    if line is None:
        line = Line.objects.exclude(status=Line.Status.RECYCLED).filter(msisdn=msisdn).first()
        require(line is not None, "unknown_line", _("No line with this number."))
    existing = UsageRecord.objects.select_related("category").filter(record_id=record_id).first()
    if existing is not None:
        return _replay_usage(existing, line_id=line.pk, scope=scope, category=category, amount=amount), False
    require(line.kind == Line.Kind.POSTPAID, "not_postpaid", _("Not a postpaid line."))
    category_row = ServiceCategory.objects.filter(code=category, scope=scope).first()
    require(category_row is not None, "unknown_category", _("Unknown service category for this scope."))
    occurred_on = timezone.localdate(occurred_at) if timezone.is_aware(occurred_at) else occurred_at.date()
    try:
        with transaction.atomic():
            if category_row.counts_against_limit:
                row = _update_returning(_ADD_SQL, [occurred_on, amount, timezone.now(), line.pk, scope])
            else:
                row = (SpendingLimit.objects.select_for_update().filter(line=line, scope=scope)
                       .values(*_COLUMNS).first())
            require(row is not None, "no_limit", _("This line has no spending limit yet."))
            # BIL-11: rated after its cycle closed: charged on the current cycle's bill, marked with its own cycle.
            late = occurred_on < row["cycle_start"]
            late_start = cycle_for(occurred_on, line.billing_account.bill_cycle_day)[0] if late else None
            counted = category_row.counts_against_limit and not late
            record = UsageRecord.objects.create(
                record_id=record_id, line=line, scope=scope, category=category_row, amount=amount,
                occurred_at=occurred_at, counted=counted, cycle_start=row["cycle_start"], late_cycle_start=late_start,
                client=client[:150],
            )
            if counted:
                _notify(line, scope, row)  # LIM-04
    except IntegrityError:
        existing = UsageRecord.objects.select_related("category").filter(record_id=record_id).first()
        if existing is None:
            raise
        return _replay_usage(existing, line_id=line.pk, scope=scope, category=category, amount=amount), False
    return record, True


# usage_records_batch, the set-based form of usage_record for the channel API, is in billing/services/usage_batch.py.


# ---------------------------------------------------------------------------------------------------------------------
# Limit changes (LIM-06..10)
# ---------------------------------------------------------------------------------------------------------------------


def _lock_limit(line: Line, scope: str) -> SpendingLimit:
    limit = SpendingLimit.objects.select_for_update().filter(line=line, scope=scope).first()
    require(limit is not None, "no_limit", _("This line has no spending limit yet."))
    return limit


def _apply_limit(*, limit: SpendingLimit, line: Line, new_amount: int, kind: str, channel: str, actor,
                 actor_label: str, reason: str, today: dt.date) -> LimitChange:
    user = actor if getattr(actor, "is_authenticated", False) else None
    change = LimitChange.objects.create(
        line=line, scope=limit.scope, kind=kind, old_amount=limit.amount, new_amount=new_amount, channel=channel,
        actor=user, actor_label=actor_label or (user.get_username() if user else "system"), reason=reason,
        changed_on=today,
    )
    limit.amount = new_amount
    limit.save(update_fields=["amount", "updated_at"])
    # LIM-04: a decrease may cross a threshold; an increase never re-arms one.
    thresholds_check(limit_id=limit.pk, line=line, scope=limit.scope, amount=new_amount, counted=limit.counted,
                     cycle_start=limit.cycle_start, warn_notified=limit.warn_notified,
                     full_notified=limit.full_notified)
    return change


def spending_limit_change(
    *, line: Line, new_amount: int, channel: str, actor, scope: str = Scope.DOMESTIC, reason: str = "",
    actor_label: str = "", today: dt.date | None = None,
) -> LimitChange:
    """Change a limit at the customer's request, within LIM-07/08/09, recording the LIM-10 channel and actor."""
    today = today or local_today()
    require(channel in LIMIT_CHANGE_CHANNELS, "invalid_channel",
             _("Limit changes come through GraPARI, call centre 188, social media, UMB or the app."))
    require(isinstance(new_amount, int) and not isinstance(new_amount, bool) and new_amount >= 0,
             "invalid_amount", _("The limit is a whole number of rupiah."))
    with transaction.atomic():
        line = lock_line(line, related=("billing_account",))
        limit = _lock_limit(line, scope)
        verdict = limit_change_eligibility(line=line, new_amount=new_amount, scope=scope, today=today)
        verdict.raise_if_refused()
        old = limit.amount
        change = _apply_limit(limit=limit, line=line, new_amount=new_amount, kind=LimitChange.Kind.CHANGE,
                              channel=channel, actor=actor, actor_label=actor_label, reason=reason, today=today)
        audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="limit.changed", subject=line,
                     old={"scope": scope, "amount": old}, new={"scope": scope, "amount": new_amount}, reason=reason)
    return change


def spending_limit_override(
    *, line: Line, new_amount: int, actor, reason: str, scope: str = Scope.DOMESTIC, channel: str = Channel.ADMIN,
    today: dt.date | None = None,
) -> LimitChange:
    """A supervisor sets a limit outside LIM-07/08/09 for an exception; the reason is mandatory and audited."""
    today = today or local_today()
    require(actor is not None and actor.has_perm("billing.override_limit"), "not_allowed",
             _("Only a supervisor may override the limit rules."))
    require(bool((reason or "").strip()), "reason_required", _("Give the reason for the exception."))
    require(isinstance(new_amount, int) and not isinstance(new_amount, bool) and new_amount >= 0,
             "invalid_amount", _("The limit is a whole number of rupiah, zero or more."))
    with transaction.atomic():
        line = lock_line(line)
        limit = _lock_limit(line, scope)
        old = limit.amount
        change = _apply_limit(limit=limit, line=line, new_amount=new_amount, kind=LimitChange.Kind.OVERRIDE,
                              channel=channel, actor=actor, actor_label="", reason=reason.strip(), today=today)
        audit_record(actor=actor, channel=channel, verb="limit.overridden", subject=line,
                     old={"scope": scope, "amount": old}, new={"scope": scope, "amount": new_amount},
                     reason=reason.strip())
    return change


# ---------------------------------------------------------------------------------------------------------------------
# Cycle close (set-based, idempotent per cycle)
# ---------------------------------------------------------------------------------------------------------------------


def cycles_close_chunk(*, today: dt.date, size: int = 1000) -> ChunkResult:
    """Move up to `size` limits whose cycle ended before `today` into their next cycle.

    Rows are selected BY STATE (cycle_end < today) with SKIP LOCKED, the old cycle is kept in SpendingCycle
    (unique per line, scope, cycle), and the reset is one UPDATE per distinct cycle end; the next cycle's package
    fee is recorded as its first domestic usage (record id per line and cycle, so nothing is charged twice)."""
    rows = list(
        SpendingLimit.objects.select_for_update(skip_locked=True).filter(cycle_end__lt=today)
        .order_by("pk").values("pk", "line_id", "scope", "amount", "used", "settled", "cycle_start", "cycle_end")[:size]
    )
    if not rows:
        return ChunkResult(selected=0)
    SpendingCycle.objects.bulk_create(
        [SpendingCycle(line_id=row["line_id"], scope=row["scope"], cycle_start=row["cycle_start"],
                       cycle_end=row["cycle_end"], amount=row["amount"], used=row["used"], settled=row["settled"])
         for row in rows],
        ignore_conflicts=True,
    )
    by_end: dict[dt.date, list[int]] = defaultdict(list)
    for row in rows:
        by_end[row["cycle_end"]].append(row["pk"])
    now = timezone.now()
    fee = Subquery(LinePackage.objects.filter(line_id=OuterRef("line_id")).values("package__monthly_fee")[:1])
    for old_end, ids in by_end.items():
        start = old_end + dt.timedelta(days=1)
        end = next_cycle_start(start) - dt.timedelta(days=1)
        # LIM-13: a package change takes effect at the next cycle start, before that cycle's fee is taken.
        LinePackage.objects.filter(line__spending_limits__pk__in=ids, next_from__lte=start).update(
            package=F("next_package"), since=F("next_from"), next_package=None, next_from=None)
        SpendingLimit.objects.filter(pk__in=ids).update(
            cycle_start=start, cycle_end=end, used=0, settled=0, warn_notified=False, full_notified=False,
            updated_at=now,
        )
        domestic = SpendingLimit.objects.filter(pk__in=ids, scope=Scope.DOMESTIC, line__package__isnull=False)
        package_category = ServiceCategory.objects.filter(code="basic_package").first()
        if package_category is None:
            continue
        fees = list(domestic.annotate(fee=fee).values("line_id", "fee"))
        records = [UsageRecord(record_id=f"package:{item['line_id']}:{start.isoformat()}", line_id=item["line_id"],
                               scope=Scope.DOMESTIC, category=package_category, amount=item["fee"], occurred_at=now,
                               counted=package_category.counts_against_limit, cycle_start=start, client="billing")
                   for item in fees if item["fee"]]
        # The ones already recorded are left out first: on PostgreSQL the record_id is unique in the key table
        # (usage records are partitioned by month, core.partitions), which ON CONFLICT DO NOTHING does not cover.
        recorded = set(UsageRecord.objects.filter(record_id__in=[r.record_id for r in records])
                       .values_list("record_id", flat=True))
        UsageRecord.objects.bulk_create([r for r in records if r.record_id not in recorded], ignore_conflicts=True)
        if package_category.counts_against_limit:
            domestic.update(used=fee)
    return ChunkResult(selected=len(rows), changed=len(rows))
