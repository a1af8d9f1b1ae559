"""TecProtec's part in a line's life (accounts/lifecycle.py): when the line ends the enrollment ends with it, so no
instalment is charged and no claim is accepted after it (ACC-09); a line with an open claim is not terminated
(TP-12: a subscription with a claim is not ended early). Lock order: the enrollment comes last."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import lifecycle
from core.audit import audit_record
from core.dates import local_today
from core.verdicts import Verdict
from protection.models import Claim, Enrollment

ORDER = 30  # subscriptions come last
CLAIM_DONE = (Claim.Status.CLOSED, Claim.Status.REJECTED)


def termination_check(transition: lifecycle.Transition) -> Verdict | None:
    enrollment = Enrollment.objects.filter(line=transition.line, status=Enrollment.Status.ACTIVE).first()
    if enrollment is None:
        return None
    verdict = Verdict(details={"notes": []})
    open_claim = enrollment.claims.exclude(status__in=CLAIM_DONE).order_by("pk").first()
    if open_claim is not None:  # TP-12
        verdict.refuse("claim_open", _("TecProtec claim %(claim)s is still open (%(status)s): the line cannot be "
                                       "terminated until it is closed.")
                       % {"claim": open_claim.pk, "status": open_claim.get_status_display()})
    today = transition.today or local_today()
    verdict.details["notes"].append(_("TecProtec ends on %(date)s: no instalment and no claim after it.")
                                    % {"date": date_format(today, "j M Y")})
    return verdict


def termination_apply(transition: lifecycle.Transition) -> dict | None:
    enrollment = (Enrollment.objects.select_for_update(of=("self",)).select_related("line")
                  .filter(line=transition.line, status=Enrollment.Status.ACTIVE).first())
    if enrollment is None:
        return None
    today = transition.today or local_today()
    enrollment.status = Enrollment.Status.TERMINATED
    enrollment.terminated_on = today
    enrollment.termination_reason = _("The line was terminated.")
    enrollment.next_charge_on = None
    enrollment.save(update_fields=["status", "terminated_on", "termination_reason", "next_charge_on"])
    audit_record(actor=transition.actor, channel=transition.channel, verb="protection.terminated", subject=enrollment,
                 old={"status": Enrollment.Status.ACTIVE}, new={"status": enrollment.status, "terminated_on": today},
                 reason=enrollment.termination_reason)
    return {"enrollment_ended": enrollment.pk}


def register() -> None:
    lifecycle.register(lifecycle.TERMINATE, lifecycle.Participant(
        app="protection", order=ORDER, check=termination_check, apply=termination_apply))
