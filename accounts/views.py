"""The agent workspace: search, customer and line pages, and the actions on them.

Views are thin: permission, form, one service call, a message, a redirect.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.filters import LineResultFilter
from accounts.forms import (
    BillingAccountOpenForm,
    BlockForm,
    CustomerRegisterForm,
    LineActivateForm,
    LostSimForm,
    PackageChangeForm,
    SimReplaceForm,
    TerminateForm,
    TransferForm,
    UnblockForm,
    VerificationForm,
)
from accounts.header import OVERVIEW_TAB
from accounts.identity import identity_check_verdict
from accounts.identity_views import identity_check_url, identity_gate
from accounts.models import Block, Customer, Line
from core.actions import action_done, action_render, action_submit
from core.audit import timeline_describe
from core.dates import local_today
from core.header import header_alarms, line_header_facts
from core.replica import replica_reads
from core.tabs import LineTab, line_tab, line_tabs
from security.models import AccessLog
from security.services import access_log_record

# Rows per results table: more than a 1366×768 screen shows; past it the page asks for more of the name or a
# number. Every row costs rendering time (~0.2 ms) on the page agents use most.
SEARCH_LIMIT = 25

def _blocks_tab_context(request, line):
    return {"blocks": selectors.line_blocks(line)}


# Built into the line page, before the tabs other apps register.
BLOCKS_TAB = LineTab(key="blocks", title=gettext_lazy("Blocks"), template="accounts/tabs/blocks.html",
                     context=_blocks_tab_context, order=0)


def login_required_htmx(view):
    """Like login_required, but an htmx request after the idle timeout sends the whole page to the login form
    (instead of swapping the login page into a tab)."""
    protected = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and getattr(request, "htmx", False):
            next_url = request.htmx.current_url_abs_path or "/"
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_url})}"
            return response
        return protected(request, *args, **kwargs)

    return wrapper


def _is_supervisor(user) -> bool:
    return bool(user.is_superuser or user.has_perm("accounts.block_any_reason"))


# Search ---------------------------------------------------------------------------------------------------------


@login_required
@permission_required("accounts.view_line", raise_exception=True)
@replica_reads  # issue 14: reads from the replica until the first write
def search(request):
    query = request.GET.get("q", "")
    result = selectors.search(query)
    filterset = LineResultFilter(request.GET or None, queryset=result.lines)
    if filterset.is_bound and not filterset.is_valid():
        lines = []
    else:
        lines = list(filterset.qs[: SEARCH_LIMIT + 1])
    for row in lines:  # the reason of the latest open block, as a label (the row has its code)
        reason = getattr(row, "open_block_reason", None)
        row.open_block_reason_label = Block.Reason(reason).label if reason in Block.Reason.values else ""
    customers = list(result.customers[: SEARCH_LIMIT + 1])
    if not result.error and not filterset.is_filtering:
        line = result.single_line(lines=lines, customers=customers, complete=len(customers) <= SEARCH_LIMIT)
        if line is not None:
            return redirect("accounts:line_detail", pk=line.pk)
    return render(request, "accounts/search.html", {
        "result": result,
        "search_query": result.query,
        "filter": filterset,
        "lines": lines[:SEARCH_LIMIT],
        "lines_truncated": len(lines) > SEARCH_LIMIT,
        "customers": customers[:SEARCH_LIMIT],
        "customers_truncated": len(customers) > SEARCH_LIMIT,
        "limit": SEARCH_LIMIT,
    })


# Customer -------------------------------------------------------------------------------------------------------


def _get_customer(pk) -> Customer:
    try:
        return selectors.customer_detail(pk)
    except Customer.DoesNotExist:
        raise Http404 from None


@login_required
@permission_required("accounts.view_customer", raise_exception=True)
@replica_reads  # issue 14: reads from the replica until the first write
def customer_detail(request, pk):
    customer = _get_customer(pk)
    access_log_record(actor=request.user, customer_id=customer.pk, kind=AccessLog.Kind.CUSTOMER_PAGE)
    return _customer_page(request, customer)


def _customer_page(request, customer, revealed: str = ""):
    accounts = list(selectors.customer_accounts(customer))
    lines = list(selectors.customer_lines(customer))
    by_account = {account.pk: [] for account in accounts}
    prepaid = []
    for line in lines:
        if line.billing_account_id in by_account:
            by_account[line.billing_account_id].append(line)
        else:
            prepaid.append(line)
    return render(request, "accounts/customer_detail.html", {
        "customer": customer,
        "accounts": [(account, by_account[account.pk]) for account in accounts],
        "prepaid_lines": prepaid,
        "line_total": len(lines),
        "timeline": timeline_describe(selectors.customer_timeline(customer)),
        "is_supervisor_user": _is_supervisor(request.user),
        "revealed": revealed,
        **_reveal_context(request, customer),
    })


def _reveal_context(request, customer) -> dict:
    """The NIK reveal needs a passed identity check (ACC-10): without one it is shown disabled, with the link."""
    verdict = identity_check_verdict(customer_id=customer.pk, actor=request.user)
    return {"reveal_verdict": verdict,
            "identity_check_url": identity_check_url(customer.pk, reverse("accounts:customer_detail",
                                                                          args=[customer.pk]))}


@login_required_htmx
@permission_required("accounts.reveal_identity", raise_exception=True)
@require_POST
def customer_identity(request, pk):
    """Show the full document number; the look is audited by the service."""
    customer = _get_customer(pk)
    reason = request.POST.get("reason", "").strip()
    if not identity_check_verdict(customer_id=customer.pk, actor=request.user).allowed or not reason:
        context = {"customer": customer, "reveal_error": "" if reason else _("Say why the number is needed."),
                   **_reveal_context(request, customer)}
        if request.htmx:
            return render(request, "accounts/_identity.html", context)
        return _customer_page(request, customer)
    number = services.customer_reveal_identity(customer=customer, actor=request.user, reason=reason)
    access_log_record(actor=request.user, customer_id=customer.pk, kind=AccessLog.Kind.IDENTITY_REVEALED)
    if request.htmx:
        return render(request, "accounts/_identity.html", {"customer": customer, "revealed": number})
    return _customer_page(request, customer, revealed=number)


@login_required
@permission_required("accounts.add_customer", raise_exception=True)
def customer_register(request):
    form = CustomerRegisterForm(request.POST or None)
    done = action_submit(request, form, lambda data: services.customer_register(
        actor=request.user, **{key: value for key, value in data.items() if key != "confirm"}))
    if done:
        messages.success(request, _("Customer %(name)s registered.") % {"name": done.result.full_name})
        return action_done(customer=done.result)
    return action_render(request, form=form, title=_("Register a customer"))


@login_required
def customer_verification(request, pk):
    """Supervisors set the result of the identity verification."""
    if not _is_supervisor(request.user):
        raise PermissionDenied
    customer = _get_customer(pk)
    form = VerificationForm(request.POST or None, initial={"status": customer.verification})
    if action_submit(request, form, lambda data: services.customer_set_verification(
            customer=customer, status=data["status"], actor=request.user, reason=data["reason"])):
        messages.success(request, _("Verification status saved."))
        return action_done(customer=customer)
    return action_render(request, form=form, title=_("Set the verification status"), customer=customer)


@login_required
@permission_required("accounts.add_billingaccount", raise_exception=True)
def account_open(request, pk):
    customer = _get_customer(pk)
    form = BillingAccountOpenForm(request.POST or None)
    done = action_submit(request, form, lambda data: services.billing_account_open(
        customer=customer, payment_method=data["payment_method"], bill_cycle_day=data["bill_cycle_day"],
        actor=request.user))
    if done:
        messages.success(request, _("Billing account %(number)s opened.") % {"number": done.result.number})
        return action_done(customer=customer)
    return action_render(request, form=form, title=_("Open a billing account"), customer=customer)


def _lifecycle_page(request, *, form, title, verdict, preview_url="", line=None, customer=None, danger=False,
                    intro=""):
    """An action page of a line's life: the apps' notes and refusals (a Verdict) are shown before submitting, and
    again as the agent changes the form (htmx, `preview_url`)."""
    return action_render(request, form=form, title=title, line=line, customer=customer, verdict=verdict,
                         danger=danger, intro=intro, template="accounts/lifecycle_action.html",
                         preview_url=preview_url)


def _activation_verdict(customer, form):
    kind = form.data.get("kind") or Line.Kind.PREPAID
    account = None
    if kind == Line.Kind.POSTPAID:
        account_id = form.data.get("billing_account")
        account = form.fields["billing_account"].queryset.filter(pk=account_id).first() if str(
            account_id or "").isdigit() else None
        if account is None:
            account = form.fields["billing_account"].queryset.first()
    return services.activation_eligibility(customer=customer, kind=kind, billing_account=account,
                                           params=form.preview_params())


@login_required
@permission_required("accounts.add_line", raise_exception=True)
def line_activate(request, pk):
    """ACC-08, LIM-12: a postpaid line with its package and initial limit; the suggestion and range are shown."""
    customer = _get_customer(pk)
    form = LineActivateForm(request.POST or None, customer=customer)
    done = action_submit(request, form, lambda data: services.line_activate(
        customer=customer, msisdn=data["msisdn"], iccid=data["iccid"], imsi=data["imsi"], kind=data["kind"],
        billing_account=data["billing_account"], actor=request.user, params=form.params))
    if done:
        messages.success(request, _("Line %(number)s activated.") % {"number": done.result.msisdn_national})
        return action_done(line=done.result)
    return _lifecycle_page(request, form=form, title=_("Activate a line"), customer=customer,
                           verdict=_activation_verdict(customer, form),
                           preview_url=reverse("accounts:line_activate_preview", args=[customer.pk]))


@login_required_htmx
@permission_required("accounts.add_line", raise_exception=True)
def line_activate_preview(request, pk):
    """The verdict box again as the agent changes the kind, account, package or limit (htmx)."""
    customer = _get_customer(pk)
    form = LineActivateForm(request.GET, customer=customer)
    return render(request, "accounts/_lifecycle_verdict.html", {"verdict": _activation_verdict(customer, form)})


# Line -----------------------------------------------------------------------------------------------------------


def _get_line(pk) -> Line:
    try:
        return selectors.line_detail(pk)
    except Line.DoesNotExist:
        raise Http404 from None


# The tabs accounts builds into the line page: Overview (what needs attention) first, then Blocks.
BUILT_IN_TABS = {OVERVIEW_TAB.key: OVERVIEW_TAB, BLOCKS_TAB.key: BLOCKS_TAB}


def _tabs_for(line) -> list[LineTab]:
    return [*BUILT_IN_TABS.values(), *line_tabs(line)]


def _can_lift(user, block: Block, supervisor: bool) -> bool:
    if block.permanent or block.reason in services.NOT_LIFTABLE_BY_HAND:
        return False
    return supervisor or block.reason not in services.SUPERVISOR_ONLY_REASONS


@login_required
@permission_required("accounts.view_line", raise_exception=True)
@replica_reads  # issue 14: reads from the replica until the first write
def line_detail(request, pk):
    line = _get_line(pk)
    access_log_record(actor=request.user, customer_id=line.customer_id, line_id=line.pk, kind=AccessLog.Kind.LINE_PAGE)
    supervisor = _is_supervisor(request.user)
    for block in line.open_blocks:
        block.liftable = _can_lift(request.user, block, supervisor)
    in_service = line.status in (Line.Status.ACTIVE, Line.Status.INACTIVE)
    tabs = _tabs_for(line)
    # After an action the page opens on that action's tab (`?tab=`); otherwise on the first.
    keys = [tab.key for tab in tabs]
    active_tab = request.GET.get("tab") if request.GET.get("tab") in keys else keys[0]
    # The customer 360 header: each app's facts, a fixed number of indexed queries per app (core.header).
    facts = line_header_facts(line, local_today())
    return render(request, "accounts/line_detail.html", {
        "header_facts": facts,
        "header_alarms": header_alarms(facts),
        "line": line,
        "customer": line.customer,
        "tabs": tabs,
        "active_tab": active_tab,
        "timeline": timeline_describe(selectors.line_timeline(line)),
        "account_line_count": selectors.account_line_count(line),
        "in_service": in_service,
        "can_block": in_service and request.user.has_perm("accounts.add_block"),
        "can_unblock": request.user.has_perm("accounts.change_block"),
        "can_transfer": line.status == Line.Status.ACTIVE and request.user.has_perm("accounts.add_transferapproval"),
        "can_change_line": line.status == Line.Status.ACTIVE and request.user.has_perm("accounts.change_line"),
    })


@login_required_htmx
@permission_required("accounts.view_line", raise_exception=True)
@replica_reads  # issue 14: reads from the replica until the first write
def line_tab_view(request, pk, key):
    """One tab body for the line page, loaded with htmx. 404 for a tab that does not exist or does not apply."""
    line = get_object_or_404(Line.objects.select_related("customer", "billing_account"), pk=pk)
    tab = BUILT_IN_TABS.get(key) or line_tab(key)
    if tab is None or not tab.applies(line):
        raise Http404
    context = {"line": line, "tab": tab}
    context.update(tab.context(request, line) or {})
    return render(request, tab.template, context)


@login_required
@permission_required("accounts.add_block", raise_exception=True)
def line_block(request, pk):
    line = _get_line(pk)
    supervisor = _is_supervisor(request.user)
    form = BlockForm(request.POST or None, supervisor=supervisor)
    done = action_submit(request, form, lambda data: services.line_block(
        line=line, reason=data["reason"], scope=data["scope"], note=data["note"], reference=data["reference"],
        permanent=data.get("permanent", False), actor=request.user))
    if done:
        messages.success(request, _("Line %(number)s blocked: %(reason)s.") % {
            "number": line.msisdn_national, "reason": done.result.get_reason_display()})
        return action_done(line=line, tab=BLOCKS_TAB.key)
    return action_render(request, form=form, title=_("Block the line"), line=line, danger=True,
                         cancel_tab=BLOCKS_TAB.key)


@login_required
@permission_required("accounts.change_block", raise_exception=True)
def line_unblock(request, pk, block_id):
    block = get_object_or_404(Block.objects.select_related("line"), pk=block_id, line_id=pk)
    line = _get_line(pk)
    form = UnblockForm(request.POST or None)
    if block.ended_at is not None:
        messages.info(request, _("This block was already lifted."))
        return redirect("accounts:line_detail", pk=pk)
    if action_submit(request, form, lambda data: services.line_unblock(block=block, actor=request.user,
                                                                      note=data["note"])):
        messages.success(request, _("Block lifted: %(reason)s.") % {"reason": block.get_reason_display()})
        return action_done(line=line, tab=BLOCKS_TAB.key)
    intro = _("Lift the block “%(reason)s” (since %(date)s).") % {
        "reason": block.get_reason_display(), "date": block.started_at.strftime("%d-%m-%Y")}
    return action_render(request, form=form, title=_("Lift a block"), line=line, intro=intro,
                         cancel_tab=BLOCKS_TAB.key)


@login_required
@permission_required("accounts.add_block", raise_exception=True)
def line_report_lost(request, pk):
    line = _get_line(pk)
    form = LostSimForm(request.POST or None)
    if action_submit(request, form, lambda data: services.line_report_lost(
            line=line, actor=request.user, statement_number=data["statement_number"],
            identity_copy_received=data["identity_copy_received"], note=data["note"])):
        messages.success(request, _("Lost SIM reported: line %(number)s is blocked.") % {
            "number": line.msisdn_national})
        return action_done(line=line, tab=BLOCKS_TAB.key)
    intro = _("The line is blocked at once. The customer stays liable for every charge made before now.")
    return action_render(request, form=form, title=_("Report a lost SIM"), line=line, danger=True, intro=intro,
                         cancel_tab=BLOCKS_TAB.key)


@login_required
@permission_required("accounts.add_transferapproval", raise_exception=True)
def line_transfer(request, pk):
    line = _get_line(pk)
    title = _("Approve a transfer to another customer")
    if gate := identity_gate(request, customer_id=line.customer_id, title=title, line=line):
        return gate
    form = TransferForm(request.POST or None, line=line)
    done = action_submit(request, form, lambda data: services.line_transfer(
        line=line, to_customer=data["to_customer"], to_billing_account=data.get("to_billing_account"),
        letter_number=data["letter_number"], reason=data["reason"], actor=request.user))
    if done:
        messages.success(request, _("Line %(number)s transferred to %(name)s.") % {
            "number": line.msisdn_national, "name": form.cleaned_data["to_customer"].full_name})
        return action_done(line=line)
    intro = _("The operator's written approval is recorded on the line.")  # ACC-06
    return action_render(request, form=form, title=_("Approve a transfer to another customer"), line=line,
                         danger=True, intro=intro)


def _active_line(pk) -> Line:
    line = _get_line(pk)
    if line.status != Line.Status.ACTIVE:
        raise Http404
    return line


@login_required
@permission_required("accounts.change_line", raise_exception=True)
def line_package_change(request, pk):
    """LIM-13: the new package applies from the next cycle start; the suggestion and range are shown again."""
    line = _active_line(pk)
    if line.kind != Line.Kind.POSTPAID:
        raise Http404
    form = PackageChangeForm(request.POST or None, kind=line.kind)
    if action_submit(request, form, lambda data: services.line_package_change(
            line=line, actor=request.user, channel=data["channel"], params=form.params, reason=data["reason"])):
        messages.success(request, _("Package change recorded: it applies from the next cycle start."))
        return action_done(line=line, tab="spending")
    verdict = services.package_change_eligibility(line=line, params=form.preview_params())
    return _lifecycle_page(request, form=form, title=_("Change the basic package"), line=line, verdict=verdict,
                           preview_url=reverse("accounts:line_package_preview", args=[line.pk]))


@login_required_htmx
@permission_required("accounts.change_line", raise_exception=True)
def line_package_preview(request, pk):
    line = _active_line(pk)
    form = PackageChangeForm(request.GET, kind=line.kind)
    verdict = services.package_change_eligibility(line=line, params=form.preview_params())
    return render(request, "accounts/_lifecycle_verdict.html", {"verdict": verdict})


@login_required
@permission_required("accounts.add_simchange", raise_exception=True)
def line_sim_replace(request, pk):
    """ACC-10: the identity check is recorded first (whatever its result), then the SIM is replaced."""
    line = _active_line(pk)
    form = SimReplaceForm(request.POST or None)

    def replace(data):
        # the check is its own record, kept even when the replacement is refused
        check = services.identity_check_record(line=line, method=data["method"], result=data["result"],
                                               actor=request.user, note=data["note"])
        return services.line_sim_replace(line=line, identity_check=check, new_iccid=data["new_iccid"],
                                         new_imsi=data["new_imsi"], reason=data["reason"], actor=request.user,
                                         params={"note": data["note"]})

    if action_submit(request, form, replace):
        messages.success(request, _("New SIM on the same number; the old SIM stopped working."))
        return action_done(line=line)
    verdict = services.sim_replace_eligibility(line=line, identity_check=None)
    verdict.reasons = [reason for reason in verdict.reasons if reason.code != "identity_check_required"]
    return _lifecycle_page(request, form=form, title=_("Replace the SIM"), line=line, verdict=verdict, danger=True,
                           intro=_("Check the customer's original identity document first; the check is recorded."))


@login_required
@permission_required("accounts.change_line", raise_exception=True)
def line_terminate(request, pk):
    """ACC-09, BIL-07: every app ends today; what was owed stays owed; the number enters quarantine."""
    line = _active_line(pk)
    if line.kind != Line.Kind.POSTPAID:
        raise Http404
    if gate := identity_gate(request, customer_id=line.customer_id, title=_("Terminate the line"), line=line):
        return gate
    form = TerminateForm(request.POST or None)
    if action_submit(request, form, lambda data: services.line_terminate(
            line=line, request_reference=data["request_reference"], reason=data["reason"], actor=request.user)):
        messages.success(request, _("Line %(number)s terminated; the number is in quarantine.")
                         % {"number": line.msisdn_national})
        return action_done(line=line)
    return _lifecycle_page(request, form=form, title=_("Terminate the line"), line=line, danger=True,
                           verdict=services.termination_eligibility(line=line))
