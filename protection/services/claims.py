"""TecProtec claims and shipping reimbursements through the insurer's workflow (TP-05..TP-11)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.dates import add_working_days, local_today
from core.jobs import ChunkResult
from core.models import Channel
from core.money import format_rupiah
from core.verdicts import Reason, RuleViolation
from protection.models import CLAIM_CHANNELS, OPEN_CLAIM_STATUSES, Claim, Enrollment, Reimbursement
from protection.rules import (
    SHIPPING_STATES,
    TRANSITIONS,
    claim_eligibility,
    repair_split,
)
from protection.selectors import product_current
from protection.services.common import SMS_CLAIM_FILED, _clean_imei, _refuse, _sms, receipt_validate


class TransitionNotAllowed(RuleViolation):
    """The claim's workflow does not allow this event now; the API answers 409 with the current state."""

    def __init__(self, *, claim: Claim, event: str):
        self.current_status = claim.status
        super().__init__(Reason("transition_not_allowed",
                                _("The event “%(event)s” is not allowed while the claim is “%(status)s”.")
                                % {"event": event, "status": claim.get_status_display()}))


def claim_file(
    *,
    enrollment: Enrollment,
    imei: str,
    damage: str,
    actor=None,
    actor_label: str = "",
    channel: str = Channel.GRAPARI,
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
    if channel not in CLAIM_CHANNELS:
        raise _refuse("channel", _("Claims come through GraPARI or the partner."))
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
            if receipt is not None or channel == Channel.GRAPARI:
                receipt_validate(receipt=receipt, max_kb=enrollment.product.receipt_max_kb)
            enrollment.purchase_date = purchase_date
            enrollment.receipt_number = receipt_number
            fields = ["purchase_date", "receipt_number"]
            if receipt is not None:
                enrollment.receipt = receipt
                fields.append("receipt")
            enrollment.save(update_fields=fields)
            audit_record(actor=actor, actor_label=actor_label, channel=channel,
                         verb="protection.receipt_recorded", subject=enrollment,
                         new={"purchase_date": purchase_date, "receipt_number": receipt_number})
        claim = Claim(
            enrollment=enrollment, line=enrollment.line, imei=imei, damage=damage, channel=channel, filed_on=today,
            filed_by=actor if getattr(actor, "is_authenticated", False) else None, fee_amount=enrollment.claim_fee,
        )
        _sla_start(claim, product_current() or enrollment.product)
        claim.save(force_insert=True)
        audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="protection.claim_filed",
                     subject=claim, new={"status": claim.status, "imei": imei, "fee": claim.fee_amount,
                                         "sla_days": claim.sla_days, "sla_due_on": claim.sla_due_on},
                     reason=damage)
        _sms(line=enrollment.line, template_code=SMS_CLAIM_FILED, dedup_key=f"protection:claim:{claim.pk}",
             context={"claim": claim.pk, "fee": format_rupiah(claim.fee_amount),
                      "partner": enrollment.product.partner_name,
                      "call_centre": enrollment.product.partner_call_centre})
    return claim


def _sla_start(claim: Claim, product) -> None:
    """TP-10 (Decision): the pickup-and-return clock starts when the claim is filed (the pickup request), so a slow
    pickup counts against it: 7 days in Jabodetabek, 14 elsewhere."""
    claim.jabodetabek = customer_in_jabodetabek(claim.line.customer)
    claim.sla_days = product.sla_days_jabodetabek if claim.jabodetabek else product.sla_days_elsewhere
    claim.sla_due_on = claim.filed_on + dt.timedelta(days=claim.sla_days)


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
        elif event == "picked_up":  # TP-10: the clock started at filing; pickup does not restart it
            if claim.sla_due_on is None:  # a claim filed before the clock started at filing
                _sla_start(claim, product_current() or claim.enrollment.product)
            claim.picked_up_on = on
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
            .filter(status__in=OPEN_CLAIM_STATUSES, sla_breached=False,  # TP-10: a slow pickup too
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
