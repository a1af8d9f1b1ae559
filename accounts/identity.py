"""The identity check before a sensitive action at the counter (ACC-10): NIK reveal, transfer, termination.

The agent records a check (method and result) for the customer; a sensitive action needs a passed one, recorded by
the same agent during the current visit (`core.audit.current_interaction`, set by the visits app for the request), or
in the last IDENTITY_CHECK_WINDOW when no visit is open. SIM replacement keeps its own inline check (ACC-10).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Customer, IdentityCheck, Line
from core.audit import audit_record, current_interaction
from core.verdicts import Reason, RuleViolation, Verdict, require

IDENTITY_CHECK_WINDOW = dt.timedelta(minutes=30)


def identity_check_record(*, customer: Customer | None = None, line: Line | None = None, method: str, result: str,
                          actor, note: str = "") -> IdentityCheck:
    """Record a check of the customer's identity (of `line`'s customer for a SIM replacement), whatever its result,
    on the current visit if there is one."""
    require(customer is not None or line is not None, "customer_required", _("Choose the customer."))
    require(method in IdentityCheck.Method.values, "invalid_method", _("Choose how the identity was checked."))
    require(result in IdentityCheck.Result.values, "invalid_result", _("Choose the result of the identity check."))
    require(getattr(actor, "is_authenticated", False), "actor_required", _("An identity check is done by a person."))
    customer_id = customer.pk if customer is not None else line.customer_id
    with transaction.atomic():
        check = IdentityCheck.objects.create(
            customer_id=customer_id, line=line, method=method, result=result, note=note.strip()[:255],
            checked_by=actor, checked_at=timezone.now(), interaction_id=current_interaction.get())
        change = {"new": {"method": method, "result": result}, "reason": note.strip()}
        if line is not None:
            audit_record(actor=actor, verb="line.identity_checked", subject=line, **change)
        else:
            audit_record(actor=actor, verb="customer.identity_checked", subject=customer, customer=customer, **change)
    return check


def identity_check_current(*, customer_id: int, actor, now: dt.datetime | None = None) -> IdentityCheck | None:
    """The latest check of this customer by this agent that counts now: during the open visit, or else in the
    window. One indexed query."""
    if not getattr(actor, "is_authenticated", False):
        return None
    checks = IdentityCheck.objects.filter(customer_id=customer_id, checked_by=actor)
    interaction = current_interaction.get()
    if interaction is not None:
        checks = checks.filter(interaction_id=interaction)
    else:
        checks = checks.filter(checked_at__gte=(now or timezone.now()) - IDENTITY_CHECK_WINDOW)
    return checks.order_by("-checked_at", "-id").first()


def identity_check_verdict(*, customer_id: int, actor, now: dt.datetime | None = None) -> Verdict:
    """Allowed when a passed check counts now (ACC-10); otherwise the reason to read out and what to do."""
    check = identity_check_current(customer_id=customer_id, actor=actor, now=now)
    verdict = Verdict(details={"identity_check": check})
    if check is None:
        verdict.refuse("identity_check_required", _("Record the customer's identity check first: this action needs "
                                                    "a passed check during this visit."))
    elif check.result != IdentityCheck.Result.PASSED:
        verdict.refuse("identity_check_failed", _("The last identity check failed (%(method)s): record a new, passed "
                                                  "check first.") % {"method": check.get_method_display()})
    return verdict


def identity_check_require(*, customer_id: int, actor) -> IdentityCheck:
    verdict = identity_check_verdict(customer_id=customer_id, actor=actor)
    if not verdict.allowed:
        raise RuleViolation([Reason(reason.code, reason.message) for reason in verdict.reasons])
    return verdict.details["identity_check"]
