"""Reads of the counter: queue positions and the outlets' figures of the day (one grouped query each)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Outlet
from core.dates import local_today
from core.models import AuditEvent
from core.parameters import parameter
from visits.models import Reason, Ticket, Visit

WAITING = (Ticket.Status.WAITING, Ticket.Status.TRANSFERRED)
# Without a finished visit today, a wait is estimated with this service time per customer ahead.
DEFAULT_SERVICE_TIME = dt.timedelta(minutes=5)


def _duration(end: str, start: str):
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def queue_position(ticket: Ticket) -> int:
    """1 for the next one called: the waiting tickets of the outlet issued before it, plus itself."""
    ahead = Ticket.objects.filter(outlet_id=ticket.outlet_id, service_day=ticket.service_day, status__in=WAITING,
                                  issued_at__lt=ticket.issued_at).count()
    return ahead + 1


def waiting_tickets(outlet_id: int, *, limit: int = 8, now: dt.datetime | None = None) -> list[Ticket]:
    """The next tickets of the outlet's queue today, in the order "Call next" takes them, each with `waited`."""
    now = now or timezone.now()
    tickets = list(Ticket.objects.filter(outlet_id=outlet_id, service_day=local_today(), status__in=WAITING)
                   .select_related("counter").order_by("issued_at", "id")[:limit])
    for ticket in tickets:
        ticket.waited = minutes(now - ticket.issued_at)
    return tickets


def waiting_count(outlet_id: int) -> int:
    return Ticket.objects.filter(outlet_id=outlet_id, service_day=local_today(), status__in=WAITING).count()


def estimated_wait(ticket: Ticket, *, position: int) -> dt.timedelta:
    """The people ahead × today's average service time at the outlet, shared by its staffed counters."""
    today = Ticket.objects.filter(outlet_id=ticket.outlet_id, service_day=ticket.service_day,
                                  status=Ticket.Status.DONE, served_at__isnull=False)
    average = today.aggregate(value=Avg(_duration("ended_at", "served_at")))["value"] or DEFAULT_SERVICE_TIME
    counters = max(ticket.outlet.counters.filter(is_active=True, staffed_by__isnull=False).count(), 1)
    return average * (position - 1) / counters


@dataclass
class OutletQueue:
    outlet: Outlet
    waiting: int = 0
    longest_wait: dt.timedelta | None = None
    average_wait: dt.timedelta | None = None
    average_service: dt.timedelta | None = None
    breaches: int = 0
    served: int = 0
    by_reason: list = field(default_factory=list)  # (label, count), every reason


def outlet_queues(*, outlets=None, now: dt.datetime | None = None) -> list[OutletQueue]:
    """Per outlet today: waiting now, the longest wait, average wait (called − issued) and service time (ended −
    served from), SLA breaches (waiting longer than `visit_wait_target_minutes`) and the tickets by reason."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    cutoff = now - dt.timedelta(minutes=parameter("visit_wait_target_minutes"))
    outlets = list(outlets if outlets is not None else Outlet.objects.filter(is_active=True).order_by("name"))
    tickets = Ticket.objects.filter(service_day=today, outlet__in=outlets)
    waiting = Q(status__in=WAITING)
    figures = {row["outlet"]: row for row in tickets.values("outlet").annotate(
        waiting=Count("id", filter=waiting),
        oldest=Min("issued_at", filter=waiting),
        average_wait=Avg(_duration("called_at", "issued_at"), filter=Q(called_at__isnull=False)),
        average_service=Avg(_duration("ended_at", "served_at"),
                            filter=Q(status=Ticket.Status.DONE, served_at__isnull=False)),
        breaches=Count("id", filter=waiting & Q(issued_at__lt=cutoff)),
        served=Count("id", filter=Q(status=Ticket.Status.DONE)),
    ).order_by()}
    reasons: dict[int, dict[str, int]] = {}
    for row in tickets.values("outlet", "reason").annotate(count=Count("id")).order_by():
        reasons.setdefault(row["outlet"], {})[row["reason"]] = row["count"]
    result = []
    for outlet in outlets:
        row = figures.get(outlet.pk, {})
        counts = reasons.get(outlet.pk, {})
        result.append(OutletQueue(
            outlet=outlet, waiting=row.get("waiting", 0),
            longest_wait=(now - row["oldest"]) if row.get("oldest") else None,
            average_wait=row.get("average_wait"), average_service=row.get("average_service"),
            breaches=row.get("breaches", 0), served=row.get("served", 0),
            by_reason=[(label, counts.get(code, 0)) for code, label in Reason.choices]))
    return result


def queues_total(queues: list[OutletQueue]) -> dict:
    """All outlets together, for the dashboard panel."""
    by_reason: dict = {}
    for queue in queues:
        for label, count in queue.by_reason:
            by_reason[label] = by_reason.get(label, 0) + count
    waits = [queue.longest_wait for queue in queues if queue.longest_wait is not None]
    return {"waiting": sum(queue.waiting for queue in queues), "breaches": sum(queue.breaches for queue in queues),
            "served": sum(queue.served for queue in queues), "longest_wait": max(waits) if waits else None,
            "by_reason": list(by_reason.items())}


def visit_events(visit: Visit):
    """The audit events written during the visit, oldest first (indexed on interaction_id)."""
    return AuditEvent.objects.filter(interaction_id=visit.pk).select_related("line").order_by("created_at", "id")


def minutes(value: dt.timedelta | None) -> str:
    """A duration as a person reads it on the queue page: "12 min" (— when there is none)."""
    if value is None:
        return "—"
    total = int(value.total_seconds())
    if total < 60:
        return gettext("%(seconds)s s") % {"seconds": total}
    return gettext("%(minutes)s min") % {"minutes": total // 60}
