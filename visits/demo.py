"""Demo data for the counter: three counters at every demo outlet, the demo agent of the first outlet at counter 1,
and a few customers waiting there today, so that `make run` opens on a queue. Idempotent: an outlet that already has
tickets today gets none again."""

import random

from accounts.demo import OUTLETS
from accounts.models import Customer, Outlet, User
from core.dates import local_today
from visits.models import Counter, Reason, Ticket
from visits.services import ticket_issue

COUNTERS = 3
WAITING = [Reason.BILL_PAYMENT, Reason.SIM_REPLACEMENT, Reason.LIMIT_CHANGE, Reason.COMPLAINT, Reason.INFORMATION]


def seed_demo_data(*, rng: random.Random, stdout=None) -> None:
    outlets = list(Outlet.objects.filter(code__in=[row[0] for row in OUTLETS]).order_by("pk"))
    for outlet in outlets:
        for number in range(1, COUNTERS + 1):
            Counter.objects.get_or_create(outlet=outlet, number=number)
    if not outlets:
        return
    first = outlets[0]
    agent = User.objects.filter(username=f"agent.{first.code}").first()
    if agent is not None and not Counter.objects.filter(staffed_by=agent).exists():
        Counter.objects.filter(outlet=first, number=1, staffed_by__isnull=True).update(staffed_by=agent)
    if Ticket.objects.filter(outlet=first, service_day=local_today()).exists():
        return
    customers = list(Customer.objects.filter(registered_at=first).order_by("pk")[:20])
    for reason in WAITING:
        customer = rng.choice(customers) if customers and rng.random() < 0.6 else None
        ticket_issue(outlet=first, reason=reason, channel=Ticket.Channel.KIOSK, actor=None, actor_label="kiosk",
                     customer=customer)
    if stdout is not None:
        stdout.write(f"visits: {len(outlets) * COUNTERS} counters, {len(WAITING)} tickets waiting at {first}")
