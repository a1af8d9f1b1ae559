"""The counter (the agent's home page), the kiosk and the supervisors' queue page. Thin: permission, form, one
service call, a message, a redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts.identity import identity_check_current
from accounts.models import Customer, Outlet
from accounts.views import login_required_htmx
from core.actions import refusal_to_messages
from core.audit import timeline_describe
from core.charts import bar_rows
from core.parameters import parameter
from core.verdicts import RuleViolation
from visits import selectors, services
from visits.forms import CounterChoiceForm, TicketIssueForm, TransferForm, wrap_up_formset
from visits.middleware import session_visit_set
from visits.models import Counter, Reason, Ticket, Visit

CUSTOMER_RESULTS = 10


def _works_at_the_counter(user) -> bool:
    """Agents of an outlet; a supervisor only while seated at a counter (their own start page stays theirs)."""
    if not (user.outlet_id and user.has_perm("visits.add_visit")):
        return False
    return not user.is_supervisor or Counter.objects.filter(staffed_by=user).exists()


@login_required
def home(request):
    """An agent with an outlet (or a supervisor seated at a counter) works at the counter; other supervisors start on
    their dashboard; everybody else at the search."""
    if _works_at_the_counter(request.user):
        return counter(request)
    if request.user.is_supervisor:
        return redirect("core:dashboard")
    return redirect("accounts:search")


def _customers_for(query: str) -> tuple[list, str]:
    """The customers a search for this visit finds (by number, NIK, account or name)."""
    if not query.strip():
        return [], ""
    result = account_selectors.search(query)
    if result.error:
        return [], result.error
    found = {customer.pk: customer for customer in result.customers[:CUSTOMER_RESULTS]}
    for line in result.lines.select_related("customer")[:CUSTOMER_RESULTS]:
        found.setdefault(line.customer_id, line.customer)
    return list(found.values())[:CUSTOMER_RESULTS], ""


@login_required
@permission_required("visits.add_visit", raise_exception=True)
def counter(request):
    user = request.user
    if not user.outlet_id:
        raise PermissionDenied
    visit = services.open_visit(user)
    session_visit_set(request, visit)  # the session follows the database (another tab, a new log-in)
    request._visit_banner = visit
    my_counter = Counter.objects.filter(staffed_by=user).first()
    context = {
        "counter": my_counter,
        "counter_form": None if my_counter else CounterChoiceForm(outlet_id=user.outlet_id),
        "visit": visit,
        "waiting": selectors.waiting_count(user.outlet_id),
        "queue": [] if visit else selectors.waiting_tickets(user.outlet_id),
        "issue_form": TicketIssueForm(),
        "now": timezone.now(),
    }
    if visit is not None:
        query = request.GET.get("customer_q", "")
        customers, search_error = _customers_for(query) if visit.customer_id is None else ([], "")
        check = identity_check_current(customer_id=visit.customer_id, actor=user) if visit.customer_id else None
        context.update({
            "customer_q": query, "customers": customers, "search_error": search_error,
            "identity_check": check,
            "wrap_up": wrap_up_formset(customer=visit.customer, initial_reason=visit.ticket.reason),
            "transfer_form": TransferForm(visit=visit),
            "wait": selectors.minutes(visit.ticket.wait_time),
            "customer_lines": list(visit.customer.lines.order_by("msisdn")) if visit.customer_id else [],
        })
    return render(request, "visits/counter.html", context)


@login_required
@permission_required("visits.add_visit", raise_exception=True)
@require_POST
def counter_take(request):
    form = CounterChoiceForm(request.POST, outlet_id=request.user.outlet_id)
    if form.is_valid():
        try:
            taken = services.counter_take(agent=request.user, counter=form.cleaned_data["counter"])
            messages.success(request, _("You are at %(counter)s.") % {"counter": taken})
        except RuleViolation as exc:
            refusal_to_messages(request, exc)
    else:
        messages.error(request, _("Choose your counter."))
    return redirect("visits:counter")


@login_required
@permission_required("visits.add_visit", raise_exception=True)
@require_POST
def call_next(request):
    try:
        visit = services.call_next(agent=request.user)
    except RuleViolation as exc:
        refusal_to_messages(request, exc)
    else:
        session_visit_set(request, visit)
        messages.success(request, _("Ticket %(number)s called to %(counter)s.") % {
            "number": visit.ticket.number, "counter": visit.counter})
    return redirect("visits:counter")


def _my_open_visit(request, pk) -> Visit:
    visit = get_object_or_404(Visit.objects.select_related("ticket", "counter", "customer"), pk=pk)
    if visit.agent_id != request.user.pk:
        raise PermissionDenied
    return visit


@login_required
@permission_required("visits.change_visit", raise_exception=True)
@require_POST
def visit_identify(request, pk):
    visit = _my_open_visit(request, pk)
    customer = get_object_or_404(Customer, pk=request.POST.get("customer") or 0)
    try:
        services.visit_identify(visit=visit, customer=customer, agent=request.user)
        messages.success(request, _("%(name)s is at the counter.") % {"name": customer.full_name})
    except RuleViolation as exc:
        refusal_to_messages(request, exc)
    return redirect("visits:counter")


@login_required
@permission_required("visits.change_visit", raise_exception=True)
@require_POST
def visit_no_show(request, pk):
    visit = _my_open_visit(request, pk)
    try:
        visit = services.visit_no_show(visit=visit, agent=request.user)
        session_visit_set(request, visit)
        messages.success(request, _("Ticket %(number)s did not come.") % {"number": visit.ticket.number})
    except RuleViolation as exc:
        refusal_to_messages(request, exc)
    return redirect("visits:counter")


@login_required
@permission_required("visits.change_visit", raise_exception=True)
@require_POST
def visit_transfer(request, pk):
    visit = _my_open_visit(request, pk)
    form = TransferForm(request.POST, visit=visit)
    if not form.is_valid():
        messages.error(request, _("Choose the counter to transfer to."))
        return redirect("visits:counter")
    try:
        visit = services.visit_transfer(visit=visit, counter=form.cleaned_data["counter"], agent=request.user,
                                        note=form.cleaned_data["note"])
        session_visit_set(request, visit)
        messages.success(request, _("Ticket %(number)s waits for %(counter)s.") % {
            "number": visit.ticket.number, "counter": form.cleaned_data["counter"]})
    except RuleViolation as exc:
        refusal_to_messages(request, exc)
    return redirect("visits:counter")


@login_required
@permission_required("visits.add_wrapupitem", raise_exception=True)
def visit_wrap_up(request, pk):
    """The wrap-up (a formset of items); the visit ends when it is complete."""
    visit = _my_open_visit(request, pk)
    if visit.ended_at is not None:
        return redirect("visits:visit_detail", pk=visit.pk)
    formset = wrap_up_formset(request.POST or None, customer=visit.customer, initial_reason=visit.ticket.reason)
    if request.method == "POST" and formset.is_valid():
        try:
            visit = services.wrap_up(visit=visit, items=[form.item() for form in formset], agent=request.user)
        except RuleViolation as exc:
            for message in exc.messages:
                formset._non_form_errors = formset.error_class([*formset.non_form_errors(), message])
        else:
            session_visit_set(request, visit)
            messages.success(request, _("Visit %(number)s wrapped up.") % {"number": visit.ticket.number})
            return redirect("visits:counter")
    return render(request, "visits/wrap_up.html", {"visit": visit, "wrap_up": formset})


@login_required
@permission_required("visits.view_visit", raise_exception=True)
def visit_detail(request, pk):
    visit = get_object_or_404(Visit.objects.select_related("ticket", "counter", "customer", "agent"), pk=pk)
    if visit.agent_id != request.user.pk and not request.user.has_perm("visits.view_queues"):
        raise PermissionDenied
    return render(request, "visits/visit_detail.html", {
        "visit": visit, "ticket": visit.ticket,
        "items": visit.wrap_up_items.select_related("line", "bill", "claim", "card"),
        "events": timeline_describe(selectors.visit_events(visit)),
        "wait": selectors.minutes(visit.ticket.wait_time), "service": selectors.minutes(visit.ticket.service_time),
    })


@login_required
@permission_required("visits.add_ticket", raise_exception=True)
@require_POST
def ticket_issue(request):
    """The agent issues a ticket for a customer who came to the counter without one."""
    if not request.user.outlet_id:
        raise PermissionDenied
    form = TicketIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the customer came."))
        return redirect("visits:counter")
    try:
        ticket = services.ticket_issue(outlet=request.user.outlet, reason=form.cleaned_data["reason"],
                                       channel=Ticket.Channel.AGENT, actor=request.user,
                                       msisdn=form.cleaned_data["msisdn"])
        messages.success(request, _("Ticket %(number)s issued.") % {"number": ticket.number})
    except RuleViolation as exc:
        refusal_to_messages(request, exc)
    return redirect("visits:counter")


@login_required
@permission_required("visits.add_ticket", raise_exception=True)
def kiosk(request, outlet):
    """The outlet's kiosk: the customer chooses why they came and gets a number."""
    outlet = get_object_or_404(Outlet, code=outlet, is_active=True)
    if request.user.outlet_id not in (None, outlet.pk) and not request.user.has_perm("visits.view_queues"):
        raise PermissionDenied  # an agent issues tickets at their own outlet only
    ticket = None
    form = TicketIssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_issue(outlet=outlet, reason=form.cleaned_data["reason"],
                                           channel=Ticket.Channel.KIOSK, actor=request.user,
                                           msisdn=form.cleaned_data["msisdn"])
        except RuleViolation as exc:
            form.add_error(None, "; ".join(exc.messages))
    ahead = selectors.queue_position(ticket) - 1 if ticket else selectors.waiting_count(outlet.pk)
    return render(request, "visits/kiosk.html", {
        "outlet": outlet, "form": form, "ticket": ticket, "ahead": ahead, "reasons": Reason.choices})


def _queues_context():
    queues = selectors.outlet_queues()
    return {
        "queues": [{
            "queue": queue, "longest": selectors.minutes(queue.longest_wait),
            "average_wait": selectors.minutes(queue.average_wait),
            "average_service": selectors.minutes(queue.average_service),
            "reason_rows": bar_rows(queue.by_reason),
        } for queue in queues],
        "target": parameter("visit_wait_target_minutes"),
    }


@login_required
@permission_required("visits.view_queues", raise_exception=True)
def queues(request):
    return render(request, "visits/queues.html", _queues_context())


@login_required_htmx
@permission_required("visits.view_queues", raise_exception=True)
def queues_live(request):
    """The figures again every 15 s (htmx)."""
    if not request.htmx:
        raise Http404
    return render(request, "visits/_queues.html", _queues_context())
