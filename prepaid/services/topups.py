"""Top-ups (PRE-02): the balance up and the Active Period extended by the denomination's validity, a card in grace
back to active. One service for the rule: the agent's form and the demo data call `topup_apply(card=…)`, the
channel API calls `topup_by_msisdn(msisdn=…)`; both run `_topup`.

Kept close to the SQL for the channel API (issue 14, as billing.services.purchases): on PostgreSQL a top-up is
BEGIN, one SELECT … FOR UPDATE of the card (by its id or its line's number), one statement that inserts the ledger
entry, updates the card and inserts the audit event (a data-modifying CTE; the event's columns from
core.audit.audit_values, as audit_record writes them), COMMIT; the denominations come from a per-process cache
(prepaid.catalogue_cache). No ORM query is compiled on that path; SQLite runs the same statements one by one.

The ledger entry is the idempotency record: its reference is unique (over all months: prepaid_ledgerentry_key on
PostgreSQL), so a replayed reference makes the write statement fail. The transaction rolls back (a savepoint when
nested in an outer one) and the first entry answers, with the Active Period end it left (`LedgerEntry.active_until`).
A replay is not looked up first, so a first top-up pays for no lookup; a concurrent copy waits for the card's lock,
then fails on the reference and answers the first. A refusal (unknown denomination or card, a card invalid or not
activated) looks the reference up before it refuses: a replay still gets the first answer.
"""

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Line
from core.audit import AUDIT_INSERT_SQL, audit_save, audit_sql_params, audit_values
from core.dates import local_today
from core.prepared import prepared_cursor
from core.verdicts import RuleViolation
from prepaid.catalogue_cache import denomination_validity
from prepaid.models import Card, LedgerEntry
from prepaid.services.cards import _reference

_TABLES = {"card": Card._meta.db_table, "line": Line._meta.db_table, "ledger": LedgerEntry._meta.db_table}

# The card with what the rule and the audit event read. PostgreSQL locks the card's row (not the line's).
_LOCK_SQL = """
SELECT c.id, c.state, c.balance, c.active_until, l.id, l.msisdn, l.customer_id
FROM {card} c JOIN {line} l ON l.id = c.line_id
WHERE {where} LIMIT 1{lock}
"""
_WHERE = {"id": "c.id = %(key)s", "msisdn": "l.msisdn = %(key)s AND l.status <> %(recycled)s"}
_LOCK_BY = {vendor: {by: _LOCK_SQL.format(where=where, lock=" FOR UPDATE OF c" if vendor == "postgresql" else "",
                                          **_TABLES)
                     for by, where in _WHERE.items()}
            for vendor in ("postgresql", "other")}

_INSERT_SQL = """
INSERT INTO {ledger} (card_id, kind, reference, amount, balance_after, created_at, channel, actor_id, note,
  active_until)
VALUES (%(card_id)s, %(kind)s, %(reference)s, %(amount)s, %(balance)s, %(now)s, %(channel)s, %(actor_id)s, '',
  %(active_until)s)
RETURNING id""".format(**_TABLES)
_UPDATE_SQL = """
UPDATE {card} SET balance = %(balance)s, active_until = %(active_until)s, state = %(active)s, grace_until = NULL,
  updated_at = %(now)s
WHERE id = %(card_id)s""".format(**_TABLES)
# PostgreSQL: both and the audit event as one statement. A duplicate reference fails it whole (the key table's
# trigger), which is the replay signal; the card's row is locked, so the balance and date computed from it are the
# ones written.
_WRITE_SQL = (f"WITH entry AS ({_INSERT_SQL.strip()}), card AS ({_UPDATE_SQL.strip()} RETURNING id), "
              f"audit AS ({AUDIT_INSERT_SQL} RETURNING id) SELECT entry.id FROM entry, card, audit")


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


def topup_refusal(state: str) -> RuleViolation | None:
    """PRE-02: an invalid card (its grace period ended) and a card not yet activated take no top-up."""
    if state == Card.State.INVALID:
        return _refuse("card_invalid", _("This card is invalid: its grace period ended, it cannot be topped up."))
    if state == Card.State.INACTIVE:
        return _refuse("card_not_activated", _("This card is not activated yet."))
    return None


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
    """
    return _topup(by="id", key=card.pk, amount=amount, reference=reference, channel=channel, actor=actor,
                  actor_label=actor_label, today=today)


def topup_by_msisdn(
    *, msisdn: str, amount: int, reference: str, channel: str, actor=None, actor_label: str = "",
    today: dt.date | None = None,
) -> LedgerEntry:
    """`topup_apply` on the card of the line that holds `msisdn` (E.164) now: the channel API's entry point, with no
    lookup before the card's lock. `card_not_found` if no card holds the number."""
    return _topup(by="msisdn", key=msisdn, amount=amount, reference=reference, channel=channel, actor=actor,
                  actor_label=actor_label, today=today)


def _topup(*, by: str, key, amount, reference, channel, actor, actor_label, today) -> LedgerEntry:
    reference = _reference(reference)
    validity_days = denomination_validity(amount)
    try:
        if validity_days is None:
            raise _unknown_denomination(amount)
        with transaction.atomic():
            return _topup_write(by=by, key=key, amount=amount, reference=reference, channel=channel, actor=actor,
                                actor_label=actor_label, validity_days=validity_days,
                                today=today or local_today())
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


def _topup_write(*, by, key, amount, reference, channel, actor, actor_label, validity_days, today) -> LedgerEntry:
    ops = connection.ops
    postgresql = connection.vendor == "postgresql"
    with prepared_cursor() as cursor:
        cursor.execute(_LOCK_BY["postgresql" if postgresql else "other"][by],
                       {"key": key, "recycled": Line.Status.RECYCLED.value})
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
                  "active": Card.State.ACTIVE.value}
        line = Line(pk=line_id, msisdn=msisdn, customer_id=customer_id)
        line._state.adding = False
        audit = audit_values(actor=actor, actor_label=actor_label, channel=channel, verb="prepaid.topup",
                             subject=line, old={"state": state, "active_until": active_until, "balance": balance},
                             new={"state": Card.State.ACTIVE.value, "active_until": new_until,
                                  "balance": new_balance, "reference": reference})
        if postgresql:
            cursor.execute(_WRITE_SQL, {**params, **audit_sql_params(audit, now=now)})
            entry_id = cursor.fetchone()[0]
        else:  # SQLite (development): the same statements one after the other
            cursor.execute(_INSERT_SQL, params)
            entry_id = cursor.fetchone()[0]
            cursor.execute(_UPDATE_SQL, params)
            audit_save(audit, actor=actor)
    entry = LedgerEntry(pk=entry_id, card_id=card_id, kind=LedgerEntry.Kind.TOPUP, reference=reference,
                        amount=amount, balance_after=new_balance, created_at=now, channel=channel, actor=user,
                        note="", active_until=new_until)
    entry._state.adding = False
    entry._state.db = connection.alias
    entry.replayed = False
    return entry
