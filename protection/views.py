"""Agent pages for TecProtec: the line tab and the four actions, each showing its verdict before submitting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import Line
from core.actions import ActionState, action_done, action_files, action_render, action_submit, is_check
from core.dates import local_today
from core.models import Channel
from core.money import format_rupiah
from core.verdicts import Verdict
from protection import selectors, services
from protection.forms import ClaimAdvanceForm, ClaimFileForm, DeviceForm, EnrollForm, TerminateForm
from protection.models import Claim, Enrollment
from protection.rules import (
    claim_eligibility,
    claim_events_allowed,
    enrollment_eligibility,
    termination_eligibility,
)


def _line(pk) -> Line:
    from accounts.selectors import line_detail

    try:
        return line_detail(pk)
    except Line.DoesNotExist:
        raise Http404 from None


# The line-page tab the actions come back to (registered in protection/apps.py).
TAB = "protection"


def _back(line):
    return action_done(line=line, tab=TAB)


def _page(request, **kwargs):
    return action_render(request, cancel_tab=TAB, details_template="protection/_terms.html", **kwargs)


def _receipt_still_missing(verdict: Verdict) -> None:
    """Before the receipt is entered on the form, its absence is not a refusal and not "allowed" either: the
    verdict says what is still to be checked (TP-06)."""
    for reason in [reason for reason in verdict.reasons if reason.code == "receipt_required"]:
        verdict.reasons.remove(reason)
        verdict.missing.append(_("The phone's age (at most 24 months) is checked once the purchase date on the "
                                 "receipt is entered."))


# What the enrollment form asks for (the receipt's date, TP-06): not known on the tab, so not a reason to disable it.
ENROLL_INPUT_CODES = ("receipt_required", "purchase_date_future", "device_too_old")


def line_tab_context(request, line) -> dict:
    """The protection tab: enrollment, instalments, claims with SLA countdown; a constant number of queries."""
    today = local_today()
    data = selectors.line_protection(line)
    enrollment = data["enrollment"]
    claim_verdict = termination_verdict = None
    receipt_at_claim = False
    if enrollment is not None and enrollment.status == Enrollment.Status.ACTIVE:
        device_imei = data["device"].imei if data["device"] else enrollment.imei
        claim_verdict = claim_eligibility(enrollment=enrollment, imei=device_imei, today=today)
        if enrollment.purchase_date is None:
            # TP-06 over UMB: the receipt is first seen at the claim; no purchase date is not a refusal today (and
            # never "today", which a registration in the past would contradict).
            receipt_at_claim = True
            claim_verdict.reasons = [r for r in claim_verdict.reasons if r.code != "receipt_required"]
        termination_verdict = termination_eligibility(enrollment=enrollment, today=today)
    for claim in data["claims"]:
        claim.sla_status = selectors.claim_sla_status(claim, today)
        claim.days_left = selectors.claim_days_left(claim, today)
        claim.events = claim_events_allowed(claim)
    user = request.user
    enroll_state = ActionState()
    if line.kind == Line.Kind.POSTPAID and (enrollment is None or enrollment.status != Enrollment.Status.ACTIVE):
        device = data["device"]
        enroll_state = ActionState.of(enrollment_eligibility(
            line=line, product=selectors.product_current(), imei=device.imei if device else "",
            channel=Enrollment.Channel.GRAPARI, today=today), ignore=ENROLL_INPUT_CODES)
    return {
        **data, "today": today, "claim_verdict": claim_verdict, "termination_verdict": termination_verdict,
        "enroll_state": enroll_state, "claim_state": ActionState.of(claim_verdict),
        "terminate_state": ActionState.of(termination_verdict),
        "receipt_at_claim": receipt_at_claim,
        "can_enroll_now": (user.has_perm("protection.add_enrollment") and line.kind == Line.Kind.POSTPAID
                           and (enrollment is None or enrollment.status != Enrollment.Status.ACTIVE)),
        "can_claim": user.has_perm("protection.add_claim"),
        "can_advance": user.has_perm("protection.change_claim"),
        "can_terminate": user.has_perm("protection.change_enrollment"),
        "can_set_device": user.has_perm("protection.change_linedevice"),
        "product": enrollment.product if enrollment else None,
    }


@login_required
@permission_required("protection.change_linedevice", raise_exception=True)
def device_set(request, pk):
    line = _line(pk)
    device = selectors.line_device(line)
    form = DeviceForm(request.POST or None, initial={"imei": device.imei if device else ""})
    if action_submit(request, form, lambda data: services.line_device_set(
            line=line, imei=data["imei"], actor=request.user, channel=Channel.GRAPARI)):
        messages.success(request, _("IMEI recorded for the line."))
        return _back(line)
    return _page(request, line=line, form=form, title=_("Record the phone's IMEI"), verdict=None,
                 intro=_("The IMEI is on the box or shown by dialling *#06#."))


@login_required
@permission_required("protection.add_enrollment", raise_exception=True)
def enroll(request, pk):
    line = _line(pk)
    checking = is_check(request)
    form = EnrollForm(request.POST or None, action_files(request), checking=checking)
    device = selectors.line_device(line)
    today = local_today()
    imei = device.imei if device else None
    purchase_date = None
    option = None
    if request.method == "POST" and form.is_valid():
        imei = form.cleaned_data.get("imei") or imei
        purchase_date = form.cleaned_data.get("purchase_date")
        option = form.cleaned_data.get("payment_option")
    if action_submit(request, form, lambda data: services.protection_enroll(
            line=line, payment_option=data["payment_option"], channel=Channel.GRAPARI,
            actor=request.user, imei=data.get("imei") or None, purchase_date=data["purchase_date"],
            receipt_number=data["receipt_number"], receipt=data["receipt"])):
        messages.success(request, _("TecProtec registered for %(number)s; an SMS confirms it.")
                         % {"number": line.msisdn_national})
        return _back(line)
    verdict = enrollment_eligibility(line=line, product=selectors.product_current(), imei=imei,
                                     channel=Channel.GRAPARI, today=today,
                                     purchase_date=purchase_date,
                                     payment_option=option or Enrollment.PaymentOption.MONTHLY)
    if purchase_date is None:
        _receipt_still_missing(verdict)
    intro = _("The phone must be at most 24 months old today, from the purchase date on the official receipt.")
    return _page(request, line=line, form=form, title=_("Register TecProtec"), verdict=verdict, intro=intro,
                 check_button=True)


def _enrollment(line, enrollment_id) -> Enrollment:
    return get_object_or_404(Enrollment.objects.select_related("product", "line"), pk=enrollment_id, line=line)


@login_required
@permission_required("protection.add_claim", raise_exception=True)
def claim_new(request, pk, enrollment_id):
    line = _line(pk)
    enrollment = _enrollment(line, enrollment_id)
    device = selectors.line_device(line)
    needs_receipt = enrollment.purchase_date is None
    checking = is_check(request)
    form = ClaimFileForm(request.POST or None, action_files(request), needs_receipt=needs_receipt,
                         checking=checking, initial={"imei": device.imei if device else enrollment.imei})
    today = local_today()
    imei = device.imei if device else enrollment.imei
    purchase_date = enrollment.purchase_date
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        imei = data["imei"]
        purchase_date = purchase_date or data.get("purchase_date")
    if action_submit(request, form, lambda data: services.claim_file(
            enrollment=enrollment, imei=data["imei"], damage=data["damage"], actor=request.user,
            channel=Channel.GRAPARI, purchase_date=data.get("purchase_date"),
            receipt_number=data.get("receipt_number", ""), receipt=data.get("receipt"), today=today)):
        messages.success(request, _("Claim filed. The customer pays the processing fee to the partner."))
        return _back(line)
    verdict = claim_eligibility(enrollment=enrollment, imei=imei, today=today, purchase_date=purchase_date)
    verdict.details.setdefault("start_date", enrollment.start_date)  # the period shown whole, from its start
    if needs_receipt and purchase_date is None:
        _receipt_still_missing(verdict)
    return _page(request, line=line, form=form, title=_("File a TecProtec claim"), verdict=verdict,
                 check_button=True)


@login_required
@permission_required("protection.change_claim", raise_exception=True)
def claim_update(request, pk, claim_id):
    line = _line(pk)
    claim = get_object_or_404(Claim.objects.select_related("enrollment"), pk=claim_id, line=line)
    events = claim_events_allowed(claim)
    form = ClaimAdvanceForm(request.POST or None, events=events)
    verdict = Verdict()
    if not events:
        verdict.refuse("no_event", _("The claim is closed: nothing more can happen."))
    if action_submit(request, form, lambda data: services.claim_advance(
            claim=claim, event=data["event"], actor=request.user, channel=Channel.GRAPARI, on=data.get("on"),
            repair_cost=data.get("repair_cost"), reason=data.get("reason", ""), amount=data.get("amount"),
            reference=data.get("reference", ""))):
        messages.success(request, _("Claim %(id)s updated.") % {"id": claim.pk})
        return _back(line)
    intro = _("Claim %(id)s is “%(status)s”. Repair above %(limit)s is paid by the customer.") % {
        "id": claim.pk, "status": claim.get_status_display(),
        "limit": format_rupiah(claim.enrollment.claim_limit)}
    return _page(request, line=line, form=form, title=_("Update a claim"), verdict=verdict, intro=intro,
                 claim=claim)


@login_required
@permission_required("protection.change_enrollment", raise_exception=True)
def terminate(request, pk, enrollment_id):
    line = _line(pk)
    enrollment = _enrollment(line, enrollment_id)
    form = TerminateForm(request.POST or None)
    if action_submit(request, form, lambda data: services.enrollment_terminate(
            enrollment=enrollment, actor=request.user, reason=data["reason"], channel=Channel.GRAPARI)):
        messages.success(request, _("TecProtec terminated; no further instalments will be charged."))
        return _back(line)
    verdict = termination_eligibility(enrollment=enrollment, today=local_today())
    return _page(request, line=line, form=form, title=_("Terminate TecProtec"), verdict=verdict, danger=True,
                 intro=_("Only possible before the end of the period and if no claim was made."))
