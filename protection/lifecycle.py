"""TecProtec's part in a line's life (accounts/lifecycle.py): when the line ends or goes to another holder the
enrollment ends with it, so no instalment is charged and no claim is accepted after it (ACC-09, ACC-06); a line with
an open claim is not terminated or transferred (TP-12: a subscription with a claim is not ended early). Lock order:
the enrollment comes last."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import lifecycle
from core.audit import audit_record
from core.dates import local_today
from core.verdicts import Verdict
from protection.models import Claim, Enrollment

ORDER = 30  # subscriptions come last
CLAIM_DONE = (Claim.Status.CLOSED, Claim.Status.REJECTED)


def termination_check(transition: lifecycle.Transition, *, transfer: bool = False) -> Verdict | None:
    enrollment = Enrollment.objects.filter(line=transition.line, status=Enrollment.Status.ACTIVE).first()
    if enrollment is None:
        return None
    verdict = Verdict(details={"notes": []})
    open_claim = enrollment.claims.exclude(status__in=CLAIM_DONE).order_by("pk").first()
    if open_claim is not None and transfer:
        verdict.refuse("claim_open", _("TecProtec claim %(claim)s is still open (%(status)s): the line cannot be "
                                       "transferred until it is closed.")
                       % {"claim": open_claim.pk, "status": open_claim.get_status_display()})
    elif open_claim is not None:  # TP-12
        verdict.refuse("claim_open", _("TecProtec claim %(claim)s is still open (%(status)s): the line cannot be "
                                       "terminated until it is closed.")
                       % {"claim": open_claim.pk, "status": open_claim.get_status_display()})
    today = transition.today or local_today()
    verdict.details["notes"].append(_("TecProtec ends on %(date)s: no instalment and no claim after it.")
                                    % {"date": date_format(today, "j M Y")})
    return verdict


def termination_apply(transition: lifecycle.Transition, *, reason: str = "") -> dict | None:
    enrollment = (Enrollment.objects.select_for_update(of=("self",)).select_related("line")
                  .filter(line=transition.line, status=Enrollment.Status.ACTIVE).first())
    if enrollment is None:
        return None
    today = transition.today or local_today()
    enrollment.status = Enrollment.Status.TERMINATED
    enrollment.terminated_on = today
    enrollment.termination_reason = reason or _("The line was terminated.")
    enrollment.next_charge_on = None
    enrollment.save(update_fields=["status", "terminated_on", "termination_reason", "next_charge_on"])
    audit_record(actor=transition.actor, channel=transition.channel, verb="protection.terminated", subject=enrollment,
                 old={"status": Enrollment.Status.ACTIVE}, new={"status": enrollment.status, "terminated_on": today},
                 reason=enrollment.termination_reason)
    return {"enrollment_ended": enrollment.pk}


# Transfer (ACC-06). Decision: TecProtec covers the holder's own phone (TP-05: the one IMEI registered, bought by
# them, TP-06) and its instalments are billed to the line's account; the new holder neither owns that phone nor agreed
# to pay for it. So the enrollment ends with the transfer, as on termination: no instalment is charged after it, the
# ones already charged stay owed by the old account, and a line with an open claim is not transferred until the
# claim is closed (the repair is the old holder's).


def transfer_check(transition: lifecycle.Transition) -> Verdict | None:
    return termination_check(transition, transfer=True)


def transfer_apply(transition: lifecycle.Transition) -> dict | None:
    return termination_apply(transition, reason=_("The line was transferred to another holder."))


def register() -> None:
    lifecycle.register(lifecycle.TERMINATE, lifecycle.Participant(
        app="protection", order=ORDER, check=termination_check, apply=termination_apply))
    lifecycle.register(lifecycle.TRANSFER, lifecycle.Participant(
        app="protection", order=ORDER, check=transfer_check, apply=transfer_apply))
