"""Reads for TecProtec pages, the API and USSD."""

import datetime as dt

from django.db.models import Prefetch, QuerySet

from protection.models import (
    OPEN_CLAIM_STATUSES,
    PRODUCT_CODE,
    Claim,
    Enrollment,
    Installment,
    LineDevice,
    Product,
    Reimbursement,
)


def product_current() -> Product | None:
    return Product.objects.filter(code=PRODUCT_CODE).first()


def line_device(line) -> LineDevice | None:
    return LineDevice.objects.filter(line=line).first()


def enrollment_current(line) -> Enrollment | None:
    """The active enrollment of a line, or else its latest one (terminated or expired)."""
    rows = Enrollment.objects.filter(line=line).select_related("line", "product")
    return (rows.filter(status=Enrollment.Status.ACTIVE).first()
            or rows.order_by("-start_date", "-id").first())


def enrollment_active(line) -> Enrollment | None:
    return Enrollment.objects.filter(line=line, status=Enrollment.Status.ACTIVE).select_related("product").first()


def enrollment_with_history(enrollment_id: int) -> Enrollment:
    claims = Claim.objects.select_related("reimbursement").order_by("-filed_at", "-id")
    return (
        Enrollment.objects.select_related("line", "product")
        .prefetch_related(Prefetch("installments", queryset=Installment.objects.order_by("month_index")),
                          Prefetch("claims", queryset=claims))
        .get(pk=enrollment_id)
    )


def line_protection(line) -> dict:
    """Everything the line tab and the API show, in a constant number of queries."""
    enrollment = enrollment_current(line)
    installments, claims = [], []
    if enrollment is not None:
        installments = list(enrollment.installments.order_by("month_index"))
        claims = list(Claim.objects.filter(enrollment=enrollment).select_related("reimbursement")
                      .order_by("-filed_at", "-id"))
    return {"enrollment": enrollment, "installments": installments, "claims": claims,
            "device": line_device(line)}


def claim_sla_status(claim: Claim, today: dt.date) -> str:
    """ok / due_today / breached / not_started / done, for the countdown and the supervisors' list (TP-10)."""
    if claim.sla_due_on is None:
        return "not_started"
    if claim.returned_on is not None or claim.status in (Claim.Status.REJECTED, Claim.Status.CLOSED):
        return "breached" if claim.sla_breached else "done"
    if claim.sla_breached or today > claim.sla_due_on:
        return "breached"
    if today == claim.sla_due_on:
        return "due_today"
    return "ok"


def claim_days_left(claim: Claim, today: dt.date) -> int | None:
    if claim.sla_due_on is None or not claim.is_open:
        return None
    return (claim.sla_due_on - today).days


def open_claims(*, sla: str | None = None, today: dt.date) -> QuerySet:
    """Open claims by SLA status for supervisors (TP-10)."""
    qs = Claim.objects.filter(status__in=OPEN_CLAIM_STATUSES).select_related("line", "enrollment")
    if sla == "breached":
        qs = qs.filter(sla_due_on__lt=today)
    elif sla == "due_soon":
        qs = qs.filter(sla_due_on__gte=today, sla_due_on__lte=today + dt.timedelta(days=2))
    elif sla == "not_started":
        qs = qs.filter(sla_due_on__isnull=True)
    return qs.order_by("sla_due_on", "pk")


def reimbursements_pending() -> QuerySet:
    return Reimbursement.objects.filter(status=Reimbursement.Status.PENDING).select_related("claim__line")
