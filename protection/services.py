"""Every write of TecProtec: devices, enrollments, instalments, claims, reimbursements (TP-01..TP-12)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Line
from accounts.validators import validate_imei
from core.audit import audit_record
from core.dates import add_months, add_working_days, local_today
from core.jobs import ChunkResult
from core.locks import lock_line
from core.models import Channel
from core.money import format_rupiah
from core.verdicts import Reason, RuleViolation
from protection.models import Claim, Enrollment, Installment, LineDevice, Reimbursement
from protection.rules import (
    SHIPPING_STATES,
    TRANSITIONS,
    claim_eligibility,
    enrollment_eligibility,
    enrollment_terms,
    repair_split,
    termination_eligibility,
)
from protection.selectors import product_current

RECEIPT_TYPES = {
    # content type → magic bytes at the start of the file
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}

SMS_ENROLLED = "protection_enrolled"
SMS_CLAIM_FILED = "protection_claim_filed"
SMS_TERMINATED = "protection_terminated"


class TransitionNotAllowed(RuleViolation):
    """The claim's workflow does not allow this event now; the API answers 409 with the current state."""

    def __init__(self, *, claim: Claim, event: str):
        self.current_status = claim.status
        super().__init__(Reason("transition_not_allowed",
                                _("The event “%(event)s” is not allowed while the claim is “%(status)s”.")
                                % {"event": event, "status": claim.get_status_display()}))


def _refuse(code: str, message: str) -> RuleViolation:
    return RuleViolation.single(code, message)


def _clean_imei(value: str) -> str:
    try:
        return validate_imei(value)
    except ValidationError as exc:
        raise _refuse("imei_invalid", exc.messages[0]) from None


def _sms(*, line: Line, template_code: str, context: dict, dedup_key: str) -> None:
    """TP-02: the confirmation SMS goes through the transactional outbox, inside the caller's transaction."""
    from core.outbox import sms_enqueue

    sms_enqueue(msisdn=line.msisdn, template_code=template_code, context=context, dedup_key=dedup_key, line=line)


def receipt_validate(*, receipt, max_kb: int) -> None:
    """A receipt upload is an image (JPEG, PNG) or a PDF, checked by its declared type AND its first bytes."""
    if receipt is None:
        raise _refuse("receipt_required", _("Upload the official purchase receipt (image or PDF)."))
    if receipt.size > max_kb * 1024:
        raise _refuse("receipt_too_large", _("The receipt file is larger than %(kb)s KB.") % {"kb": max_kb})
    if receipt.size == 0:
        raise _refuse("receipt_invalid", _("The receipt file is empty."))
    content_type = (getattr(receipt, "content_type", "") or "").split(";")[0].strip().lower()
    magics = RECEIPT_TYPES.get(content_type)
    receipt.seek(0)
    head = receipt.read(16)
    receipt.seek(0)
    if magics is None or not any(head.startswith(magic) for magic in magics):
        raise _refuse("receipt_type", _("The receipt must be a JPEG or PNG image or a PDF."))


# --- devices -------------------------------------------------------------------------------------------------------


def line_device_set(
    *, line: Line, imei: str, actor=None, actor_label: str = "", channel: str = Channel.API,
    seen_at: dt.datetime | None = None,
) -> LineDevice:
    """Record the IMEI the network last saw on a line (TP-05). A change is audited; the same IMEI only refreshes
    the time it was seen."""
    imei = _clean_imei(imei)
    seen_at = seen_at or timezone.now()
    source = actor_label or (actor.get_username() if getattr(actor, "is_authenticated", False) else "")
    with transaction.atomic():
        lock_line(line)
        device = LineDevice.objects.select_for_update().filter(line=line).first()
        if device is None:
            device = LineDevice.objects.create(line=line, imei=imei, seen_at=seen_at, source=source)
            old = None
        else:
            old = device.imei
            device.imei, device.seen_at, device.source = imei, seen_at, source
            device.save(update_fields=["imei", "seen_at", "source"])
        if old != imei:
            audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="protection.device_seen",
                         subject=line, old=old, new=imei)
    return device


# --- enrollment ----------------------------------------------------------------------------------------------------


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
    if channel not in Enrollment.Channel.values:
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
        if channel == Enrollment.Channel.GRAPARI:  # TP-06: the receipt's number and a copy
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
                    purchase_date=purchase_date if channel == Enrollment.Channel.GRAPARI else None,
                    receipt_number=receipt_number if channel == Enrollment.Channel.GRAPARI else "",
                    receipt=receipt if channel == Enrollment.Channel.GRAPARI else None,
                    enrolled_by=actor if getattr(actor, "is_authenticated", False) else None,
                    next_charge_on=today, **terms,
                )
        except IntegrityError:
            # Another request won the race for this line or this IMEI (partial unique indexes).
            raise _refuse("already_enrolled", _("The line or the phone already has an active TecProtec.")) from None
        audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="protection.enrolled",
                     subject=enrollment, new={
                         "imei": imei, "payment_option": payment_option, "start": today,
                         "end": enrollment.end_date, "amount": enrollment.installment_amount,
                         "purchase_date": enrollment.purchase_date, "receipt_number": enrollment.receipt_number})
        _installment_charge_next(enrollment=enrollment)  # TP-03: the first charge goes on the coming bill
        _sms(line=line, template_code=SMS_ENROLLED, dedup_key=f"protection:enrolled:{enrollment.pk}", context={
            "imei": imei, "start": date_format(enrollment.start_date, "d-m-Y"),
            "end": date_format(enrollment.end_date - dt.timedelta(days=1), "d-m-Y"),
            "price": format_rupiah(enrollment.installment_amount),
            "plan": "(Bulanan)" if payment_option == Enrollment.PaymentOption.MONTHLY else "(6 Bulan)",
            "claims_from": date_format(enrollment.claims_from, "d-m-Y"), "call_centre": product.partner_call_centre,
        })
    return enrollment


def _bill_post(installment: Installment) -> str:
    """Post an instalment to the postpaid bill when billing offers line items (idempotent by source ref)."""
    from protection.billing_link import bill_item_post

    return bill_item_post(installment)


def _installment_charge_next(*, enrollment: Enrollment) -> Installment | None:
    """Charge the next due month of a locked, active enrollment and move next_charge_on on (TP-03).

    Unique (enrollment, month_index) makes a second charge of the same month impossible."""
    month_index = enrollment.installments_charged + 1
    if month_index > enrollment.installment_count:
        enrollment.next_charge_on = None
        enrollment.save(update_fields=["next_charge_on"])
        return None
    installment = Installment.objects.create(
        enrollment=enrollment, month_index=month_index, amount=enrollment.installment_amount,
        due_on=add_months(enrollment.start_date, month_index - 1),
    )
    enrollment.installments_charged = month_index
    enrollment.next_charge_on = (add_months(enrollment.start_date, month_index)
                                 if month_index < enrollment.installment_count else None)
    enrollment.save(update_fields=["installments_charged", "next_charge_on"])
    ref = _bill_post(installment)
    if ref:
        installment.bill_ref = ref
        installment.save(update_fields=["bill_ref"])
    return installment


def installments_charge_chunk(*, today: dt.date, limit: int = 500) -> ChunkResult:
    """One chunk of the monthly instalment job (TP-03): active enrollments whose next charge is due, locked with
    SKIP LOCKED so workers share the work; charging moves next_charge_on on, so a re-run finds nothing left."""
    changed = 0
    with transaction.atomic():
        due = list(
            Enrollment.objects.select_for_update(skip_locked=True)
            .filter(status=Enrollment.Status.ACTIVE, next_charge_on__lte=today)
            .order_by("next_charge_on", "pk")[:limit]
        )
        for enrollment in due:
            if _installment_charge_next(enrollment=enrollment) is not None:
                changed += 1
    return ChunkResult(selected=len(due), changed=changed, skipped=len(due) - changed)


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


# --- claims --------------------------------------------------------------------------------------------------------


def claim_file(
    *,
    enrollment: Enrollment,
    imei: str,
    damage: str,
    actor=None,
    actor_label: str = "",
    channel: str = Claim.Channel.GRAPARI,
    purchase_date: dt.date | None = None,
    receipt_number: str = "",
    receipt=None,
    today: dt.date | None = None,
) -> Claim:
    """File a repair claim (TP-05..TP-09). For a UMB subscription the receipt is seen now for the first time: its
    purchase date is checked against the registration date and kept on the enrollment (TP-06)."""
    today = today or local_today()
    imei = _clean_imei(imei) if imei else ""
    damage = (damage or "").strip()
    if not damage:
        raise _refuse("damage_required", _("Describe the damage."))
    audit_channel = Channel.API if channel == Claim.Channel.API else Channel.GRAPARI
    with transaction.atomic():
        enrollment = (Enrollment.objects.select_for_update(of=("self",)).select_related("line", "product")
                      .get(pk=enrollment.pk))
        receipt_new = enrollment.purchase_date is None
        verdict = claim_eligibility(enrollment=enrollment, imei=imei, today=today, purchase_date=purchase_date)
        verdict.raise_if_refused()
        if receipt_new:
            receipt_number = (receipt_number or "").strip()
            if not receipt_number:
                raise _refuse("receipt_number_required", _("Enter the receipt number."))
            if receipt is not None or channel == Claim.Channel.GRAPARI:
                receipt_validate(receipt=receipt, max_kb=enrollment.product.receipt_max_kb)
            enrollment.purchase_date = purchase_date
            enrollment.receipt_number = receipt_number
            fields = ["purchase_date", "receipt_number"]
            if receipt is not None:
                enrollment.receipt = receipt
                fields.append("receipt")
            enrollment.save(update_fields=fields)
            audit_record(actor=actor, actor_label=actor_label, channel=audit_channel,
                         verb="protection.receipt_recorded", subject=enrollment,
                         new={"purchase_date": purchase_date, "receipt_number": receipt_number})
        claim = Claim.objects.create(
            enrollment=enrollment, line=enrollment.line, imei=imei, damage=damage, channel=channel, filed_on=today,
            filed_by=actor if getattr(actor, "is_authenticated", False) else None, fee_amount=enrollment.claim_fee,
        )
        audit_record(actor=actor, actor_label=actor_label, channel=audit_channel, verb="protection.claim_filed",
                     subject=claim, new={"status": claim.status, "imei": imei, "fee": claim.fee_amount},
                     reason=damage)
        _sms(line=enrollment.line, template_code=SMS_CLAIM_FILED, dedup_key=f"protection:claim:{claim.pk}",
             context={"claim": claim.pk, "fee": format_rupiah(claim.fee_amount),
                      "partner": enrollment.product.partner_name,
                      "call_centre": enrollment.product.partner_call_centre})
    return claim


def customer_in_jabodetabek(customer) -> bool:
    """TP-10: the customer's address region; unknown → the region of the outlet that registered them; unknown →
    elsewhere."""
    if customer.jabodetabek is not None:
        return customer.jabodetabek
    outlet = customer.registered_at
    return bool(outlet and outlet.jabodetabek)


def claim_advance(
    *,
    claim: Claim,
    event: str,
    actor=None,
    actor_label: str = "",
    channel: str = Channel.ADMIN,
    on: dt.date | None = None,
    repair_cost: int | None = None,
    reason: str = "",
    amount: int | None = None,
    reference: str = "",
) -> Claim:
    """Move a claim through the insurer's workflow, one audited step at a time (TP-08..TP-11).

    filed → fee_paid → picked_up → at_repair → returned (with the repair cost) → closed, or rejected (with the
    insurer's reason) → closed. Side events: shipping_reimbursement (amount), reimbursement_paid.
    """
    on = on or local_today()
    reason = (reason or "").strip()
    if event not in TRANSITIONS and event not in ("shipping_reimbursement", "reimbursement_paid"):
        raise _refuse("unknown_event", _("Unknown claim event “%(event)s”.") % {"event": event})
    with transaction.atomic():
        claim = (Claim.objects.select_for_update(of=("self",))
                 .select_related("line__customer__registered_at", "enrollment")
                 .get(pk=claim.pk))
        if on < claim.filed_on:
            raise _refuse("date_before_filing", _("The date is before the claim was filed (%(date)s).")
                          % {"date": date_format(claim.filed_on, "d-m-Y")})
        if event == "shipping_reimbursement":
            return _reimbursement_request(claim=claim, amount=amount, on=on, actor=actor, actor_label=actor_label,
                                          channel=channel)
        if event == "reimbursement_paid":
            return _reimbursement_pay(claim=claim, on=on, actor=actor, actor_label=actor_label, channel=channel,
                                      reference=reference)
        sources, target = TRANSITIONS[event]
        if claim.status not in sources:
            raise TransitionNotAllowed(claim=claim, event=event)
        old = claim.status
        now = timezone.now()
        fields = ["status", "updated_at"]
        extra = {}
        if event == "fee_paid":  # TP-09
            claim.fee_paid_at = now
            fields.append("fee_paid_at")
            extra["fee"] = claim.fee_amount
        elif event == "picked_up":  # TP-10: the SLA clock starts at pickup
            product = product_current() or claim.enrollment.product
            claim.jabodetabek = customer_in_jabodetabek(claim.line.customer)
            claim.sla_days = product.sla_days_jabodetabek if claim.jabodetabek else product.sla_days_elsewhere
            claim.picked_up_on = on
            claim.sla_due_on = on + dt.timedelta(days=claim.sla_days)
            fields += ["jabodetabek", "sla_days", "picked_up_on", "sla_due_on"]
            extra.update(sla_days=claim.sla_days, sla_due_on=claim.sla_due_on)
        elif event == "at_repair":
            claim.at_repair_at = now
            fields.append("at_repair_at")
        elif event == "returned":  # TP-08: above the limit the excess is the customer's
            if repair_cost is None or int(repair_cost) < 0:
                raise _refuse("repair_cost_required", _("Enter the repair cost (0 or more rupiah)."))
            claim.repair_cost = int(repair_cost)
            claim.covered_amount, claim.customer_excess = repair_split(
                repair_cost=claim.repair_cost, claim_limit=claim.enrollment.claim_limit)
            claim.returned_on = on
            if claim.sla_due_on and on > claim.sla_due_on:  # TP-10
                claim.sla_breached = True
            fields += ["repair_cost", "covered_amount", "customer_excess", "returned_on", "sla_breached"]
            extra.update(repair_cost=claim.repair_cost, covered=claim.covered_amount, excess=claim.customer_excess)
        elif event == "rejected":
            if not reason:
                raise _refuse("reason_required", _("Enter the insurer's reason for the rejection."))
            claim.rejected_at = now
            claim.rejection_reason = reason
            fields += ["rejected_at", "rejection_reason"]
        elif event == "closed":
            claim.closed_at = now
            fields.append("closed_at")
        claim.status = target
        claim.save(update_fields=fields)
        audit_record(actor=actor, actor_label=actor_label, channel=channel, verb=f"protection.claim_{event}",
                     subject=claim, old={"status": old}, new={"status": target, **extra}, reason=reason)
    return claim


def _reimbursement_request(*, claim: Claim, amount, on: dt.date, actor, actor_label: str, channel: str) -> Claim:
    """TP-11: the customer shipped at own cost; the partner reimburses within N working days."""
    if claim.status not in SHIPPING_STATES:
        raise TransitionNotAllowed(claim=claim, event="shipping_reimbursement")
    if Reimbursement.objects.filter(claim=claim).exists():
        raise TransitionNotAllowed(claim=claim, event="shipping_reimbursement")
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = 0
    if amount <= 0:
        raise _refuse("amount_required", _("Enter the shipping cost the customer paid (more than Rp 0)."))
    product = product_current() or claim.enrollment.product
    due_on = add_working_days(on, product.reimbursement_working_days)
    reimbursement = Reimbursement.objects.create(claim=claim, amount=amount, requested_on=on, due_on=due_on)
    audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="protection.reimbursement_requested",
                 subject=claim, new={"amount": amount, "due_on": due_on})
    claim.reimbursement = reimbursement
    return claim


def _reimbursement_pay(*, claim: Claim, on: dt.date, actor, actor_label: str, channel: str, reference: str) -> Claim:
    reimbursement = Reimbursement.objects.select_for_update().filter(claim=claim).first()
    if reimbursement is None or reimbursement.status != Reimbursement.Status.PENDING:
        raise TransitionNotAllowed(claim=claim, event="reimbursement_paid")
    reimbursement.status = Reimbursement.Status.PAID
    reimbursement.paid_on = on
    reimbursement.reference = (reference or "").strip()[:60]
    reimbursement.save(update_fields=["status", "paid_on", "reference"])
    audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="protection.reimbursement_paid",
                 subject=claim, old={"status": Reimbursement.Status.PENDING},
                 new={"status": Reimbursement.Status.PAID, "paid_on": on, "late": on > reimbursement.due_on,
                      "reference": reimbursement.reference})
    claim.reimbursement = reimbursement
    return claim


def claims_flag_sla_chunk(*, today: dt.date, limit: int = 500) -> ChunkResult:
    """TP-10: open claims past their return date are flagged as breaches (once each)."""
    with transaction.atomic():
        due = list(
            Claim.objects.select_for_update(skip_locked=True, of=("self",)).select_related("line")
            .filter(status__in=[Claim.Status.PICKED_UP, Claim.Status.AT_REPAIR], sla_breached=False,
                    sla_due_on__lt=today).order_by("sla_due_on", "pk")[:limit]
        )
        for claim in due:
            claim.sla_breached = True
            claim.save(update_fields=["sla_breached", "updated_at"])
            audit_record(actor=None, actor_label="job:protection-sla", channel=Channel.SYSTEM,
                         verb="protection.claim_sla_breached", subject=claim, new={"sla_due_on": claim.sla_due_on})
    return ChunkResult(selected=len(due), changed=len(due))


def reimbursements_flag_overdue_chunk(*, today: dt.date, limit: int = 500) -> ChunkResult:
    """TP-11: unpaid reimbursements past their due date are flagged overdue (once each)."""
    with transaction.atomic():
        due = list(
            Reimbursement.objects.select_for_update(skip_locked=True, of=("self",)).select_related("claim__line")
            .filter(status=Reimbursement.Status.PENDING, overdue=False, due_on__lt=today)
            .order_by("due_on", "pk")[:limit]
        )
        for reimbursement in due:
            reimbursement.overdue = True
            reimbursement.save(update_fields=["overdue"])
            audit_record(actor=None, actor_label="job:protection-reimbursement", channel=Channel.SYSTEM,
                         verb="protection.reimbursement_overdue", subject=reimbursement.claim,
                         new={"due_on": reimbursement.due_on, "amount": reimbursement.amount})
    return ChunkResult(selected=len(due), changed=len(due))
