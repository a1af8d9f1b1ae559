"""The audit verbs TecProtec writes, for the timelines (registered in ProtectionConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from core.audit import as_choice, as_date, as_rupiah, as_text, as_yes_no, model_fields, verb_register
from protection.models import Claim, Enrollment, Product, Reimbursement
from protection.rules import TRANSITIONS

# The label of each claim event's verb (`protection.claim_<event>`).
CLAIM_EVENT_LABELS = {
    "fee_paid": _("Claim fee paid"),
    "picked_up": _("Phone picked up"),
    "at_repair": _("Phone at the repair centre"),
    "returned": _("Repaired phone returned"),
    "rejected": _("Claim rejected by the insurer"),
    "closed": _("Claim closed"),
}


def register() -> None:
    status = (_("claim"), as_choice(Claim.Status))
    verb_register("protection.device_seen", _("Phone (IMEI) seen on the network"), value=as_text)
    verb_register("protection.enrolled", _("TecProtec subscribed"), fields={
        "imei": (_("IMEI"), as_text), "payment_option": (_("payment"), as_choice(Enrollment.PaymentOption)),
        "start": (_("from"), as_date), "last_covered_day": (_("last covered day"), as_date),
        "end": (_("until"), as_date),  # events written before TP-04's last covered day was recorded
        "amount": (_("amount"), as_rupiah),
        "purchase_date": (_("purchase date"), as_date), "receipt_number": (_("receipt number"), as_text),
    })
    verb_register("protection.terminated", _("TecProtec terminated"), fields={
        "status": (_("subscription"), as_choice(Enrollment.Status)), "terminated_on": (_("on"), as_date),
    })
    verb_register("protection.expired", _("TecProtec period ended"), value=as_choice(Enrollment.Status))
    verb_register("protection.receipt_recorded", _("Purchase receipt recorded"), fields={
        "purchase_date": (_("purchase date"), as_date), "receipt_number": (_("receipt number"), as_text),
    })
    verb_register("protection.claim_filed", _("TecProtec claim filed"), fields={
        "status": status, "imei": (_("IMEI"), as_text), "fee": (_("processing fee"), as_rupiah),
        "sla_days": (_("repair days"), as_text), "sla_due_on": (_("back by"), as_date),  # TP-10: from filing
    })
    claim_fields = {
        "status": status, "fee": (_("processing fee"), as_rupiah), "sla_days": (_("repair days"), as_text),
        "sla_due_on": (_("back by"), as_date), "repair_cost": (_("repair cost"), as_rupiah),
        "covered": (_("covered"), as_rupiah), "excess": (_("paid by the customer"), as_rupiah),
    }
    for event in TRANSITIONS:
        verb_register(f"protection.claim_{event}", CLAIM_EVENT_LABELS[event], fields=claim_fields)
    verb_register("protection.claim_sla_breached", _("Repair deadline missed"), fields={
        "sla_due_on": (_("due back"), as_date),
    })
    refund = {
        "amount": (_("amount"), as_rupiah), "due_on": (_("due on"), as_date), "paid_on": (_("paid on"), as_date),
        "status": (_("reimbursement"), as_choice(Reimbursement.Status)), "late": (_("late"), as_yes_no),
        "reference": (_("reference"), as_text),
    }
    verb_register("protection.reimbursement_requested", _("Shipping reimbursement requested"), fields=refund)
    verb_register("protection.reimbursement_paid", _("Shipping reimbursement paid"), fields=refund)
    verb_register("protection.reimbursement_overdue", _("Shipping reimbursement overdue"), fields=refund)
    verb_register("protection.product_changed", _("TecProtec terms changed"), fields=model_fields(Product))

