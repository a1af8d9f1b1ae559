"""The top-up as one PostgreSQL statement (issue 14, prepaid.services.topups._TOPUP_SQL): PRE-02's Active Period
arithmetic and the audit event are written by the SQL, so both are compared here with their one Python definition
(topup_active_until, audit_record)."""

import datetime as dt

import pytest

from core.audit import audit_record, current_interaction
from core.models import AuditEvent, Channel
from core.verdicts import RuleViolation
from prepaid import services
from prepaid.catalogue_cache import denomination_validity
from prepaid.ledger_checks import ledger_mismatches
from prepaid.models import Card, LedgerEntry
from prepaid.services.topups import _TOPUP_BY, TOPUP_REFUSED_STATES, topup_active_until, topup_refusal
from tests.prepaid.factories import CardFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TODAY = dt.date(2026, 6, 10)


@pytest.mark.rule("PRE-02")
@pytest.mark.parametrize(("state", "active_until"), [
    *[(state, day) for state in (Card.State.ACTIVE, Card.State.GRACE)
      for day in (TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=1), TODAY, TODAY + dt.timedelta(days=1),
                  TODAY + dt.timedelta(days=200))],
    (Card.State.GRACE, None),  # an active card always has an end (a check constraint); no end: from today
])
@pytest.mark.parametrize("amount", [5000, 100000])
def test_the_statements_active_period_end_is_topup_active_until(state, active_until, amount):
    # given
    card = CardFactory(state=state, active_until=active_until, balance=2000,
                       grace_until=TODAY + dt.timedelta(days=5) if state == Card.State.GRACE else None)
    validity = denomination_validity(amount)
    # when
    entry = services.topup_by_msisdn(msisdn=card.line.msisdn, amount=amount, reference=f"r-{amount}",
                                     channel=Channel.UMB, today=TODAY)
    # then the SQL's date is the rule's, in the answer, the ledger and the card
    expected = topup_active_until(active_until=active_until, validity_days=validity, today=TODAY)
    card.refresh_from_db()
    assert entry.active_until == LedgerEntry.objects.get(pk=entry.pk).active_until == card.active_until == expected
    assert (card.state, card.grace_until, card.balance, entry.balance_after) == (
        Card.State.ACTIVE, None, 2000 + amount, 2000 + amount)
    assert ledger_mismatches() == []


def _event_columns(event: AuditEvent) -> dict:
    return {field.attname: getattr(event, field.attname) for field in AuditEvent._meta.concrete_fields
            if field.attname not in ("id", "created_at")}


@pytest.mark.rule("ACC-07", "PRE-02")
@pytest.mark.parametrize("by", ["id", "msisdn"])
def test_the_statements_audit_event_is_the_one_audit_record_writes(agent, by):
    # given a card in grace, an agent (with an outlet) or a channel client, inside a counter visit
    card = CardFactory(state=Card.State.GRACE, active_until=dt.date(2026, 5, 1), balance=1500)
    before = {"state": card.state, "active_until": card.active_until, "balance": 1500}
    actor, label = (agent, "") if by == "id" else (None, "client-ocs")
    token = current_interaction.set(4242)
    try:
        # when
        if by == "id":
            entry = services.topup_apply(card=card, amount=10000, reference="ev-1", channel=Channel.GRAPARI,
                                         actor=actor, today=TODAY)
        else:
            entry = services.topup_by_msisdn(msisdn=card.line.msisdn, amount=10000, reference="ev-1",
                                             channel=Channel.GRAPARI, actor=actor, actor_label=label, today=TODAY)
        by_sql = AuditEvent.objects.get(verb="prepaid.topup")
        # then it equals, column by column, what audit_record writes for the same top-up
        by_orm = audit_record(actor=actor, actor_label=label, channel=Channel.GRAPARI, verb="prepaid.topup",
                              subject=card.line, old=before,
                              new={"state": Card.State.ACTIVE.value, "active_until": entry.active_until,
                                   "balance": entry.balance_after, "reference": entry.reference})
    finally:
        current_interaction.reset(token)
    by_orm.refresh_from_db()
    assert _event_columns(by_sql) == _event_columns(by_orm)
    assert by_sql.old == {"state": "grace", "active_until": "2026-05-01", "balance": 1500}
    assert by_sql.new == {"state": "active", "active_until": (TODAY + dt.timedelta(days=15)).isoformat(),
                          "balance": 11500, "reference": entry.reference}
    assert by_sql.interaction_id == 4242 and by_sql.subject_repr == card.line.msisdn_national
    assert (by_sql.actor_id, by_sql.outlet_id) == ((agent.pk, agent.outlet_id) if by == "id" else (None, None))


@pytest.mark.rule("PRE-02")
@pytest.mark.parametrize("state", TOPUP_REFUSED_STATES)
def test_a_refused_state_writes_nothing_in_the_statement(state):
    extra = {"grace_until": dt.date(2026, 1, 31)} if state == Card.State.INVALID else {"active_until": None}
    card = CardFactory(state=state, **({"active_until": dt.date(2026, 1, 1)} | extra))
    with pytest.raises(RuleViolation) as excinfo:
        services.topup_by_msisdn(msisdn=card.line.msisdn, amount=10000, reference="no", channel=Channel.UMB,
                                 today=TODAY)
    assert excinfo.value.codes == topup_refusal(state).codes
    assert not LedgerEntry.objects.filter(card=card).exists()
    assert not AuditEvent.objects.filter(verb="prepaid.topup").exists()
    card.refresh_from_db()
    assert card.state == state and card.balance == 0


def test_the_statement_has_no_quoted_literal():
    for sql in _TOPUP_BY.values():
        assert "'" not in sql and '"' not in sql
