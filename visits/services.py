"""Every write of the counter: issue a ticket, sit at a counter, call the next ticket, identify the customer,
no-show, transfer, wrap up. One transaction each, audited (ACC-07); refusals are RuleViolations to read out.

Lock order: the outlet row (ticket numbers) → tickets (SKIP LOCKED) → the visit.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Customer, Line, Outlet
from core.audit import audit_record
from core.dates import local_today
from core.identifiers import normalize_msisdn
from core.models import Channel
from core.verdicts import RuleViolation, require
from visits.models import REASON_LETTERS, Counter, Reason, Ticket, Visit, WrapUpItem

WAITING = (Ticket.Status.WAITING, Ticket.Status.TRANSFERRED)
# Resolutions whose note says what happens next: without it the wrap-up is not complete.
NOTE_REQUIRED = {WrapUpItem.Resolution.REFUSED, WrapUpItem.Resolution.REFERRED, WrapUpItem.Resolution.FOLLOW_UP}
CHANNELS = {Ticket.Channel.KIOSK: Channel.GRAPARI, Ticket.Channel.AGENT: Channel.GRAPARI,
            Ticket.Channel.APP: Channel.APP}


def ticket_issue(*, outlet: Outlet, reason: str, channel: str, actor=None, actor_label: str = "", msisdn: str = "",
                 customer: Customer | None = None) -> Ticket:
    """A queue number for today at the outlet ("A017"); kiosk, agent or the app (API)."""
    require(reason in Reason.values, "invalid_reason", _("Choose why the customer came."))
    require(channel in Ticket.Channel.values, "invalid_channel", _("Choose where the ticket was issued."))
    require(outlet.is_active, "outlet_closed", _("This outlet is closed: no tickets are issued."))
    if msisdn:
        try:
            msisdn = normalize_msisdn(msisdn)
        except ValidationError as error:
            raise RuleViolation.single("invalid_msisdn", " ".join(error.messages)) from None
    today, now = local_today(), timezone.now()
    with transaction.atomic():
        # The outlet row serialises the day's numbers (no key: tickets may still reference it meanwhile).
        Outlet.objects.select_for_update(no_key=True).filter(pk=outlet.pk).first()
        last = (Ticket.objects.filter(outlet=outlet, service_day=today).order_by("-sequence")
                .values_list("sequence", flat=True).first()) or 0
        sequence = last + 1
        ticket = Ticket.objects.create(
            outlet=outlet, service_day=today, sequence=sequence, number=f"{REASON_LETTERS[reason]}{sequence:03d}",
            reason=reason, channel=channel, msisdn=msisdn, customer=customer, issued_at=now)
        audit_record(actor=actor, actor_label=actor_label, channel=CHANNELS[channel], verb="visit.ticket_issued",
                     subject=ticket, outlet=outlet, customer=customer,
                     new={"number": ticket.number, "reason": reason, "channel": channel})
    return ticket


def counter_take(*, agent, counter: Counter) -> Counter:
    """The agent sits at a counter of their outlet (leaving the one they sat at)."""
    require(counter.outlet_id == agent.outlet_id, "other_outlet", _("This counter is at another outlet."))
    require(counter.is_active, "counter_closed", _("This counter is closed."))
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(pk=counter.pk)
        if counter.staffed_by_id not in (None, agent.pk):
            raise RuleViolation.single("counter_taken", _("%(counter)s is taken by %(agent)s.") % {
                "counter": counter, "agent": counter.staffed_by.get_username()})
        Counter.objects.filter(staffed_by=agent).exclude(pk=counter.pk).update(staffed_by=None)
        counter.staffed_by = agent
        counter.save(update_fields=["staffed_by"])
        audit_record(actor=agent, verb="visit.counter_taken", subject=counter, new={"counter": counter.number})
    return counter


def open_visit(agent) -> Visit | None:
    return (Visit.objects.select_related("ticket", "counter", "customer")
            .filter(agent=agent, ended_at__isnull=True).first())


def _unfinished(visit: Visit) -> RuleViolation:
    return RuleViolation.single("wrap_up_pending", _("Finish the wrap-up of ticket %(number)s first.")
                                % {"number": visit.ticket.number})


def call_next(*, agent) -> Visit:
    """The oldest waiting ticket of the agent's outlet (for any counter, or transferred to the agent's), as a new
    visit. Refused while the agent has a visit not wrapped up. `SKIP LOCKED`: two agents never get the same ticket."""
    require(agent.outlet_id is not None, "no_outlet", _("You are not assigned to an outlet."))
    counter = Counter.objects.filter(staffed_by=agent).first()
    require(counter is not None, "no_counter", _("Choose your counter first."))
    pending = open_visit(agent)
    if pending is not None:
        raise _unfinished(pending)
    now = timezone.now()
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(skip_locked=True)
                  .filter(outlet_id=agent.outlet_id, service_day=local_today())
                  .filter(waiting_for(counter))
                  .order_by("issued_at", "id").first())
        require(ticket is not None, "queue_empty", _("Nobody is waiting."))
        try:
            with transaction.atomic():
                visit = Visit.objects.create(ticket=ticket, agent=agent, counter=counter, customer=ticket.customer,
                                             started_at=now)
        except IntegrityError:  # the agent's other tab called a ticket meanwhile
            raise _unfinished(open_visit(agent)) from None
        ticket.status = Ticket.Status.CALLED
        ticket.counter = counter
        ticket.called_at = ticket.called_at or now  # the wait is to the first call
        ticket.save(update_fields=["status", "counter", "called_at"])
        audit_record(actor=agent, verb="visit.called", subject=ticket, customer=ticket.customer,
                     interaction_id=visit.pk,
                     new={"number": ticket.number, "counter": counter.number,
                          "wait_seconds": int((ticket.called_at - ticket.issued_at).total_seconds())})
    return visit


def waiting_for(counter: Counter) -> Q:
    """Tickets for any counter, and those transferred to this one."""
    return Q(status=Ticket.Status.WAITING) | Q(status=Ticket.Status.TRANSFERRED, counter=counter)


def _lock_open(visit: Visit, agent) -> Visit:
    visit = Visit.objects.select_for_update().select_related("ticket").get(pk=visit.pk)
    require(visit.agent_id == agent.pk, "not_yours", _("This visit is another agent's."))
    require(visit.ended_at is None, "visit_ended", _("This visit has already ended."))
    return visit


def visit_identify(*, visit: Visit, customer: Customer, agent) -> Visit:
    """The customer at the counter is found: the visit (and its ticket) are theirs, and service starts."""
    with transaction.atomic():
        visit = _lock_open(visit, agent)
        ticket = Ticket.objects.select_for_update().get(pk=visit.ticket_id)
        old = visit.customer_id
        visit.customer = customer
        visit.save(update_fields=["customer"])
        ticket.customer = customer
        ticket.status = Ticket.Status.SERVING
        ticket.served_at = ticket.served_at or timezone.now()
        ticket.save(update_fields=["customer", "status", "served_at"])
        audit_record(actor=agent, verb="visit.customer_identified", subject=visit, customer=customer,
                     interaction_id=visit.pk, old={"customer": old}, new={"customer": customer.pk})
    return visit


def visit_serve(*, visit: Visit, agent) -> Visit:
    """Service starts without identifying anyone (information, a question at the counter)."""
    with transaction.atomic():
        visit = _lock_open(visit, agent)
        ticket = Ticket.objects.select_for_update().get(pk=visit.ticket_id)
        if ticket.served_at is None:
            ticket.status = Ticket.Status.SERVING
            ticket.served_at = timezone.now()
            ticket.save(update_fields=["status", "served_at"])
            audit_record(actor=agent, verb="visit.serving", subject=visit, customer=visit.customer,
                         interaction_id=visit.pk)
    return visit


def _end(visit: Visit, *, outcome: str, now: dt.datetime) -> None:
    visit.ended_at = now
    visit.outcome = outcome
    visit.save(update_fields=["ended_at", "outcome"])


def visit_no_show(*, visit: Visit, agent) -> Visit:
    """The called customer did not come to the counter: the ticket ends, the agent may call the next."""
    now = timezone.now()
    with transaction.atomic():
        visit = _lock_open(visit, agent)
        ticket = Ticket.objects.select_for_update().get(pk=visit.ticket_id)
        require(ticket.served_at is None, "already_serving",
                _("The customer is being served: wrap the visit up instead."))
        ticket.status = Ticket.Status.NO_SHOW
        ticket.ended_at = now
        ticket.save(update_fields=["status", "ended_at"])
        _end(visit, outcome=Visit.Outcome.NO_SHOW, now=now)
        audit_record(actor=agent, verb="visit.no_show", subject=ticket, customer=ticket.customer,
                     interaction_id=visit.pk, new={"number": ticket.number})
    return visit


def visit_transfer(*, visit: Visit, counter: Counter, agent, note: str = "") -> Visit:
    """The ticket goes back to the queue for another counter, ahead of the tickets issued after it."""
    require(counter.outlet_id == visit.counter.outlet_id, "other_outlet", _("This counter is at another outlet."))
    require(counter.pk != visit.counter_id, "same_counter", _("Choose another counter."))
    require(counter.is_active, "counter_closed", _("This counter is closed."))
    now = timezone.now()
    with transaction.atomic():
        visit = _lock_open(visit, agent)
        ticket = Ticket.objects.select_for_update().get(pk=visit.ticket_id)
        ticket.status = Ticket.Status.TRANSFERRED
        ticket.counter = counter
        ticket.save(update_fields=["status", "counter"])
        _end(visit, outcome=Visit.Outcome.TRANSFERRED, now=now)
        audit_record(actor=agent, verb="visit.transferred", subject=ticket, customer=ticket.customer,
                     interaction_id=visit.pk, reason=note.strip()[:500],
                     old={"counter": visit.counter.number}, new={"counter": counter.number})
    return visit


def wrap_up(*, visit: Visit, items: list[dict], agent) -> Visit:
    """Record what was done (one item or more: reason, resolution, note, the related line, bill, claim or card);
    the visit ends when the wrap-up is complete: at least one item, each with a resolution and, when it says what
    happens next (refused, referred, follow-up), a note."""
    items = [item for item in items if item]
    require(bool(items), "wrap_up_empty", _("Add at least one item to the wrap-up."))
    for item in items:
        require(item.get("reason") in Reason.values, "invalid_reason", _("Choose the reason of every item."))
        require(item.get("resolution") in WrapUpItem.Resolution.values, "invalid_resolution",
                _("Choose how every item ended."))
        if item["resolution"] in NOTE_REQUIRED:
            require(bool((item.get("note") or "").strip()), "note_required",
                    _("Say what happens next for “%(resolution)s”.")
                    % {"resolution": WrapUpItem.Resolution(item["resolution"]).label})
        subjects = [key for key in ("line", "bill", "claim", "card") if item.get(key) is not None]
        require(len(subjects) <= 1, "one_subject", _("An item is about one line, bill, claim or card."))
    now = timezone.now()
    with transaction.atomic():
        visit = _lock_open(visit, agent)
        ticket = Ticket.objects.select_for_update().get(pk=visit.ticket_id)
        for item in items:
            _require_customers(visit, item)
        rows = WrapUpItem.objects.bulk_create([WrapUpItem(
            visit=visit, reason=item["reason"], resolution=item["resolution"], note=(item.get("note") or "").strip(),
            line=item.get("line"), bill=item.get("bill"), claim=item.get("claim"), card=item.get("card"),
            created_at=now) for item in items])
        ticket.status = Ticket.Status.DONE
        ticket.served_at = ticket.served_at or visit.started_at
        ticket.ended_at = now
        ticket.save(update_fields=["status", "served_at", "ended_at"])
        _end(visit, outcome=Visit.Outcome.WRAPPED_UP, now=now)
        audit_record(actor=agent, verb="visit.wrapped_up", subject=visit, customer=visit.customer,
                     interaction_id=visit.pk,
                     new={"number": ticket.number, "items": len(rows),
                          "reasons": sorted({row.reason for row in rows}),
                          "service_seconds": int((now - ticket.served_at).total_seconds())})
    return visit


def _require_customers(visit: Visit, item: dict) -> None:
    """A wrap-up item is about the visit's customer's own line, bill, claim or card."""
    if visit.customer_id is None:
        return
    owners = []
    if isinstance(item.get("line"), Line):
        owners.append(item["line"].customer_id)
    for key in ("claim", "card"):
        if item.get(key) is not None:
            owners.append(item[key].line.customer_id)
    if item.get("bill") is not None:
        owners.append(item["bill"].billing_account.customer_id)
    require(all(owner == visit.customer_id for owner in owners), "other_customer",
            _("An item is about this customer's own lines, bills, claims and cards."))
