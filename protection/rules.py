"""Eligibility for TecProtec: each function returns a Verdict that explains itself (TP-01, TP-05..TP-08)."""

import datetime as dt

from django.utils.translation import gettext as _

from core.branding import brand_context
from core.dates import add_months, format_day
from core.models import Channel
from core.money import format_rupiah
from core.verdicts import NextStep, Verdict
from protection.models import Claim, Enrollment, Product, Reimbursement


def _d(day: dt.date) -> str:
    return format_day(day)  # dd-mm-yyyy, as the agent reads it out


def device_old_limit(*, registered_on: dt.date, max_age_months: int) -> dt.date:
    """The earliest purchase date accepted: a phone exactly `max_age_months` old on the registration date is
    still accepted, one day older is not (TP-06)."""
    return add_months(registered_on, -max_age_months)


def check_device_age(verdict: Verdict, *, purchase_date: dt.date | None, registered_on: dt.date,
                     max_age_months: int) -> None:
    """TP-06: at most `max_age_months` old on the registration date, from the purchase date on the receipt."""
    if purchase_date is None:
        verdict.refuse("receipt_required", _("Enter the purchase date from the official receipt."))
        return
    if purchase_date > registered_on:
        verdict.refuse("purchase_date_future",
                       _("The purchase date %(date)s is after the registration date %(reg)s.")
                       % {"date": _d(purchase_date), "reg": _d(registered_on)})
        return
    earliest = device_old_limit(registered_on=registered_on, max_age_months=max_age_months)
    verdict.details["earliest_purchase_date"] = earliest
    if purchase_date < earliest:
        verdict.refuse("device_too_old",
                       _("The phone was bought on %(date)s: more than %(months)s months before the registration "
                         "on %(reg)s (bought on or after %(earliest)s is accepted).")
                       % {"date": _d(purchase_date), "months": max_age_months, "reg": _d(registered_on),
                          "earliest": _d(earliest)})


def enrollment_terms(*, product: Product, start_date: dt.date, payment_option: str) -> dict:
    """Dates and price of a subscription started on `start_date` (TP-03, TP-04, TP-07)."""
    monthly = payment_option == Enrollment.PaymentOption.MONTHLY
    return {
        "start_date": start_date,
        "end_date": add_months(start_date, product.period_months),  # TP-04: the first day not covered
        "claims_from": start_date + dt.timedelta(days=product.waiting_days),  # TP-07
        "installment_amount": product.monthly_price if monthly else product.upfront_price,
        "installment_count": product.installment_count if monthly else 1,
    }


def enrollment_eligibility(
    *, line, product: Product | None, imei: str | None, channel: str, today: dt.date,
    purchase_date: dt.date | None = None, payment_option: str | None = None,
) -> Verdict:
    """May this line subscribe now, for this IMEI? Says every reason at once."""
    from accounts.models import Line
    from accounts.texts import line_not_active

    verdict = Verdict()
    if line.kind != Line.Kind.POSTPAID:  # TP-01
        verdict.refuse("not_postpaid",
                       _("TecProtec is only for %(postpaid_brand)s (postpaid) lines.") % brand_context())
    if line.status != Line.Status.ACTIVE:
        verdict.refuse("line_not_active", line_not_active(line))
    if product is None or not product.is_active:
        verdict.refuse("product_unavailable", _("TecProtec is not on sale at the moment."))
        return verdict
    active = Enrollment.objects.filter(line=line, status=Enrollment.Status.ACTIVE).only("end_date").first()
    if active is not None:
        verdict.refuse("already_enrolled", _("The line already has TecProtec until %(date)s.")
                       % {"date": _d(active.last_covered_day)})
    if not imei:  # TP-05
        verdict.refuse("imei_unknown", _("The phone's IMEI is not known: the network has not reported one yet."),
                       next_step=NextStep(_("Record the IMEI"), url_name="protection:device_set", args=(line.pk,)))
    elif Enrollment.objects.filter(imei=imei, status=Enrollment.Status.ACTIVE).exclude(line=line).exists():
        verdict.refuse("imei_already_covered", _("The phone %(imei)s is already covered on another line.")
                       % {"imei": imei})
    if channel == Channel.GRAPARI:  # TP-06, checked at registration at GraPARI
        check_device_age(verdict, purchase_date=purchase_date, registered_on=today,
                         max_age_months=product.max_device_age_months)
    if payment_option in Enrollment.PaymentOption.values:
        terms = enrollment_terms(product=product, start_date=today, payment_option=payment_option)
        verdict.details.update(terms)
        verdict.details["last_covered_day"] = terms["end_date"] - dt.timedelta(days=1)  # TP-04: the day texts name
        verdict.details["price_label"] = format_rupiah(terms["installment_amount"])
    verdict.details["imei"] = imei
    return verdict


def counting_claims(enrollment: Enrollment):
    """Claims that use up the period's allowance: every claim the insurer did not reject (TP-08).

    Decision: a claim rejected by the insurer gave the customer nothing, so it does not use the allowance."""
    return enrollment.claims.filter(rejected_at__isnull=True)


def claim_eligibility(
    *, enrollment: Enrollment | None, imei: str | None, today: dt.date, purchase_date: dt.date | None = None,
) -> Verdict:
    """May a claim be filed today on this enrollment for this phone? (TP-05..TP-08)

    Coverage runs from start_date up to the day before end_date; claims from `claims_from` (start + 14 days).
    """
    verdict = Verdict()
    if enrollment is None:
        verdict.refuse("not_enrolled", _("The line has no TecProtec subscription."))
        return verdict
    verdict.details.update({"claims_from": enrollment.claims_from, "end_date": enrollment.end_date,
                            "last_covered_day": enrollment.last_covered_day,
                            "claim_limit": enrollment.claim_limit, "claim_fee": enrollment.claim_fee})
    if enrollment.status == Enrollment.Status.TERMINATED:
        verdict.refuse("enrollment_terminated", _("The subscription was terminated on %(date)s.")
                       % {"date": _d(enrollment.terminated_on)})
    elif enrollment.status == Enrollment.Status.EXPIRED or today >= enrollment.end_date:  # TP-04
        verdict.refuse("period_ended", _("The protection period ended: its last covered day was %(date)s.")
                       % {"date": _d(enrollment.last_covered_day)})
    if today < enrollment.claims_from:  # TP-07
        verdict.refuse("waiting_period", _("No claim in the waiting period: claims are accepted from %(date)s.")
                       % {"date": _d(enrollment.claims_from)})
    used = counting_claims(enrollment).count()
    if used >= enrollment.claims_allowed:  # TP-08
        verdict.refuse("claim_already_used", _("The claim of this period (%(n)s allowed) was already used.")
                       % {"n": enrollment.claims_allowed})
    if not imei:
        verdict.refuse("imei_unknown", _("Enter the IMEI of the damaged phone."))
    elif imei != enrollment.imei:  # TP-05
        verdict.refuse("imei_mismatch", _("Only the registered phone %(imei)s is covered, not %(other)s.")
                       % {"imei": enrollment.imei, "other": imei})
    # TP-06: for UMB subscriptions the receipt is first seen at the claim; the age counts at registration.
    check_device_age(verdict, purchase_date=enrollment.purchase_date or purchase_date,
                     registered_on=enrollment.start_date, max_age_months=enrollment.max_device_age_months)
    return verdict


def termination_eligibility(*, enrollment: Enrollment, today: dt.date) -> Verdict:
    """TP-12: before the end of the period, and only if no claim has ever been made on it."""
    verdict = Verdict()
    if enrollment.status != Enrollment.Status.ACTIVE:
        verdict.refuse("not_active", _("The subscription is not active."))
        return verdict
    if today >= enrollment.end_date:
        verdict.refuse("period_ended", _("The protection period has already ended: its last covered day was %(date)s.")
                       % {"date": _d(enrollment.last_covered_day)})
    first_claim = enrollment.claims.order_by("filed_on", "pk").only("filed_on").first()
    if first_claim is not None:  # TP-12: any claim, even one the insurer rejected
        verdict.refuse("claim_made", _("A claim was filed on %(date)s: the subscription cannot be terminated early.")
                       % {"date": _d(first_claim.filed_on)})
    return verdict


# The insurer's workflow (TP-09, TP-10): event → (allowed from, goes to).
TRANSITIONS = {
    "fee_paid": ({Claim.Status.FILED}, Claim.Status.FEE_PAID),
    "picked_up": ({Claim.Status.FEE_PAID}, Claim.Status.PICKED_UP),
    "at_repair": ({Claim.Status.PICKED_UP}, Claim.Status.AT_REPAIR),
    "returned": ({Claim.Status.AT_REPAIR}, Claim.Status.RETURNED),
    "rejected": ({Claim.Status.FILED, Claim.Status.FEE_PAID, Claim.Status.PICKED_UP, Claim.Status.AT_REPAIR},
                 Claim.Status.REJECTED),
    "closed": ({Claim.Status.RETURNED, Claim.Status.REJECTED}, Claim.Status.CLOSED),
}
# Events that record something on the claim without moving it (TP-11).
SHIPPING_STATES = {Claim.Status.FEE_PAID, Claim.Status.PICKED_UP, Claim.Status.AT_REPAIR, Claim.Status.RETURNED}
SIDE_EVENTS = {"shipping_reimbursement", "reimbursement_paid"}
EVENTS = list(TRANSITIONS) + sorted(SIDE_EVENTS)


def claim_events_allowed(claim: Claim) -> list[str]:
    events = [event for event, (sources, _target) in TRANSITIONS.items() if claim.status in sources]
    try:
        reimbursement = claim.reimbursement
    except Reimbursement.DoesNotExist:
        reimbursement = None
    if claim.status in SHIPPING_STATES and reimbursement is None:
        events.append("shipping_reimbursement")
    if reimbursement is not None and reimbursement.status == reimbursement.Status.PENDING:
        events.append("reimbursement_paid")
    return events


def repair_split(*, repair_cost: int, claim_limit: int) -> tuple[int, int]:
    """TP-08: the insurer pays up to the limit; the customer pays the excess. Returns (covered, excess)."""
    covered = min(repair_cost, claim_limit)
    return covered, repair_cost - covered
