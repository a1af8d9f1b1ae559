"""Agent pages of billing: the spending-limit and bills tabs of the line page, and their actions.

Views are thin: permission, form, one service call, a message, a redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import Line
from billing import selectors, services
from billing.forms import CurrentUsagePaymentForm, LimitChangeForm, ObjectionForm, PaymentForm, StatementResendForm
from billing.models import (
    Bill,
    LimitChange,
    LinePackage,
    Objection,
    Purchase,
    Scope,
    ServiceCategory,
    SpendingLimit,
)
from billing.rules import limit_change_eligibility
from core.actions import ActionState, action_done, action_render, action_submit
from core.dates import add_months, format_day, local_today
from core.money import format_rupiah
from core.parameters import parameter
from core.verdicts import Reason

# The line-page tabs the actions come back to (registered in billing/apps.py).
SPENDING_TAB, BILLS_TAB = "spending", "bills"


def _gauge(limit: SpendingLimit | None, warn: int) -> dict | None:
    if limit is None:
        return None
    percent = limit.percent
    return {"limit": limit, "percent": percent, "width": min(percent, 100), "warn": warn,
            "level": "danger" if percent >= 100 else "warning" if percent >= warn else "success"}


def _pay_usage_state(limits: list[SpendingLimit]) -> ActionState:
    """LIM-11: paying the current usage needs some usage counted in this cycle."""
    if not limits:
        return ActionState(False, (Reason("no_limit", _("This line has no spending limit yet.")),))
    if any(limit.counted > 0 for limit in limits):
        return ActionState()
    cycle_end = min(limit.cycle_end for limit in limits)
    return ActionState(False, (Reason("nothing_to_pay", _("No usage counted this cycle (up to %(date)s): Rp 0 to pay.")
                                      % {"date": format_day(cycle_end)}),))


def _objection_state(bill: Bill, today, window_months: int) -> ActionState:
    """BIL-03: objections within the window after the bill was processed (the service says the same on submit)."""
    window_end = add_months(bill.issued_on, window_months)
    if today <= window_end:
        return ActionState()
    return ActionState(False, (Reason("objection_window_closed", _("Objections accepted until %(date)s.")
                                      % {"date": format_day(window_end)}),))


def spending_tab_context(request, line: Line) -> dict:
    """A constant number of queries whatever the history's length."""
    limits = {limit.scope: limit for limit in SpendingLimit.objects.filter(line=line)}
    warn = parameter("limit_warn_percent")
    domestic = limits.get(Scope.DOMESTIC)
    cycle_start = domestic.cycle_start if domestic else None
    purchases = list(Purchase.objects.filter(line=line, cycle_start=cycle_start).order_by("-created_at", "-id")[:50])
    categories = {c.code: c.display_name for c in ServiceCategory.objects.all()}  # a dozen rows: one query always
    for purchase in purchases:  # the category's name, never its code
        purchase.category_name = categories.get(purchase.category_code, purchase.category_code)
    changes = list(LimitChange.objects.filter(line=line).select_related("actor").order_by("-created_at", "-id")[:20])
    preview = limit_change_eligibility(line=line) if domestic else None
    package = LinePackage.objects.select_related("package", "next_package").filter(line=line).first()
    return {
        "limit_state": ActionState.of(preview or limit_change_eligibility(line=line)),
        "pay_state": _pay_usage_state(list(limits.values())),
        "package": package,
        "gauges": [g for g in (_gauge(limits.get(scope), warn) for scope in Scope.values) if g],
        "purchases": purchases, "changes": changes, "preview": preview,
        "can_change": request.user.has_perm("billing.add_limitchange"),
        "can_pay": request.user.has_perm("billing.add_payment"),
    }


def bills_tab_context(request, line: Line) -> dict:
    account = line.billing_account
    bills = list(Bill.objects.filter(billing_account=account)
                 .prefetch_related(Prefetch("objections", queryset=Objection.objects.order_by("-filed_on")))
                 .order_by("-period_start")[:12])
    today, window_months = local_today(), parameter("objection_window_months")
    for bill in bills:
        bill.objection_state = _objection_state(bill, today, window_months)
    return {
        "account": account, "bills": bills, "payments": list(selectors.account_payments(account, limit=20)),
        "can_pay": request.user.has_perm("billing.add_payment"),
        "can_object": request.user.has_perm("billing.add_objection"),
        "can_resend": request.user.has_perm("billing.resend_statement"),
    }


def _postpaid_line(pk: int) -> Line:
    return get_object_or_404(Line.objects.select_related("customer", "billing_account"), pk=pk,
                             kind=Line.Kind.POSTPAID)


@login_required
@permission_required("billing.add_limitchange", raise_exception=True)
def limit_change(request, pk):
    """LIM-06..10: the agent sees the allowed range, the suggestion and every reason before submitting."""
    line = _postpaid_line(pk)
    form = LimitChangeForm(request.POST or None)
    scope = request.POST.get("scope") if request.POST.get("scope") in Scope.values else Scope.DOMESTIC
    if action_submit(request, form, lambda data: services.spending_limit_change(
            line=line, new_amount=data["new_amount"], scope=data["scope"], channel=data["channel"],
            actor=request.user, reason=data["reason"])):
        data = form.cleaned_data
        messages.success(request, _("The %(scope)s limit of %(number)s is now %(amount)s.") % {
            "scope": Scope(data["scope"]).label, "number": line.msisdn_national,
            "amount": format_rupiah(data["new_amount"])})
        return action_done(line=line, tab=SPENDING_TAB)
    verdict = limit_change_eligibility(line=line, scope=scope)
    return action_render(request, form=form, title=_("Change the spending limit"), line=line, verdict=verdict,
                         details_template="billing/_limit_details.html", cancel_tab=SPENDING_TAB)


@login_required
@permission_required("billing.add_payment", raise_exception=True)
def payment_current(request, pk):
    """LIM-11: pay the current usage so that purchases are allowed again without an upgrade."""
    line = _postpaid_line(pk)
    form = CurrentUsagePaymentForm(request.POST or None)
    if action_submit(request, form, lambda data: services.payment_current_usage(
            line=line, scope=data["scope"], amount=data["amount"], method=data["method"],
            reference=data["reference"], actor=request.user)):
        messages.success(request, _("Payment of %(amount)s recorded against the current usage.")
                         % {"amount": format_rupiah(form.cleaned_data["amount"])})
        return action_done(line=line, tab=SPENDING_TAB)
    limits = selectors.line_limits(line)
    intro = " · ".join(f"{limit.get_scope_display()}: {format_rupiah(limit.counted)} / {format_rupiah(limit.amount)}"
                       for limit in limits.values())
    return action_render(request, form=form, title=_("Pay the current usage"), line=line, intro=intro,
                         cancel_tab=SPENDING_TAB)


def _bill_and_line(bill_id):
    bill = get_object_or_404(Bill.objects.select_related("billing_account"), pk=bill_id)
    line = (Line.objects.select_related("customer", "billing_account").filter(billing_account=bill.billing_account)
            .order_by("pk").first())
    return bill, line


@login_required
@permission_required("billing.add_payment", raise_exception=True)
def payment_record(request, bill_id):
    bill, line = _bill_and_line(bill_id)
    form = PaymentForm(request.POST or None, initial={"amount": bill.outstanding})
    if action_submit(request, form, lambda data: services.payment_record(
            bill=bill, amount=data["amount"], method=data["method"], reference=data["reference"], actor=request.user)):
        messages.success(request, _("Payment of %(amount)s recorded.")
                         % {"amount": format_rupiah(form.cleaned_data["amount"])})
        return action_done(line=line, tab=BILLS_TAB)
    intro = _("Bill %(period)s: total %(total)s, outstanding %(outstanding)s, due %(due)s.") % {
        "period": bill.period_start.strftime("%m-%Y"), "total": format_rupiah(bill.total),
        "outstanding": format_rupiah(bill.outstanding), "due": bill.due_date.strftime("%d-%m-%Y")}
    return action_render(request, form=form, title=_("Record a payment"), line=line, intro=intro,
                         cancel_tab=BILLS_TAB)


@login_required
@permission_required("billing.add_objection", raise_exception=True)
def objection_file(request, bill_id):
    """BIL-03: within 2 months of processing; the due date does not move."""
    bill, line = _bill_and_line(bill_id)
    form = ObjectionForm(request.POST or None)
    if action_submit(request, form, lambda data: services.objection_file(
            bill=bill, amount=data["amount"], description=data["description"], actor=request.user)):
        messages.success(request, _("Objection filed. The due date stays %(due)s.")
                         % {"due": bill.due_date.strftime("%d-%m-%Y")})
        return action_done(line=line, tab=BILLS_TAB)
    intro = _("Bill %(period)s of %(total)s, processed on %(issued)s. An objection does not move the due date.") % {
        "period": bill.period_start.strftime("%m-%Y"), "total": format_rupiah(bill.total),
        "issued": bill.issued_on.strftime("%d-%m-%Y")}
    return action_render(request, form=form, title=_("File an objection"), line=line, intro=intro,
                         cancel_tab=BILLS_TAB)


@login_required
@permission_required("billing.view_bill", raise_exception=True)
def bill_detail(request, bill_id):
    """The agent's view of one bill: its lines (late usage marked with its cycle, BIL-11), the PPN line (BIL-10) and
    the statement SMS sent for it (BIL-09)."""
    bill, line = _bill_and_line(bill_id)
    return render(request, "billing/bill_detail.html", {
        "bill": bill, "line": line, "charges": selectors.bill_lines(bill), "sms": selectors.statement_messages(bill),
        "can_resend": request.user.has_perm("billing.resend_statement"),
    })


@login_required
@permission_required("billing.resend_statement", raise_exception=True)
def statement_resend(request, bill_id):
    """BIL-09: send the statement SMS again when the customer says it did not arrive; audited with the reason."""
    bill, line = _bill_and_line(bill_id)
    form = StatementResendForm(request.POST or None)
    if done := action_submit(request, form, lambda data: services.bill_statement_resend(
            bill=bill, actor=request.user, reason=data["reason"])):
        messages.success(request, _("The statement SMS of bill %(period)s is queued again to %(number)s.") % {
            "period": bill.period_start.strftime("%m-%Y"), "number": done.result.msisdn})
        return redirect("billing:bill_detail", bill_id=bill.pk)
    intro = _("Bill %(period)s: total %(total)s, due %(due)s. Not receiving the bill does not move the due date.") % {
        "period": bill.period_start.strftime("%m-%Y"), "total": format_rupiah(bill.total),
        "due": bill.due_date.strftime("%d-%m-%Y")}
    return action_render(request, form=form, title=_("Send the statement SMS again"), line=line, intro=intro,
                         cancel_tab=BILLS_TAB)
