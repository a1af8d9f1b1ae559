"""Purchase authorization (LIM-02, LIM-03, LIM-04, LIM-05): the charging system's hot path.

Kept deliberately close to the SQL (see bench/README.md, "Authorization in-process"): on PostgreSQL a request is one
statement in autocommit that finds the line, picks the decline reason, debits the limit and inserts the purchase
row (_AUTHORIZE_SQL): one round trip, no BEGIN and no COMMIT. No ORM query is compiled on the normal path; the ORM
is used only on the rare paths (a threshold SMS, a replayed request id, a decline after waiting for the row lock).
Other databases run the same steps as separate statements in a transaction (_purchase_decide).
"""

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Block, Line
from billing import catalogue_cache
from billing.models import (
    Bill,
    BillingProfile,
    Decision,
    DeclineReason,
    Purchase,
    Scope,
    SpendingLimit,
)
from billing.notify import thresholds_check
from core.api.request_ids import KEY_MAX_LENGTH
from core.dates import local_today
from core.models import Channel
from core.prepared import (
    PREPARE_AFTER,  # noqa: F401 (re-exported for the tests)
    one_statement,
)
from core.prepared import prepared_cursor as _cursor
from core.verdicts import RuleViolation

# Table names come from the models (identifiers, formatted in once at import); every value the statements compare
# with (accounts.Block.Reason / Block.Scope, Line.Kind / Line.Status, billing.DeclineReason, Bill.Status) is a
# parameter, bound from _ENUM_PARAMS below, never text in the SQL.
_TABLES = {
    "line": Line._meta.db_table, "block": Block._meta.db_table, "bill": Bill._meta.db_table,
    "profile": BillingProfile._meta.db_table, "limit": SpendingLimit._meta.db_table,
    "purchase": Purchase._meta.db_table,
}
_ENUM_PARAMS = {
    "postpaid": Line.Kind.POSTPAID.value, "line_active": Line.Status.ACTIVE.value,
    "line_recycled": Line.Status.RECYCLED.value, "bill_open": Bill.Status.OPEN.value,
    "block_customer_request": Block.Reason.CUSTOMER_REQUEST.value, "block_system_hold": Block.Reason.SYSTEM_HOLD.value,
    "block_unpaid_bill": Block.Reason.UNPAID_BILL.value, "block_scope_all": Block.Scope.ALL.value,
    "block_scope_purchases": Block.Scope.PURCHASES.value, "not_postpaid": DeclineReason.NOT_POSTPAID.value,
    "unknown_category": DeclineReason.UNKNOWN_CATEGORY.value, "customer_bar": DeclineReason.CUSTOMER_BAR.value,
    "system_hold": DeclineReason.SYSTEM_HOLD.value, "unpaid_bill": DeclineReason.UNPAID_BILL.value,
    "line_blocked": DeclineReason.LINE_BLOCKED.value,
}

# The line with the one decline reason that applies (LIM-05: exactly one, the most specific first; NULL = none).
# Each branch has its own test in tests/billing/test_purchases.py. An overdue bill declines only the lines that the
# account's overdue setting blocks (LIM-05, BIL-06: a billing profile naming one line spares the others).
# Parameters: category_ok (the category exists in this scope), today (a bill due before today and still open is
# overdue), key (line id or MSISDN), and _ENUM_PARAMS. Other databases (SQLite) run this one; PostgreSQL runs
# _LINE_SQL_PG below, the same rule: the tests of each branch run on both.
_LINE_SQL = """
SELECT l.id, l.msisdn, l.kind, l.status, l.billing_account_id, l.customer_id,
  CASE
    WHEN l.kind <> %(postpaid)s THEN %(not_postpaid)s
    WHEN NOT %(category_ok)s THEN %(unknown_category)s
    WHEN EXISTS (SELECT 1 FROM {block} b WHERE b.line_id = l.id AND b.ended_at IS NULL
                 AND b.reason = %(block_customer_request)s) THEN %(customer_bar)s
    WHEN EXISTS (SELECT 1 FROM {block} b WHERE b.line_id = l.id AND b.ended_at IS NULL
                 AND b.reason = %(block_system_hold)s) THEN %(system_hold)s
    WHEN EXISTS (SELECT 1 FROM {block} b WHERE b.line_id = l.id AND b.ended_at IS NULL
                 AND b.reason = %(block_unpaid_bill)s)
      OR (EXISTS (SELECT 1 FROM {bill} i WHERE i.billing_account_id = l.billing_account_id
                  AND i.status = %(bill_open)s AND i.due_date < %(today)s)
          AND NOT EXISTS (SELECT 1 FROM {profile} p WHERE p.billing_account_id = l.billing_account_id
                          AND p.block_only_line_id <> l.id)) THEN %(unpaid_bill)s
    WHEN l.status <> %(line_active)s
      OR EXISTS (SELECT 1 FROM {block} b WHERE b.line_id = l.id AND b.ended_at IS NULL
                 AND b.scope IN (%(block_scope_all)s, %(block_scope_purchases)s)) THEN %(line_blocked)s
  END AS reason
FROM {line} l WHERE {where} LIMIT 1
"""
# PostgreSQL: the same reason, with the line's open blocks read once (one index scan, aggregated) instead of four
# EXISTS subplans: a tenth of the authorization statement's time on the server (bench/README.md). A NULL array (no
# open block) matches no reason, as NOT EXISTS did.
_LINE_SQL_PG = """
SELECT l.id, l.msisdn, l.kind, l.status, l.billing_account_id, l.customer_id,
  CASE
    WHEN l.kind <> %(postpaid)s THEN %(not_postpaid)s
    WHEN NOT %(category_ok)s THEN %(unknown_category)s
    WHEN %(block_customer_request)s = ANY(b.reasons) THEN %(customer_bar)s
    WHEN %(block_system_hold)s = ANY(b.reasons) THEN %(system_hold)s
    WHEN %(block_unpaid_bill)s = ANY(b.reasons)
      OR (EXISTS (SELECT 1 FROM {bill} i WHERE i.billing_account_id = l.billing_account_id
                  AND i.status = %(bill_open)s AND i.due_date < %(today)s)
          AND NOT EXISTS (SELECT 1 FROM {profile} p WHERE p.billing_account_id = l.billing_account_id
                          AND p.block_only_line_id <> l.id)) THEN %(unpaid_bill)s
    WHEN l.status <> %(line_active)s OR b.scoped THEN %(line_blocked)s
  END AS reason
FROM {line} l
LEFT JOIN LATERAL (
  SELECT array_agg(b.reason) AS reasons,
    bool_or(b.scope IN (%(block_scope_all)s, %(block_scope_purchases)s)) AS scoped
  FROM {block} b WHERE b.line_id = l.id AND b.ended_at IS NULL
) b ON true
WHERE {where} LIMIT 1
"""
_BY_ID = "l.id = %(key)s"
_BY_MSISDN = "l.msisdn = %(key)s AND l.status <> %(line_recycled)s"

# LIM-02: debit only if the usage counted against the limit stays at or under it. The condition is re-checked on
# the newest row version after waiting for its lock, so concurrent requests can never both pass.
_LIMIT_COLUMNS = "id, used, settled, amount, cycle_start, warn_notified, full_notified"
_DEBIT_SQL = """
UPDATE {limit} SET used = used + %(amount)s, updated_at = %(now)s
WHERE line_id = %(line_id)s AND scope = %(scope)s AND used - settled + %(amount)s <= amount
RETURNING {columns}
""".format(columns=_LIMIT_COLUMNS, **_TABLES)
_CURRENT_SQL = "SELECT {columns} FROM {limit} WHERE line_id = %(line_id)s AND scope = %(scope)s".format(
    columns=_LIMIT_COLUMNS, **_TABLES)

# LIM-02 inside a statement: the debit of the line found by the `line` CTE, only when no reason applies and the
# category counts (LIM-03), re-checked on the newest row version after waiting for its lock.
_DEBIT_CTE = """debit AS (
  UPDATE {limit} s SET used = s.used + %(amount)s, updated_at = %(now)s
  FROM line
  WHERE line.reason IS NULL AND %(counts)s AND s.line_id = line.id AND s.scope = %(scope)s
    AND s.used - s.settled + %(amount)s <= s.amount
  RETURNING s.id, s.used, s.settled, s.amount, s.cycle_start, s.warn_notified, s.full_notified
)"""

# PostgreSQL: the three above as one statement (a data-modifying CTE). `debit` runs only when no reason applies and
# the category counts (LIM-03); `c` is the limit row as the statement's snapshot saw it, joined when nothing was
# debited (for the purchase's usage and limit columns).
_DECIDE_SQL = """
WITH line AS ({line_sql}),
{debit_cte}
SELECT line.id, line.msisdn, line.kind, line.status, line.billing_account_id, line.customer_id, line.reason,
  d.id, d.used, d.settled, d.amount, d.cycle_start, d.warn_notified, d.full_notified,
  c.id, c.used, c.settled, c.amount, c.cycle_start, c.warn_notified, c.full_notified
FROM line
LEFT JOIN debit d ON true
LEFT JOIN {limit} c ON d.id IS NULL AND c.line_id = line.id AND c.scope = %(scope)s
"""
# Formatted once per lookup kind.
_WHERE = (("id", _BY_ID), ("msisdn", _BY_MSISDN))
_LINE_BY = {key: _LINE_SQL.format(where=where, **_TABLES) for key, where in _WHERE}
_LINE_BY_PG = {key: _LINE_SQL_PG.format(where=where, **_TABLES) for key, where in _WHERE}
_DECIDE_BY = {key: _DECIDE_SQL.format(line_sql=_LINE_BY_PG[key], debit_cte=_DEBIT_CTE.format(**_TABLES), **_TABLES)
              for key, _where in _WHERE}

_INSERT_SQL = """
INSERT INTO {purchase} (request_id, line_id, scope, category_code, category_id, amount, description, channel,
  client, decision, reason, counted, usage_after, limit_amount, cycle_start, created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
RETURNING id
""".format(**_TABLES)


# PostgreSQL, the whole authorization as one statement in autocommit (its own transaction: no BEGIN, no COMMIT, one
# round trip): _DECIDE_SQL, the decision (LIM-02/03/04/05) and the INSERT of the purchase row. A replayed request id
# fails the INSERT, and so the whole statement, debit included. `raced`: the snapshot had room but the debit found
# none after waiting for the row lock (a concurrent purchase took it); then nothing is inserted and the decline is
# stored with the usage as it is now, by _authorize_raced.
_AUTHORIZE_SQL = """
WITH line AS ({line_sql}),
{debit_cte},
decided AS (
  SELECT line.id AS line_id, line.msisdn, line.kind, line.status, line.billing_account_id, line.customer_id,
    COALESCE(line.reason, CASE
      WHEN %(counts)s AND d.id IS NULL THEN %(limit_exceeded)s
      WHEN NOT %(counts)s AND c.used - c.settled > c.amount THEN %(limit_exceeded)s
    END) AS reason,
    d.id AS d_id, d.used AS d_used, d.settled AS d_settled, d.amount AS d_amount, d.cycle_start AS d_cycle,
    d.warn_notified AS d_warn, d.full_notified AS d_full,
    c.used - c.settled AS c_usage, c.amount AS c_amount, c.cycle_start AS c_cycle,
    (line.reason IS NULL AND %(counts)s AND d.id IS NULL AND c.id IS NOT NULL
     AND c.used - c.settled + %(amount)s <= c.amount) AS raced
  FROM line
  LEFT JOIN debit d ON true
  LEFT JOIN {limit} c ON d.id IS NULL AND c.line_id = line.id AND c.scope = %(scope)s
),
purchase AS (
  INSERT INTO {purchase} (request_id, line_id, scope, category_code, category_id, amount, description, channel,
    client, decision, reason, counted, usage_after, limit_amount, cycle_start, created_at)
  SELECT %(request_id)s, line_id, %(scope)s, %(category_code)s, %(category_id)s, %(amount)s, %(description)s,
    %(channel)s, %(client)s, CASE WHEN reason IS NULL THEN %(approved)s ELSE %(declined)s END,
    COALESCE(reason, %(no_reason)s), d_id IS NOT NULL, COALESCE(d_used - d_settled, c_usage),
    COALESCE(d_amount, c_amount), COALESCE(d_cycle, c_cycle), %(now)s
  FROM decided WHERE NOT raced
  RETURNING id
)
SELECT decided.line_id, decided.msisdn, decided.kind, decided.status, decided.billing_account_id,
  decided.customer_id, decided.reason, decided.d_id, decided.d_used, decided.d_settled, decided.d_amount,
  decided.d_cycle, decided.d_warn, decided.d_full, decided.c_usage, decided.c_amount, decided.c_cycle,
  decided.raced, (SELECT id FROM purchase)
FROM decided
"""
_AUTHORIZE_BY = {key: _AUTHORIZE_SQL.format(line_sql=_LINE_BY_PG[key], debit_cte=_DEBIT_CTE.format(**_TABLES),
                                             **_TABLES)
                 for key, _where in _WHERE}
_DECISION_PARAMS = {"limit_exceeded": DeclineReason.LIMIT_EXCEEDED.value, "approved": Decision.APPROVED.value,
                    "declined": Decision.DECLINED.value, "no_reason": ""}


def _limit(values) -> dict | None:
    """A limit row (id, used, settled, amount, cycle_start, warn, full) as a dict; None if the row is absent."""
    if values is None or values[0] is None:
        return None
    cycle_start = values[4]
    return {
        "id": values[0], "used": values[1], "settled": values[2], "amount": values[3],
        "cycle_start": cycle_start if isinstance(cycle_start, dt.date) else dt.date.fromisoformat(str(cycle_start)),
        "warn_notified": bool(values[5]), "full_notified": bool(values[6]),
    }


def _above_limit(limit: dict) -> bool:
    return limit["used"] - limit["settled"] > limit["amount"]


def _decide(cursor, *, line_id, msisdn, scope, category_ok, counts, amount, today, now):
    """(line row, reason, debited limit or None, limit as it stands or None); None if there is no such line."""
    ops = connection.ops
    params = {**_ENUM_PARAMS, "key": line_id if line_id is not None else msisdn, "category_ok": category_ok,
              "counts": counts, "amount": amount, "scope": scope, "today": ops.adapt_datefield_value(today),
              "now": ops.adapt_datetimefield_value(now)}
    by = "id" if line_id is not None else "msisdn"
    if connection.vendor == "postgresql":
        cursor.execute(_DECIDE_BY[by], params)
        row = cursor.fetchone()
        if row is None:
            return None
        line_row, reason = row[:6], row[6]
        debited, current = _limit(row[7:14]), _limit(row[14:21])
        if (reason is None and counts and debited is None and current is not None
                and current["used"] - current["settled"] + amount <= current["amount"]):
            # The snapshot had room, so a concurrent purchase took it while we waited for the row lock: store the
            # usage as it is now, which is what the decline was decided on.
            cursor.execute(_CURRENT_SQL, {"line_id": line_row[0], "scope": scope})
            current = _limit(cursor.fetchone())
        return line_row, reason, debited, current
    # Other databases (SQLite in development and tests): the same statements one after the other.
    cursor.execute(_LINE_BY[by], params)
    row = cursor.fetchone()
    if row is None:
        return None
    line_row, reason = row[:6], row[6]
    params["line_id"] = line_row[0]
    debited = current = None
    if reason is None and counts:
        cursor.execute(_DEBIT_SQL, params)
        debited = _limit(cursor.fetchone())
    if debited is None:
        cursor.execute(_CURRENT_SQL, params)
        current = _limit(cursor.fetchone())
    return line_row, reason, debited, current


def _validate_request(*, request_id: str, scope: str, amount) -> None:
    # The messages are translated only when a check fails (gettext on every request showed in the profile).
    if not (request_id and len(request_id) <= KEY_MAX_LENGTH):
        raise RuleViolation.single("invalid_request_id",
                                   _("A request id of 1 to %(n)d characters is required.") % {"n": KEY_MAX_LENGTH})
    if scope not in _SCOPES:
        raise RuleViolation.single("invalid_scope", _("The scope is domestic or international."))
    if not (isinstance(amount, int) and not isinstance(amount, bool) and amount > 0):
        raise RuleViolation.single("invalid_amount", _("The amount is a positive whole number of rupiah."))


def _replay_purchase(existing: Purchase, *, msisdn, line, scope, category, amount) -> Purchase:
    same_line = existing.line_id == line.pk if line is not None else existing.line.msisdn == msisdn
    if not (same_line and existing.scope == scope and existing.category_code == category
            and existing.amount == amount):
        raise RuleViolation.single("request_id_reused",
                                   _("This request id was already used for a different purchase."))
    existing.replayed = True
    return existing


_SCOPES = frozenset(Scope.values)


class _UnknownLine(Exception):
    """No line with this number: rolls the transaction back, then the request id decides (replay or refusal)."""


def purchase_authorize(
    *, request_id: str, scope: str, category: str, amount: int, msisdn: str | None = None, line: Line | None = None,
    description: str = "", channel: str = Channel.API, client: str = "", today: dt.date | None = None,
) -> Purchase:
    """Approve or decline a purchase, atomically, and store the request with its decision.

    LIM-02: approved only if the usage counted against the scope's limit stays ≤ the limit (equal is allowed,
    one rupiah over is not). LIM-03: a category that does not count is approved without touching usage.
    LIM-05: a decline carries exactly one reason. Replaying a request id returns the first decision
    (`purchase.replayed` is True); the same id with another body is refused (`request_id_reused`).

    A replay is not looked up first: the request is decided and its row inserted; the unique request id makes the
    INSERT fail for a replay, the transaction (a savepoint inside an outer one) rolls the decision and its debit
    back, and the first purchase is returned instead. A replay waits for the first request to commit."""
    _validate_request(request_id=request_id, scope=scope, amount=amount)
    request = {"request_id": request_id, "scope": scope, "category": category, "amount": amount, "msisdn": msisdn,
               "line": line, "description": description, "channel": channel, "client": client,
               "today": today or local_today()}
    try:
        if connection.vendor == "postgresql":
            purchase = _authorize_in_one_statement(**request)
        else:
            with transaction.atomic():
                purchase = _purchase_decide(**request)
    except (IntegrityError, _UnknownLine) as exc:
        existing = Purchase.objects.select_related("line").filter(request_id=request_id).first()
        if existing is None:
            if isinstance(exc, _UnknownLine):
                raise RuleViolation.single("unknown_line", _("No line with this number.")) from None
            raise
        return _replay_purchase(existing, msisdn=msisdn, line=line, scope=scope, category=category, amount=amount)
    purchase.replayed = False
    return purchase


def _authorize_in_one_statement(*, request_id, scope, category, amount, msisdn, line, description, channel, client,
                                today):
    category_row = catalogue_cache.category(category)
    category_ok = category_row is not None and category_row.scope == scope
    counts = category_ok and category_row.counts_against_limit
    now = timezone.now()
    params = {**_ENUM_PARAMS, **_DECISION_PARAMS, "key": line.pk if line is not None else msisdn,
              "category_ok": category_ok, "counts": counts, "amount": amount, "scope": scope, "today": today,
              "now": now, "request_id": request_id, "category_code": category[:40],
              "category_id": category_row.pk if category_row else None, "description": description[:200],
              "channel": channel, "client": client[:150]}
    with one_statement(), _cursor() as cursor:
        cursor.execute(_AUTHORIZE_BY["id" if line is not None else "msisdn"], params)
        row = cursor.fetchone()
    if row is None:
        raise _UnknownLine
    (line_id, line_msisdn, kind, status, account_id, customer_id, reason, d_id, d_used, d_settled, d_amount, d_cycle,
     d_warn, d_full, c_usage, c_amount, c_cycle, raced, purchase_id) = row
    if raced:
        return _authorize_raced(request_id=request_id, line_row=row[:6], scope=scope, category=category,
                                amount=amount, description=description, channel=channel, client=client, today=today)
    row_line = Line(pk=line_id, msisdn=line_msisdn, kind=kind, status=status, billing_account_id=account_id,
                    customer_id=customer_id)
    row_line._state.adding = False
    if d_id is not None:  # LIM-04: the 80 % / 100 % SMS, each with the claim of its flag
        thresholds_check(limit_id=d_id, line=row_line, scope=scope, amount=d_amount, counted=d_used - d_settled,
                         cycle_start=d_cycle, warn_notified=d_warn, full_notified=d_full)
    counted = d_id is not None
    purchase = Purchase(
        pk=purchase_id, request_id=request_id, line=row_line, scope=scope, category_code=category[:40],
        category=category_row, amount=amount, description=description[:200], channel=channel, client=client[:150],
        decision=Decision.DECLINED if reason else Decision.APPROVED, reason=reason or "", counted=counted,
        usage_after=d_used - d_settled if counted else c_usage, limit_amount=d_amount if counted else c_amount,
        cycle_start=d_cycle if counted else c_cycle, created_at=now,
    )
    purchase._state.adding = False
    purchase._state.db = connection.alias
    return purchase


def _authorize_raced(*, request_id, line_row, scope, category, amount, description, channel, client, today):
    """The rare decline of _AUTHORIZE_SQL's `raced` row: nothing was written; decide again in a transaction, as on
    other databases, which reads the limit as it is now."""
    line = Line(pk=line_row[0], msisdn=line_row[1], kind=line_row[2], status=line_row[3],
                billing_account_id=line_row[4], customer_id=line_row[5])
    line._state.adding = False
    with transaction.atomic():
        return _purchase_decide(request_id=request_id, scope=scope, category=category, amount=amount, msisdn=None,
                                line=line, description=description, channel=channel, client=client, today=today)


def _purchase_decide(*, request_id, scope, category, amount, msisdn, line, description, channel, client, today):
    category_row = catalogue_cache.category(category)
    category_ok = category_row is not None and category_row.scope == scope
    counts = category_ok and category_row.counts_against_limit
    now = timezone.now()
    ops = connection.ops
    with _cursor() as cursor:
        decided = _decide(cursor, line_id=line.pk if line is not None else None, msisdn=msisdn, scope=scope,
                          category_ok=category_ok, counts=counts, amount=amount, today=today, now=now)
        if decided is None:
            raise _UnknownLine
        (line_id, line_msisdn, kind, status, account_id, customer_id), reason, debited, current = decided
        if reason is None and counts and debited is None:
            reason = DeclineReason.LIMIT_EXCEEDED
        elif reason is None and not counts and current is not None and _above_limit(current):
            # LIM-04: above 100 % no purchase of any category; a non-counting one is still approved at exactly 100 %.
            reason = DeclineReason.LIMIT_EXCEEDED
        limit = debited or current
        usage_after = limit["used"] - limit["settled"] if limit else None
        limit_amount = limit["amount"] if limit else None
        cycle_start = limit["cycle_start"] if limit else None
        decision = Decision.DECLINED if reason else Decision.APPROVED
        # The request's row first: a replayed request id fails here, before any SMS is written.
        cursor.execute(_INSERT_SQL, [
            request_id, line_id, scope, category[:40], category_row.pk if category_row else None, amount,
            description[:200], channel, client[:150], decision, reason or "", debited is not None, usage_after,
            limit_amount, ops.adapt_datefield_value(cycle_start), ops.adapt_datetimefield_value(now),
        ])
        purchase_id = cursor.fetchone()[0]
    row_line = Line(pk=line_id, msisdn=line_msisdn, kind=kind, status=status, billing_account_id=account_id,
                    customer_id=customer_id)
    row_line._state.adding = False
    if debited is not None:  # LIM-04: the 80 % / 100 % SMS, in this transaction
        thresholds_check(
            limit_id=debited["id"], line=row_line, scope=scope, amount=debited["amount"],
            counted=debited["used"] - debited["settled"], cycle_start=debited["cycle_start"],
            warn_notified=debited["warn_notified"], full_notified=debited["full_notified"],
        )
    purchase = Purchase(
        pk=purchase_id, request_id=request_id, line=row_line, scope=scope, category_code=category[:40],
        category=category_row, amount=amount, description=description[:200], channel=channel, client=client[:150],
        decision=decision, reason=reason or "", counted=debited is not None,
        usage_after=usage_after, limit_amount=limit_amount, cycle_start=cycle_start, created_at=now,
    )
    purchase._state.adding = False
    purchase._state.db = connection.alias
    return purchase
