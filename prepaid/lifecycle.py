"""Prepaid's part in a line's life (accounts/lifecycle.py): the SIM replacement fee (PRE-03, free on Prime), and IM3
Prime disabled when the line ends or its card becomes invalid (ACC-09, PRE-02). Lock order: after the line, the
card, then the Prime subscription."""

import datetime as dt

from accounts import lifecycle
from accounts.models import Line
from core.audit import audit_record
from core.dates import local_today
from core.verdicts import Verdict
from prepaid.models import Card, PrimeSubscription

ORDER = 20  # after billing: the card, then its subscription


def _prepaid(transition: lifecycle.Transition) -> bool:
    return transition.line is not None and transition.line.kind == Line.Kind.PREPAID


def sim_check(transition: lifecycle.Transition) -> Verdict | None:
    if not _prepaid(transition):
        return None
    from prepaid.rules import sim_replacement_verdict

    return sim_replacement_verdict(card=Card.objects.filter(line=transition.line).first())


def sim_apply(transition: lifecycle.Transition) -> dict | None:
    if not _prepaid(transition):
        return None
    from prepaid.services import sim_replacement_charge

    replacement = sim_replacement_charge(
        line=transition.line, new_iccid=transition.params["new_iccid"], reason=transition.params["reason"],
        actor=transition.actor, channel=transition.channel, note=transition.params.get("note", ""))
    return {"sim_replacement": replacement.pk, "fee": replacement.fee, "free_with_prime": replacement.free_with_prime}


def _prime_end(line_ids: list[int], today: dt.date) -> int:
    return PrimeSubscription.objects.filter(card__line_id__in=line_ids, status=PrimeSubscription.Status.ACTIVE).update(
        status=PrimeSubscription.Status.DISABLED, ended_on=today, end_reason=PrimeSubscription.EndReason.LINE_ENDED)


def terminate_apply(transition: lifecycle.Transition) -> dict | None:
    """ACC-09: no Prime fee after the line ends."""
    if not _prepaid(transition):
        return None
    card = Card.objects.select_for_update().filter(line=transition.line).first()
    if card is None:
        return None
    subscription = PrimeSubscription.objects.select_for_update().filter(
        card=card, status=PrimeSubscription.Status.ACTIVE).first()
    if subscription is None:
        return None
    _prime_end([transition.line.pk], transition.today or local_today())
    audit_record(actor=transition.actor, channel=transition.channel, verb="prime.disabled", subject=transition.line,
                 old={"tier": subscription.tier_id}, new={"reason": PrimeSubscription.EndReason.LINE_ENDED})
    return {"prime_disabled": subscription.pk}


def register() -> None:
    lifecycle.register(lifecycle.SIM_REPLACE, lifecycle.Participant(
        app="prepaid", order=ORDER, check=sim_check, apply=sim_apply))
    lifecycle.register(lifecycle.TERMINATE, lifecycle.Participant(app="prepaid", order=ORDER, apply=terminate_apply))
    lifecycle.register(lifecycle.CARD_INVALID, lifecycle.Participant(
        app="prepaid", order=ORDER, apply_many=lambda line_ids, today: _prime_end(line_ids, today)))
