"""Writes for privileged access and personal data: access log rows, lockout and unlock events, data exports."""

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import Channel
from core.verdicts import require
from security.export import customer_export_document, export_json
from security.models import AccessLog, DataExport


def access_log_record(*, actor, customer_id: int, kind: str, line_id: int | None = None) -> None:
    """One INSERT per read of a customer's personal data (who, when, which customer, which outlet)."""
    AccessLog.objects.create(actor_id=actor.pk, outlet_id=actor.outlet_id, customer_id=customer_id, line_id=line_id,
                             kind=kind)


# Lockouts ----------------------------------------------------------------------------------------------------------


def lockout_record(*, request, username: str, ip_address: str) -> None:
    """django-axes locked a log-in: one audit event when the limit is reached (later tries are not new lockouts)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return
    attempt = AccessAttempt.objects.filter(username=username, ip_address=ip_address).order_by("-attempt_time").first()
    if attempt is None:
        return
    with transaction.atomic():
        audit_record(actor=None, actor_label="axes", verb="login.locked_out", subject=attempt, channel=Channel.SYSTEM,
                     new={"username": username, "ip_address": ip_address, "failures": failures})


@transaction.atomic
def login_unlock(*, username: str, ip_address: str, actor, reason: str) -> int:
    """A supervisor lifts a lockout before it cools off, with a reason."""
    reason = reason.strip()
    require(bool(reason), "reason_required", _("Give the reason for the unlock."))
    attempt = AccessAttempt.objects.filter(username=username, ip_address=ip_address).order_by("-attempt_time").first()
    require(attempt is not None, "not_locked", _("This log-in is not locked (any more)."))
    audit_record(actor=actor, verb="login.unlocked", subject=attempt, channel=Channel.ADMIN, reason=reason,
                 old={"failures": attempt.failures_since_start}, new={"username": username, "ip_address": ip_address})
    return axes_reset(ip=ip_address, username=username)


# The customer's data rights (UU 27/2022) ---------------------------------------------------------------------------


def _document_digits(value: str) -> str:
    return "".join(value.split()).upper()


@transaction.atomic
def customer_data_export(*, customer, actor, check_method: str, document_number: str) -> tuple[DataExport, bytes]:
    """The customer's own data as a JSON file, after the agent checked the original identity document.

    The number typed from the document the customer shows must be the one registered; what was checked is kept.
    """
    require(check_method in DataExport.CheckMethod.values, "check_method_required",
            _("Choose how the customer's identity was checked."))
    typed = _document_digits(document_number)
    require(bool(typed) and typed == _document_digits(customer.id_number), "identity_mismatch",
            _("The document number does not match the one registered for this customer: no data was exported."))
    document, count = customer_export_document(customer)
    export = DataExport.objects.create(customer=customer, requested_by=actor, outlet_id=actor.outlet_id,
                                       check_method=check_method, document_last_digits=typed[-4:], records=count)
    access_log_record(actor=actor, customer_id=customer.pk, kind=AccessLog.Kind.DATA_EXPORT)
    audit_record(actor=actor, verb="customer.data_exported", subject=customer,
                 new={"check": check_method, "records": count})
    return export, export_json(document)
