"""Rated usage in batches (issue 14): `usage_records_batch`, the channel API's POST usage-records.

The answers are those `usage_record` (billing.services.limits) gives one record at a time; the work is set-based and
the number of statements does not grow with the batch. On PostgreSQL a batch that is all new is: the lines (one
SELECT), the categories (one SELECT), BEGIN, the limits locked (one SELECT … FOR UPDATE), the replays looked up under
those locks (one SELECT on the record-id key table), the records and the limit usage written (one statement: an
INSERT from unnest() and the UPDATE of the limits), COMMIT; a LIM-04 threshold SMS adds its own statements. Per record
only plain Python runs (no model instance, no ORM query) and the columns go to PostgreSQL as binary arrays on a
server-side binding cursor (Django's cursors quote every array element as text: ≈ 16 µs a record for the nine
columns). Elsewhere (SQLite, the embedded default) the same steps go through the ORM.
"""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Line
from billing.catalogue_cache import parameter
from billing.cycles import cycle_for
from billing.models import Scope, ServiceCategory, SpendingLimit, UsageRecord, UsageRecordKey
from billing.services.limits import _COLUMNS, _as_date, _notify
from core.api.request_ids import KEY_MAX_LENGTH
from core.prepared import prepared_cursor
from core.verdicts import RuleViolation

_SCOPES = frozenset(Scope.values)
_CLIENT_MAX_LENGTH = UsageRecord._meta.get_field("client").max_length
_T = {
    "line": Line._meta.db_table, "account": Line._meta.get_field("billing_account").related_model._meta.db_table,
    "usage": UsageRecord._meta.db_table, "key": UsageRecordKey._meta.db_table,
    "category": ServiceCategory._meta.db_table, "limit": SpendingLimit._meta.db_table,
}

# PostgreSQL statements (server-side binding: %b is a binary parameter).
_LINES_SQL = """
SELECT l.msisdn, l.id, l.kind, a.bill_cycle_day FROM {line} l LEFT JOIN {account} a ON a.id = l.billing_account_id
WHERE l.msisdn = ANY(%b::text[]) AND l.status <> %b
""".format(**_T)
_LOCK_SQL = """
SELECT {columns}, line_id, scope FROM {limit} WHERE line_id = ANY(%b::bigint[]) AND scope = ANY(%b::text[])
ORDER BY id FOR UPDATE
""".format(columns=", ".join(_COLUMNS), **_T)
# The key table holds every record id once over the monthly partitions (core.partitions): one index probe per id. The
# LATERAL … LIMIT 1 keeps it a probe per id whatever the planner thinks of the table (on stale statistics it hashed
# the whole key table instead: 90 ms for a batch).
_STORED_SQL = """
SELECT k.record_id, u.line_id, u.scope, c.code, u.amount
FROM unnest(%b::text[]) AS r(record_id)
CROSS JOIN LATERAL (SELECT * FROM {key} k WHERE k.record_id = r.record_id LIMIT 1) k
JOIN {usage} u ON u.id = k.usage_record_id AND u.created_at = k.created_at
JOIN {category} c ON c.id = u.category_id
""".format(**_T)
_WRITE_SQL = """
WITH inserted AS (
    INSERT INTO {usage} (record_id, line_id, scope, category_id, amount, occurred_at, counted, cycle_start,
                         late_cycle_start, client, created_at)
    SELECT r.record_id, r.line_id, r.scope, r.category_id, r.amount, r.occurred_at, r.counted, r.cycle_start,
           r.late_cycle_start, %b, %b
    FROM unnest(%b::text[], %b::bigint[], %b::text[], %b::bigint[], %b::bigint[], %b::timestamptz[], %b::boolean[],
                %b::date[], %b::date[])
         AS r(record_id, line_id, scope, category_id, amount, occurred_at, counted, cycle_start, late_cycle_start)
)
UPDATE {limit} s SET used = s.used + v.amount, updated_at = %b
FROM unnest(%b::bigint[], %b::bigint[]) AS v(id, amount) WHERE s.id = v.id
RETURNING {returning}
""".format(returning=", ".join(f"s.{column}" for column in _COLUMNS), **_T)


# --- the batch's reads and its write, per database -------------------------------------------------------------------


def _lines(msisdns: set) -> dict:
    """msisdn → (line id, kind, bill cycle day) of the lines in use (not recycled) with these numbers."""
    if connection.vendor == "postgresql":
        with prepared_cursor() as cursor:
            cursor.execute(_LINES_SQL, [list(msisdns), Line.Status.RECYCLED.value])
            rows = cursor.fetchall()
    else:
        rows = (Line.objects.exclude(status=Line.Status.RECYCLED).filter(msisdn__in=msisdns)
                .values_list("msisdn", "id", "kind", "billing_account__bill_cycle_day"))
    return {msisdn: (line_id, kind, cycle_day) for msisdn, line_id, kind, cycle_day in rows}


def _locked_limits(line_ids: set, scopes: set) -> dict:
    """(line id, scope) → the limit row as a dict, locked in id order (concurrent batches over the same lines queue
    instead of deadlocking)."""
    if connection.vendor == "postgresql":
        with prepared_cursor() as cursor:
            cursor.execute(_LOCK_SQL, [list(line_ids), list(scopes)])
            rows = cursor.fetchall()
    else:
        rows = (SpendingLimit.objects.select_for_update().filter(line_id__in=line_ids, scope__in=scopes)
                .order_by("id").values_list(*_COLUMNS, "line_id", "scope"))
    limits = {}
    for values in rows:
        row = dict(zip(_COLUMNS, values[:-2], strict=True))
        row["cycle_start"] = _as_date(row["cycle_start"])
        limits[(values[-2], values[-1])] = row
    return limits


def _stored(record_ids: list) -> dict:
    """record id → (line id, scope, category code, amount) of the records already stored."""
    if not record_ids:
        return {}
    if connection.vendor == "postgresql":
        with prepared_cursor() as cursor:
            cursor.execute(_STORED_SQL, [record_ids])
            rows = cursor.fetchall()
    else:
        rows = (UsageRecord.objects.filter(record_id__in=record_ids)
                .values_list("record_id", "line_id", "scope", "category__code", "amount"))
    return {record_id: tuple(rest) for record_id, *rest in rows}


def _write(columns: list[list], added: dict, *, client: str, now) -> list[dict]:
    """Store the new records (columns: record_id, line_id, scope, category_id, amount, occurred_at, counted,
    cycle_start, late_cycle_start) and add `added` (limit id → amount) to the limits' usage; the updated limit rows."""
    if connection.vendor == "postgresql":
        with prepared_cursor() as cursor:
            cursor.execute(_WRITE_SQL, [client, now, *columns, now, list(added), list(added.values())])
            rows = cursor.fetchall()
    else:
        names = ("record_id", "line_id", "scope", "category_id", "amount", "occurred_at", "counted", "cycle_start",
                 "late_cycle_start")
        UsageRecord.objects.bulk_create([UsageRecord(client=client, **dict(zip(names, values, strict=True)))
                                         for values in zip(*columns, strict=True)])
        for limit_id, amount in added.items():
            SpendingLimit.objects.filter(pk=limit_id).update(used=F("used") + amount, updated_at=now)
        rows = SpendingLimit.objects.filter(pk__in=added).values_list(*_COLUMNS)
    updated = []
    for values in rows:
        row = dict(zip(_COLUMNS, values, strict=True))
        row["cycle_start"] = _as_date(row["cycle_start"])
        row["warn_notified"], row["full_notified"] = bool(row["warn_notified"]), bool(row["full_notified"])
        updated.append(row)
    return updated


# --- the batch -------------------------------------------------------------------------------------------------------


def _moment(occurred_at, zone) -> tuple:
    """(the local date, the aware value to store) of a record's occurred_at: timezone.localdate with the current time
    zone `zone` looked up once per batch (≈ 7 µs a lookup); a naive one is read in the default time zone, as the ORM
    would store it."""
    if occurred_at.utcoffset() is not None:
        return occurred_at.astimezone(zone).date(), occurred_at
    return occurred_at.date(), timezone.make_aware(occurred_at, timezone.get_default_timezone())


def _replay(stored: tuple, *, line_id: int, rec: dict) -> RuleViolation | None:
    """The answer to a record already stored: None if it is the same usage (counted once), else record_id_reused."""
    if stored == (line_id, rec["scope"], rec["category"], rec["amount"]):
        return None
    return RuleViolation.single("record_id_reused", _("This record id was already used for different usage."))


def usage_records_batch(*, records: list[dict], client: str = "") -> list[RuleViolation | None]:
    """`usage_record` for a batch (the channel API's POST usage-records), set-based.

    Each record is a dict with record_id, msisdn (E.164), scope, category, amount, occurred_at (a datetime; a naive
    one is read in the default time zone); the record ids are distinct. Returns, per record, None (stored now, or
    stored as sent by an earlier delivery) or the RuleViolation that refused it: the same answers, in the same order
    of precedence, as `usage_record` one by one (an unknown line; then a replay, which answers whatever else is now
    wrong; then not postpaid, an unknown category, no limit). Counts even past the limit; BIL-11 late usage is charged
    on the current cycle without counting; the LIM-04 check runs once per limit whose usage grew."""
    results: list[RuleViolation | None] = [None] * len(records)
    pending = []
    for index, rec in enumerate(records):
        record_id, amount = rec["record_id"], rec["amount"]
        if not record_id or len(record_id) > KEY_MAX_LENGTH:
            results[index] = RuleViolation.single(
                "invalid_record_id", _("A record id of 1 to %(n)d characters is required.") % {"n": KEY_MAX_LENGTH})
        elif rec["scope"] not in _SCOPES:
            results[index] = RuleViolation.single("invalid_scope", _("The scope is domestic or international."))
        elif not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            results[index] = RuleViolation.single("invalid_amount",
                                                  _("The amount is a whole number of rupiah, zero or more."))
        else:
            pending.append(index)
    if not pending:
        return results
    lines = _lines({records[i]["msisdn"] for i in pending})
    known = []
    for index in pending:
        if records[index]["msisdn"] in lines:
            known.append(index)
        else:
            results[index] = RuleViolation.single("unknown_line", _("No line with this number."))
    if not known:
        return results
    categories = {(code, scope): (category_id, counts) for category_id, code, scope, counts in
                  ServiceCategory.objects.filter(code__in={records[i]["category"] for i in known})
                  .values_list("id", "code", "scope", "counts_against_limit")}
    now = timezone.now()
    client = client[:_CLIENT_MAX_LENGTH]
    with transaction.atomic():
        # The limits are locked before the replays are looked up: a concurrent copy of this batch has committed its
        # rows by then, and those answer as replays instead of failing on the key table (partitioned usage records:
        # no ON CONFLICT, core.partitions).
        limits = _locked_limits({lines[records[i]["msisdn"]][0] for i in known}, {records[i]["scope"] for i in known})
        stored = _stored([records[i]["record_id"] for i in known])
        columns = [[] for _ in range(9)]
        (record_ids, line_ids, scopes, category_ids, amounts, occurred, counted_column, cycle_starts,
         late_starts) = columns
        added = defaultdict(int)
        moments = {}  # occurred_at → (its local date, the value stored): a batch repeats its times
        zone = timezone.get_current_timezone()
        for index in known:
            rec = records[index]
            line_id, kind, cycle_day = lines[rec["msisdn"]]
            if stored and rec["record_id"] in stored:
                results[index] = _replay(stored[rec["record_id"]], line_id=line_id, rec=rec)
                continue
            if kind != Line.Kind.POSTPAID:
                results[index] = RuleViolation.single("not_postpaid", _("Not a postpaid line."))
                continue
            category = categories.get((rec["category"], rec["scope"]))
            if category is None:
                results[index] = RuleViolation.single("unknown_category",
                                                      _("Unknown service category for this scope."))
                continue
            row = limits.get((line_id, rec["scope"]))
            if row is None:
                results[index] = RuleViolation.single("no_limit", _("This line has no spending limit yet."))
                continue
            moment = moments.get(rec["occurred_at"])
            if moment is None:
                moment = moments[rec["occurred_at"]] = _moment(rec["occurred_at"], zone)
            occurred_on, occurred_at = moment
            cycle_start = row["cycle_start"]
            if occurred_on < cycle_start:  # BIL-11: charged on the current cycle, marked with its own, not counted
                late_start, counted = cycle_for(occurred_on, cycle_day)[0], False
            else:
                late_start, counted = None, category[1]
            record_ids.append(rec["record_id"])
            line_ids.append(line_id)
            scopes.append(rec["scope"])
            category_ids.append(category[0])
            amounts.append(rec["amount"])
            occurred.append(occurred_at)
            counted_column.append(counted)
            cycle_starts.append(cycle_start)
            late_starts.append(late_start)
            if counted:
                added[row["id"]] += rec["amount"]
        if not record_ids:
            return results
        updated = _write(columns, added, client=client, now=now)
        _thresholds(updated, limits)
    return results


def _thresholds(updated: list[dict], limits: dict) -> None:
    """LIM-04 for every limit whose usage grew. The line is loaded only for a limit above the lower threshold (below
    it thresholds_check sends nothing)."""
    lowest = min(parameter("limit_warn_percent"), parameter("limit_full_percent"))
    due = [row for row in updated if not (row["warn_notified"] and row["full_notified"])
           and row["used"] - row["settled"] > 0 and (row["used"] - row["settled"]) * 100 > row["amount"] * lowest]
    if not due:
        return
    scope_of = {row["id"]: key for key, row in limits.items()}
    line_objects = Line.objects.in_bulk({scope_of[row["id"]][0] for row in due})
    for row in due:
        line_id, scope = scope_of[row["id"]]
        _notify(line_objects[line_id], scope, row)
