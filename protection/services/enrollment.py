"""TecProtec subscriptions: enrol, terminate early, expire (TP-01..TP-06, TP-12)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Line
from core.audit import audit_record
from core.dates import local_today
from core.jobs import ChunkResult
from core.locks import lock_line
from core.models import Channel
from core.money import format_rupiah
from protection.models import ENROLLMENT_CHANNELS, Enrollment, LineDevice
from protection.rules import (
    enrollment_eligibility,
    enrollment_terms,
    termination_eligibility,
)
from protection.selectors import product_current
from protection.services.common import SMS_ENROLLED, SMS_TERMINATED, _clean_imei, _refuse, _sms, receipt_validate
from protection.services.installments import _installment_charge_next


def protection_enroll(
    *,
    line: Line,
    payment_option: str,
    channel: str,
    actor=None,
    actor_label: str = "",
    imei: str | None = None,
    purchase_date: dt.date | None = None,
    receipt_number: str = "",
    receipt=None,
    today: dt.date | None = None,
) -> Enrollment:
    """Subscribe a postpaid line to TecProtec (TP-01..TP-06).

    The covered IMEI is the one given (GraPARI) or the one the network last saw on the line (UMB); it never changes
    afterwards (TP-05). At GraPARI the device age is checked now from the receipt (TP-06); through UMB at the first
    claim. The first instalment is charged at once (TP-03) and an SMS confirms (TP-02).
    """
    today = today or local_today()
    if payment_option not in Enrollment.PaymentOption.values:
        raise _refuse("payment_option", _("Choose monthly or six months upfront."))
    if channel not in ENROLLMENT_CHANNELS:
        raise _refuse("channel", _("Subscriptions come through UMB or GraPARI."))
    if imei:
        imei = _clean_imei(imei)
    receipt_number = (receipt_number or "").strip()
    with transaction.atomic():
        line = lock_line(line, related=("customer",))
        if not imei:
            imei = LineDevice.objects.filter(line=line).values_list("imei", flat=True).first()
        product = product_current()
        verdict = enrollment_eligibility(line=line, product=product, imei=imei, channel=channel, today=today,
                                         purchase_date=purchase_date, payment_option=payment_option)
        verdict.raise_if_refused()
        if channel == Channel.GRAPARI:  # TP-06: the receipt's number and a copy
            if not receipt_number:
                raise _refuse("receipt_number_required", _("Enter the receipt number."))
            receipt_validate(receipt=receipt, max_kb=product.receipt_max_kb)
        terms = enrollment_terms(product=product, start_date=today, payment_option=payment_option)
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    line=line, product=product, imei=imei, payment_option=payment_option, channel=channel,
                    claim_limit=product.claim_limit, claim_fee=product.claim_fee,
                    claims_allowed=product.claims_per_period, max_device_age_months=product.max_device_age_months,
                    purchase_date=purchase_date if channel == Channel.GRAPARI else None,
                    receipt_number=receipt_number if channel == Channel.GRAPARI else "",
                    receipt=receipt if channel == Channel.GRAPARI else None,
                    enrolled_by=actor if getattr(actor, "is_authenticated", False) else None,
                    next_charge_on=today, **terms,
                )
        except IntegrityError:
            # Another request won the race for this line or this IMEI (partial unique indexes).
            raise _refuse("already_enrolled", _("The line or the phone already has an active TecProtec.")) from None
        audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="protection.enrolled",
                     subject=enrollment, new={
                         "imei": imei, "payment_option": payment_option, "start": today,
                         "last_covered_day": enrollment.last_covered_day, "amount": enrollment.installment_amount,
                         "purchase_date": enrollment.purchase_date, "receipt_number": enrollment.receipt_number})
        _installment_charge_next(enrollment=enrollment)  # TP-03: the first charge goes on the coming bill
        _sms(line=line, template_code=SMS_ENROLLED, dedup_key=f"protection:enrolled:{enrollment.pk}", context={
            "imei": imei, "start": date_format(enrollment.start_date, "d-m-Y"),
            "end": date_format(enrollment.last_covered_day, "d-m-Y"),  # TP-04
            "price": format_rupiah(enrollment.installment_amount),
            "plan": "(Bulanan)" if payment_option == Enrollment.PaymentOption.MONTHLY else "(6 Bulan)",
            "claims_from": date_format(enrollment.claims_from, "d-m-Y"), "call_centre": product.partner_call_centre,
        })
    return enrollment


def enrollment_terminate(
    *, enrollment: Enrollment, actor, reason: str, channel: str = Channel.GRAPARI, actor_label: str = "",
    today: dt.date | None = None,
) -> Enrollment:
    """TP-12: end a subscription early, only when no claim was made; no further instalments are charged."""
    today = today or local_today()
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("reason_required", _("Say why the subscription is terminated."))
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("line").get(pk=enrollment.pk)
        termination_eligibility(enrollment=enrollment, today=today).raise_if_refused()
        old = {"status": enrollment.status, "next_charge_on": enrollment.next_charge_on}
        enrollment.status = Enrollment.Status.TERMINATED
        enrollment.terminated_on = today
        enrollment.termination_reason = reason
        enrollment.next_charge_on = None
        enrollment.save(update_fields=["status", "terminated_on", "termination_reason", "next_charge_on"])
        audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="protection.terminated",
                     subject=enrollment, old=old, new={"status": enrollment.status, "terminated_on": today},
                     reason=reason)
        _sms(line=enrollment.line, template_code=SMS_TERMINATED, dedup_key=f"protection:terminated:{enrollment.pk}",
             context={"date": date_format(today, "d-m-Y")})
    return enrollment


def enrollments_expire_chunk(*, today: dt.date, limit: int = 500) -> ChunkResult:
    """One chunk of the expiry job: active enrollments whose period has ended become expired (TP-04)."""
    with transaction.atomic():
        due = list(
            Enrollment.objects.select_for_update(skip_locked=True, of=("self",)).select_related("line")
            .filter(status=Enrollment.Status.ACTIVE, end_date__lte=today).order_by("end_date", "pk")[:limit]
        )
        for enrollment in due:
            enrollment.status = Enrollment.Status.EXPIRED
            enrollment.expired_on = today
            enrollment.next_charge_on = None
            enrollment.save(update_fields=["status", "expired_on", "next_charge_on"])
            audit_record(actor=None, actor_label="job:protection-expire", channel=Channel.SYSTEM,
                         verb="protection.expired", subject=enrollment, old=Enrollment.Status.ACTIVE,
                         new=Enrollment.Status.EXPIRED)
    return ChunkResult(selected=len(due), changed=len(due))
