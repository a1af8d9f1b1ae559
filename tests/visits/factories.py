"""Counters, tickets and an agent sitting at a counter, for the counter's tests."""

import contextlib
import datetime as dt

from django.utils import timezone

from tests.accounts.factories import AgentFactory, OutletFactory
from visits import services
from visits.models import Counter, Reason, Ticket


def counter_at(outlet, number: int = 1, agent=None) -> Counter:
    counter, _created = Counter.objects.get_or_create(outlet=outlet, number=number)
    if agent is not None:
        services.counter_take(agent=agent, counter=counter)
        counter.refresh_from_db()
    return counter


def seated_agent(outlet=None, number: int = 1, **kwargs):
    """An agent of `outlet` (a new one by default) sitting at counter `number`."""
    outlet = outlet or OutletFactory()
    agent = AgentFactory(**{"outlet": outlet, "language": "en", **kwargs})
    counter_at(outlet, number, agent=agent)
    return agent


def issue(outlet, reason: str = Reason.BILL_PAYMENT, *, minutes_ago: float | None = None, **kwargs) -> Ticket:
    """A kiosk ticket; `minutes_ago` moves its issue time back (the wait the customer has had)."""
    ticket = services.ticket_issue(outlet=outlet, reason=reason, channel=Ticket.Channel.KIOSK, **kwargs)
    if minutes_ago is not None:
        ticket.issued_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
        Ticket.objects.filter(pk=ticket.pk).update(issued_at=ticket.issued_at)
    return ticket


@contextlib.contextmanager
def clock(monkeypatch, moment: str):
    """`timezone.now()` is `moment` (ISO, with its offset) inside the block."""
    frozen = dt.datetime.fromisoformat(moment)
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: frozen)
        yield frozen
