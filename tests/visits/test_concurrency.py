"""Call next under concurrency (PostgreSQL, real transactions): `SELECT … FOR UPDATE SKIP LOCKED` gives every agent
a different ticket, and tickets issued at once get different numbers."""

import threading

import pytest
from django.db import connection

from tests.accounts.factories import OutletFactory
from tests.visits.factories import issue, seated_agent
from visits import services
from visits.models import Ticket, Visit

AGENTS = 6


def _together(targets):
    barrier, errors, results = threading.Barrier(len(targets)), [], []

    def run(target):
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agents_calling_next_at_once_never_get_the_same_ticket():
    # given: six agents at six counters, six customers waiting
    outlet = OutletFactory()
    agents = [seated_agent(outlet, number) for number in range(1, AGENTS + 1)]
    tickets = [issue(outlet, minutes_ago=AGENTS - index) for index in range(AGENTS)]
    # when: they all press "Call next" at the same moment
    errors, visits = _together([lambda agent=agent: services.call_next(agent=agent) for agent in agents])
    # then: each got one ticket, none got the same
    assert errors == []
    assert sorted(visit.ticket_id for visit in visits) == sorted(ticket.pk for ticket in tickets)
    assert Visit.objects.count() == AGENTS
    assert set(Ticket.objects.values_list("status", flat=True)) == {Ticket.Status.CALLED}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_more_agents_than_tickets_the_rest_hear_nobody_is_waiting():
    outlet = OutletFactory()
    agents = [seated_agent(outlet, number) for number in range(1, 5)]
    issue(outlet), issue(outlet)
    errors, visits = _together([lambda agent=agent: services.call_next(agent=agent) for agent in agents])
    assert len(visits) == 2 and len({visit.ticket_id for visit in visits}) == 2
    assert sorted(error.codes[0] for error in errors) == ["queue_empty", "queue_empty"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_tickets_issued_at_once_get_different_numbers():
    outlet = OutletFactory()
    errors, tickets = _together([lambda: issue(outlet) for _ in range(AGENTS)])
    assert errors == []
    assert sorted(ticket.sequence for ticket in tickets) == list(range(1, AGENTS + 1))
