"""Top-ups (PRE-02): the balance up and the Active Period extended by the denomination's validity, a card in grace
back to active. One service for the rule: the agent's form and the demo data call `topup_apply(card=…)`, the
channel API calls `topup_by_msisdn(msisdn=…)`; both run `_topup`.

Kept close to the SQL for the channel API (issue 14, as billing.services.purchases): on PostgreSQL a top-up is
ONE statement in autocommit (no BEGIN, no COMMIT; a savepoint when the caller is inside a transaction),
_TOPUP_SQL: it locks the card (by its id or its line's number, FOR UPDATE OF c in a CTE) and, only when the
card's state takes a top-up (TOPUP_REFUSED_STATES), inserts the ledger entry, updates the card and inserts the
audit event (its old/new built from the locked row by jsonb_build_object, its other columns from
core.audit.audit_values, as audit_record writes them); it returns the card as locked and the entry's id, balance
and Active Period end (NULL when refused). Python then refuses or answers. The new Active Period end is PRE-02's
rule written in SQL (GREATEST(active_until, today) + validity): tests/prepaid/test_topup_sql.py checks it equals
topup_active_until at its boundaries, and that the event equals audit_record's. The denominations come from a
per-process cache (prepaid.catalogue_cache). No ORM query is compiled on that path. SQLite runs the lock and the
three writes one by one in a transaction, with the rule in Python.

The ledger entry is the idempotency record: its reference is unique (over all months: prepaid_ledgerentry_key on
PostgreSQL), so a replayed reference makes the write statement fail. The statement rolls back (a savepoint when
nested in an outer transaction) and the first entry answers, with the Active Period end it left
(`LedgerEntry.active_until`).
A replay is not looked up first, so a first top-up pays for no lookup; a concurrent copy waits for the card's lock,
then fails on the reference and answers the first. A refusal (unknown denomination or card, a card invalid or not
activated) looks the reference up before it refuses: a replay still gets the first answer.
"""

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Line
from core.audit import audit_insert_select_sql, audit_save, audit_sql_params, audit_values
from core.dates import local_today
from core.prepared import one_statement, prepared_cursor
from core.verdicts import RuleViolation
from prepaid.catalogue_cache import denomination_validity
from prepaid.models import Card, LedgerEntry
from prepaid.services.cards import _reference

_TABLES = {"card": Card._meta.db_table, "line": Line._meta.db_table, "ledger": LedgerEntry._meta.db_table}

# The card by its id or its line's number (both databases).
_WHERE = {"id": "c.id = %(key)s", "msisdn": "l.msisdn = %(key)s AND l.status <> %(recycled)s"}
# Other databases (SQLite, development): the card with what the rule and the audit event read, in the
# transaction (SQLite has no row locks: it writes one transaction at a time).
_LOCK_SQL = """
SELECT c.id, c.state, c.balance, c.active_until, l.id, l.msisdn, l.customer_id
FROM {card} c JOIN {line} l ON l.id = c.line_id
WHERE {where} LIMIT 1
"""
_LOCK_BY = {by: _LOCK_SQL.format(where=where, **_TABLES) for by, where in _WHERE.items()}

# Other databases: the writes one by one after _LOCK_BY.
_INSERT_SQL = """
INSERT INTO {ledger} (card_id, kind, reference, amount, balance_after, created_at, channel, actor_id, note,
  active_until)
VALUES (%(card_id)s, %(kind)s, %(reference)s, %(amount)s, %(balance)s, %(now)s, %(channel)s, %(actor_id)s,
  %(note)s, %(active_until)s)
RETURNING id""".format(**_TABLES)
_UPDATE_SQL = """
UPDATE {card} SET balance = %(balance)s, active_until = %(active_until)s, state = %(active)s, grace_until = NULL,
  updated_at = %(now)s
WHERE id = %(card_id)s""".format(**_TABLES)

# PostgreSQL: the whole top-up as one statement. `locked` is the card as its lock returned it (the newest version
# after waiting for a concurrent top-up), with PRE-02's new Active Period end: the validity added to the end of
# the period, or to today once it has passed (or when there is none). `entry` is written only if the state takes a
# top-up; `card` and `audit` only with it. A duplicate reference fails the statement whole (the key table's
# trigger): the replay signal. Every value is a parameter (the JSON keys too); tables from the models.
_AUDIT_SQL = audit_insert_select_sql(source="locked JOIN entry ON entry.card_id = locked.id", columns={
    "subject_id": "locked.line_id::text", "line_id": "locked.line_id", "customer_id": "locked.customer_id",
    "old": "jsonb_build_object(%(k_state)s::text, locked.state, %(k_active_until)s::text, locked.active_until, "
           "%(k_balance)s::text, locked.balance)",
    "new": "jsonb_build_object(%(k_state)s::text, %(active)s::text, %(k_active_until)s::text, entry.active_until, "
           "%(k_balance)s::text, entry.balance_after, %(k_reference)s::text, entry.reference)",
})
_TOPUP_SQL = """
WITH locked AS (
  SELECT c.id, c.state, c.balance, c.active_until, l.id AS line_id, l.msisdn, l.customer_id,
    GREATEST(COALESCE(c.active_until, %(today)s), %(today)s) + %(validity_days)s::integer AS new_until
  FROM {card} c JOIN {line} l ON l.id = c.line_id
  WHERE {where} LIMIT 1 FOR UPDATE OF c
),
entry AS (
  INSERT INTO {ledger} (card_id, kind, reference, amount, balance_after, created_at, channel, actor_id, note,
    active_until)
  SELECT id, %(kind)s, %(reference)s, %(amount)s, balance + %(amount)s, %(now)s, %(channel)s, %(actor_id)s,
    %(note)s, new_until
  FROM locked WHERE NOT (state = ANY(%(refused)s::text[]))
  RETURNING id, card_id, reference, balance_after, active_until
),
card AS (
  UPDATE {card} c SET balance = entry.balance_after, active_until = entry.active_until, state = %(active)s,
    grace_until = NULL, updated_at = %(now)s
  FROM entry WHERE c.id = entry.card_id
  RETURNING c.id
),
audit AS ({audit} RETURNING id)
SELECT locked.id, locked.state, locked.balance, locked.active_until, locked.line_id, locked.msisdn,
  locked.customer_id, entry.id, entry.balance_after, entry.active_until
FROM locked LEFT JOIN entry ON true
"""
_TOPUP_BY = {by: _TOPUP_SQL.format(where=where, audit=_AUDIT_SQL, **_TABLES) for by, where in _WHERE.items()}
_TOPUP_PARAMS = {"kind": LedgerEntry.Kind.TOPUP.value, "active": Card.State.ACTIVE.value, "note": "",
                 "recycled": Line.Status.RECYCLED.value, "k_state": "state", "k_active_until": "active_until",
                 "k_balance": "balance", "k_reference": "reference"}


class _UnknownCard(Exception):
    """No card holds this number: rolls back, then the reference decides (replay or refusal)."""


def _refuse(code: str, message: str) -> RuleViolation:
    return RuleViolation.single(code, message)


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))  # SQLite gives text


def _unknown_denomination(amount) -> RuleViolation:
    return _refuse("unknown_denomination", _("Rp %(amount)s is not a top-up denomination on sale.")
                   % {"amount": f"{amount:,}".replace(",", ".")})


# PRE-02: the states that take no top-up (the statement's condition and topup_refusal's, one list).
TOPUP_REFUSED_STATES = (Card.State.INVALID.value, Card.State.INACTIVE.value)


def topup_refusal(state: str) -> RuleViolation | None:
    """PRE-02: an invalid card (its grace period ended) and a card not yet activated take no top-up."""
    if state not in TOPUP_REFUSED_STATES:
        return None
    if state == Card.State.INVALID:
        return _refuse("card_invalid", _("This card is invalid: its grace period ended, it cannot be topped up."))
    return _refuse("card_not_activated", _("This card is not activated yet."))


def topup_active_until(*, active_until: dt.date | None, validity_days: int, today: dt.date) -> dt.date:
    """PRE-02: the validity is added to the current end of the Active Period, or to today once it has passed."""
    return max(active_until or today, today) + dt.timedelta(days=validity_days)


def topup_apply(
    *, card: Card, amount: int, reference: str, channel: str, actor=None, actor_label: str = "",
    today: dt.date | None = None,
) -> LedgerEntry:
    """Add a top-up to the balance and extend the Active Period by the denomination's validity (PRE-02 Decision).

    A card in grace returns to active. Idempotent by `reference`: a replay returns the first entry
    (`entry.replayed`); the same reference with another card, amount or channel is refused (`reference_reused`).
    The event's subject is `card.line` (a query if it is not loaded; a line's number never changes).
    """
    return _topup(by="id", key=card.pk, msisdn=lambda: card.line.msisdn, amount=amount, reference=reference,
                  channel=channel, actor=actor, actor_label=actor_label, today=today)


def topup_by_msisdn(
    *, msisdn: str, amount: int, reference: str, channel: str, actor=None, actor_label: str = "",
    today: dt.date | None = None,
) -> LedgerEntry:
    """`topup_apply` on the card of the line that holds `msisdn` (E.164) now: the channel API's entry point, with no
    lookup before the card's lock. `card_not_found` if no card holds the number."""
    return _topup(by="msisdn", key=msisdn, msisdn=lambda: msisdn, amount=amount, reference=reference,
                  channel=channel, actor=actor, actor_label=actor_label, today=today)


def _topup(*, by: str, key, msisdn, amount, reference, channel, actor, actor_label, today) -> LedgerEntry:
    reference = _reference(reference)
    validity_days = denomination_validity(amount)
    request = {"by": by, "key": key, "amount": amount, "reference": reference, "channel": channel, "actor": actor,
               "actor_label": actor_label, "validity_days": validity_days, "today": today or local_today()}
    try:
        if validity_days is None:
            raise _unknown_denomination(amount)
        if connection.vendor == "postgresql":
            return _topup_in_one_statement(**request, msisdn=msisdn())
        with transaction.atomic():
            return _topup_write(**request)
    except (IntegrityError, RuleViolation, _UnknownCard) as exc:
        existing = LedgerEntry.objects.select_related("card__line").filter(reference=reference).first()
        if existing is None:
            if isinstance(exc, _UnknownCard):
                raise _refuse("card_not_found", _("No prepaid card holds this number.")) from None
            raise
        same_card = existing.card_id == key if by == "id" else existing.card.line.msisdn == key
        if not (same_card and existing.kind == LedgerEntry.Kind.TOPUP and existing.amount == amount
                and existing.channel == channel):
            raise _refuse("reference_reused",
                          _("This reference was already used for another transaction.")) from None
        existing.replayed = True
        return existing


def _event(*, actor, actor_label, channel, line: Line, old=None, new=None) -> dict:
    """The columns of the top-up's audit event (core.audit.audit_values, as audit_record writes them)."""
    return audit_values(actor=actor, actor_label=actor_label, channel=channel, verb="prepaid.topup", subject=line,
                        old=old, new=new)


def _topup_in_one_statement(*, by, key, msisdn, amount, reference, channel, actor, actor_label, validity_days,
                            today) -> LedgerEntry:
    """PostgreSQL: _TOPUP_SQL, then refuse (no card, or a state that takes no top-up) or answer from what it wrote.
    The event's subject_id, line, customer and old/new come from the statement's rows; its subject_repr from the
    number (`msisdn`: the key, or the card's line's), which the locked line holds."""
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = _event(actor=actor, actor_label=actor_label, channel=channel, line=Line(msisdn=msisdn))
    params = {**_TOPUP_PARAMS, **audit_sql_params(event, now=now), "key": key, "reference": reference,
              "amount": amount, "now": now, "channel": channel, "actor_id": user.pk if user else None,
              "today": today, "validity_days": validity_days, "refused": list(TOPUP_REFUSED_STATES)}
    with one_statement(), prepared_cursor() as cursor:
        cursor.execute(_TOPUP_BY[by], params)
        row = cursor.fetchone()
    if row is None:
        raise _UnknownCard
    card_id, state, _balance, _active_until, _line_id, _msisdn, _customer_id, entry_id, balance, new_until = row
    if entry_id is None:  # the statement's condition is TOPUP_REFUSED_STATES, so topup_refusal refuses too
        raise topup_refusal(state) or RuntimeError(f"top-up not written for a card in state {state!r}")
    return _entry(entry_id=entry_id, card_id=card_id, reference=reference, amount=amount, balance=balance,
                  now=now, channel=channel, user=user, new_until=new_until)


def _entry(*, entry_id, card_id, reference, amount, balance, now, channel, user, new_until) -> LedgerEntry:
    entry = LedgerEntry(pk=entry_id, card_id=card_id, kind=LedgerEntry.Kind.TOPUP, reference=reference,
                        amount=amount, balance_after=balance, created_at=now, channel=channel, actor=user,
                        note="", active_until=new_until)
    entry._state.adding = False
    entry._state.db = connection.alias
    entry.replayed = False
    return entry


def _topup_write(*, by, key, amount, reference, channel, actor, actor_label, validity_days, today) -> LedgerEntry:
    """Other databases (SQLite in development): the lock and the writes one by one, the rule in Python."""
    ops = connection.ops
    with prepared_cursor() as cursor:
        cursor.execute(_LOCK_BY[by], {"key": key, "recycled": Line.Status.RECYCLED.value})
        row = cursor.fetchone()
        if row is None:
            raise _UnknownCard
        card_id, state, balance, active_until, line_id, msisdn, customer_id = row
        active_until = _date(active_until)
        refusal = topup_refusal(state)
        if refusal is not None:
            raise refusal
        new_until = topup_active_until(active_until=active_until, validity_days=validity_days, today=today)
        new_balance = balance + amount
        now = timezone.now()
        user = actor if getattr(actor, "is_authenticated", False) else None
        params = {"card_id": card_id, "kind": LedgerEntry.Kind.TOPUP.value, "reference": reference, "amount": amount,
                  "balance": new_balance, "now": ops.adapt_datetimefield_value(now), "channel": channel,
                  "actor_id": user.pk if user else None, "active_until": ops.adapt_datefield_value(new_until),
                  "active": Card.State.ACTIVE.value, "note": ""}
        line = Line(pk=line_id, msisdn=msisdn, customer_id=customer_id)
        line._state.adding = False
        audit = _event(actor=actor, actor_label=actor_label, channel=channel, line=line,
                       old={"state": state, "active_until": active_until, "balance": balance},
                       new={"state": Card.State.ACTIVE.value, "active_until": new_until, "balance": new_balance,
                            "reference": reference})
        cursor.execute(_INSERT_SQL, params)
        entry_id = cursor.fetchone()[0]
        cursor.execute(_UPDATE_SQL, params)
        audit_save(audit, actor=actor)
    return _entry(entry_id=entry_id, card_id=card_id, reference=reference, amount=amount, balance=new_balance,
                  now=now, channel=channel, user=user, new_until=new_until)
