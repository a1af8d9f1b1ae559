"""The counter's services at their boundaries: ticket numbers, call next (refused until the wrap-up is complete),
no-show, transfer order, wrap-up, wait and service times, and the visit carried by every audit event."""

import datetime as dt

import pytest

from accounts.services import line_block
from core.audit import current_interaction
from core.models import AuditEvent
from core.verdicts import RuleViolation
from tests.accounts.factories import AgentFactory, CustomerFactory, LineFactory, OutletFactory
from tests.visits.factories import clock, counter_at, issue, seated_agent
from visits import selectors, services
from visits.models import Reason, Ticket, Visit, WrapUpItem

pytestmark = pytest.mark.django_db

RESOLVED = {"reason": Reason.BILL_PAYMENT, "resolution": WrapUpItem.Resolution.RESOLVED}


def test_tickets_are_numbered_per_outlet_and_day_with_the_reason_letter():
    # given
    outlet, other = OutletFactory(), OutletFactory()
    # when
    first = issue(outlet, Reason.LOST_SIM)
    second = issue(outlet, Reason.BILL_PAYMENT)
    elsewhere = issue(other, Reason.INFORMATION)
    # then
    assert (first.number, second.number, elsewhere.number) == ("A001", "B002", "G001")
    event = AuditEvent.objects.get(verb="visit.ticket_issued", subject_id=str(first.pk))
    assert event.new == {"number": "A001", "reason": "lost_sim", "channel": "kiosk"}


def test_numbering_starts_again_the_next_day(monkeypatch):
    outlet = OutletFactory()
    with clock(monkeypatch, "2026-12-01 10:00:00+07:00"):
        issue(outlet)
        issue(outlet)
    with clock(monkeypatch, "2026-12-02 08:00:00+07:00"):
        ticket = issue(outlet)
    assert (ticket.number, ticket.service_day) == ("B001", dt.date(2026, 12, 2))


def test_a_ticket_with_an_unknown_reason_or_a_bad_number_is_refused_and_nothing_is_written():
    outlet = OutletFactory()
    with pytest.raises(RuleViolation) as refused:
        services.ticket_issue(outlet=outlet, reason="haircut", channel=Ticket.Channel.KIOSK)
    assert refused.value.codes == ["invalid_reason"]
    with pytest.raises(RuleViolation) as refused:
        services.ticket_issue(outlet=outlet, reason=Reason.COMPLAINT, channel=Ticket.Channel.KIOSK, msisdn="12345")
    assert refused.value.codes == ["invalid_msisdn"]
    assert not Ticket.objects.exists()


def test_call_next_gives_the_oldest_waiting_ticket_of_the_agents_outlet_and_opens_a_visit():
    # given
    agent = seated_agent()
    elsewhere = issue(OutletFactory(), minutes_ago=30)
    newer = issue(agent.outlet, minutes_ago=2)
    older = issue(agent.outlet, minutes_ago=9)
    # when
    visit = services.call_next(agent=agent)
    # then
    assert visit.ticket == older
    older.refresh_from_db()
    assert older.status == Ticket.Status.CALLED and older.counter == visit.counter
    assert dt.timedelta(minutes=9) <= older.wait_time < dt.timedelta(minutes=9, seconds=5)
    newer.refresh_from_db(), elsewhere.refresh_from_db()
    assert newer.status == elsewhere.status == Ticket.Status.WAITING
    event = AuditEvent.objects.get(verb="visit.called")
    assert event.interaction_id == visit.pk and event.new["number"] == older.number
    assert 540 <= event.new["wait_seconds"] < 545


def test_call_next_is_refused_until_the_wrap_up_is_complete():
    # given: a visit open, and another customer waiting
    agent = seated_agent()
    first = issue(agent.outlet)
    issue(agent.outlet)
    visit = services.call_next(agent=agent)
    # when / then: refused, naming the ticket to wrap up
    with pytest.raises(RuleViolation) as refused:
        services.call_next(agent=agent)
    assert refused.value.codes == ["wrap_up_pending"]
    assert refused.value.messages == [f"Finish the wrap-up of ticket {first.number} first."]
    # when: a wrap-up without items is not complete
    with pytest.raises(RuleViolation) as refused:
        services.wrap_up(visit=visit, items=[], agent=agent)
    assert refused.value.codes == ["wrap_up_empty"]
    # when: an item that needs a note has none
    with pytest.raises(RuleViolation) as refused:
        services.wrap_up(visit=visit, agent=agent, items=[
            RESOLVED, {"reason": Reason.COMPLAINT, "resolution": WrapUpItem.Resolution.FOLLOW_UP, "note": " "}])
    assert refused.value.codes == ["note_required"]
    assert not WrapUpItem.objects.exists()
    with pytest.raises(RuleViolation):
        services.call_next(agent=agent)
    # when: complete
    services.wrap_up(visit=visit, agent=agent, items=[
        RESOLVED, {"reason": Reason.COMPLAINT, "resolution": WrapUpItem.Resolution.FOLLOW_UP, "note": "Call back"}])
    # then: the visit ended and the next one may be called
    visit.refresh_from_db()
    assert visit.ended_at is not None and visit.outcome == Visit.Outcome.WRAPPED_UP
    assert visit.wrap_up_items.count() == 2
    assert services.call_next(agent=agent).ticket != first


def test_call_next_needs_a_counter_and_someone_waiting():
    agent = seated_agent()
    with pytest.raises(RuleViolation) as refused:
        services.call_next(agent=agent)
    assert refused.value.codes == ["queue_empty"]
    standing = AgentFactory(outlet=agent.outlet)
    issue(agent.outlet)
    with pytest.raises(RuleViolation) as refused:
        services.call_next(agent=standing)
    assert refused.value.codes == ["no_counter"]
    assert not Visit.objects.exists()


def test_a_counter_taken_by_another_agent_is_refused():
    agent = seated_agent()
    other = AgentFactory(outlet=agent.outlet)
    with pytest.raises(RuleViolation) as refused:
        services.counter_take(agent=other, counter=agent.counter)
    assert refused.value.codes == ["counter_taken"]


def test_no_show_ends_the_ticket_and_the_visit_in_one_action():
    agent = seated_agent()
    ticket = issue(agent.outlet)
    visit = services.call_next(agent=agent)
    services.visit_no_show(visit=visit, agent=agent)
    ticket.refresh_from_db(), visit.refresh_from_db()
    assert ticket.status == Ticket.Status.NO_SHOW and ticket.ended_at is not None
    assert visit.outcome == Visit.Outcome.NO_SHOW and visit.ended_at is not None
    assert AuditEvent.objects.get(verb="visit.no_show").interaction_id == visit.pk


def test_no_show_is_refused_once_the_customer_is_served():
    agent = seated_agent()
    issue(agent.outlet)
    visit = services.call_next(agent=agent)
    services.visit_identify(visit=visit, customer=CustomerFactory(), agent=agent)
    with pytest.raises(RuleViolation) as refused:
        services.visit_no_show(visit=visit, agent=agent)
    assert refused.value.codes == ["already_serving"]


def test_a_transferred_ticket_waits_for_that_counter_ahead_of_newer_tickets():
    # given: two agents at two counters; a ticket is transferred from counter 1 to counter 2
    outlet = OutletFactory()
    first_agent, second_agent = seated_agent(outlet, 1), seated_agent(outlet, 2)
    transferred = issue(outlet, minutes_ago=20)
    newer = issue(outlet, minutes_ago=5)
    visit = services.call_next(agent=first_agent)
    assert visit.ticket == transferred
    services.visit_transfer(visit=visit, counter=second_agent.counter, agent=first_agent, note="Needs a supervisor")
    transferred.refresh_from_db()
    assert (transferred.status, transferred.counter) == (Ticket.Status.TRANSFERRED, second_agent.counter)
    # when: counter 1 calls next (the transfer ended its visit: no wrap-up), it does not get the ticket back
    assert services.call_next(agent=first_agent).ticket == newer
    # then: counter 2 gets it, before anything issued later
    issue(outlet)
    second = services.call_next(agent=second_agent)
    assert second.ticket == transferred
    event = AuditEvent.objects.get(verb="visit.transferred")
    assert (event.old, event.new, event.reason) == ({"counter": 1}, {"counter": 2}, "Needs a supervisor")


def test_a_transfer_to_the_same_counter_is_refused():
    agent = seated_agent()
    issue(agent.outlet)
    visit = services.call_next(agent=agent)
    with pytest.raises(RuleViolation) as refused:
        services.visit_transfer(visit=visit, counter=visit.counter, agent=agent)
    assert refused.value.codes == ["same_counter"]


def test_wait_and_service_times(monkeypatch):
    # given: issued 10:00, called 10:12, identified (served from) 10:13, wrapped up 10:21
    agent = seated_agent()
    customer = CustomerFactory()
    with clock(monkeypatch, "2026-12-01 10:00:00+07:00"):
        ticket = issue(agent.outlet)
    with clock(monkeypatch, "2026-12-01 10:12:00+07:00"):
        visit = services.call_next(agent=agent)
    with clock(monkeypatch, "2026-12-01 10:13:00+07:00"):
        services.visit_identify(visit=visit, customer=customer, agent=agent)
    with clock(monkeypatch, "2026-12-01 10:21:30+07:00"):
        services.wrap_up(visit=visit, items=[RESOLVED], agent=agent)
    # then
    ticket.refresh_from_db()
    assert ticket.wait_time == dt.timedelta(minutes=12)
    assert ticket.service_time == dt.timedelta(minutes=8, seconds=30)
    assert (ticket.status, ticket.customer) == (Ticket.Status.DONE, customer)
    with clock(monkeypatch, "2026-12-01 10:30:00+07:00"):
        queue = selectors.outlet_queues(outlets=[agent.outlet])[0]
    assert queue.average_wait == dt.timedelta(minutes=12)
    assert queue.average_service == dt.timedelta(minutes=8, seconds=30)
    assert queue.served == 1 and queue.waiting == 0


def test_queue_figures_count_sla_breaches_past_the_wait_target():
    # given: the target is 15 minutes; one waits 16, one 14
    agent = seated_agent()
    issue(agent.outlet, Reason.COMPLAINT, minutes_ago=16)
    issue(agent.outlet, Reason.COMPLAINT, minutes_ago=14)
    # when
    queue = selectors.outlet_queues(outlets=[agent.outlet])[0]
    # then
    assert (queue.waiting, queue.breaches) == (2, 1)
    assert dt.timedelta(minutes=16) <= queue.longest_wait < dt.timedelta(minutes=16, seconds=5)
    assert dict(queue.by_reason)[Reason.COMPLAINT.label] == 2


def test_a_wrap_up_item_is_about_at_most_one_subject_of_the_visits_customer():
    agent = seated_agent()
    customer = CustomerFactory()
    line, strangers_line = LineFactory(customer=customer), LineFactory()
    issue(agent.outlet)
    visit = services.call_next(agent=agent)
    services.visit_identify(visit=visit, customer=customer, agent=agent)
    with pytest.raises(RuleViolation) as refused:
        services.wrap_up(visit=visit, items=[{**RESOLVED, "line": strangers_line}], agent=agent)
    assert refused.value.codes == ["other_customer"]
    services.wrap_up(visit=visit, items=[{**RESOLVED, "line": line}], agent=agent)
    assert WrapUpItem.objects.get().line == line


def test_every_action_during_a_visit_carries_its_id():
    # given: an open visit, as the middleware sets it for the agent's requests
    agent = seated_agent()
    customer = CustomerFactory()
    line = LineFactory(customer=customer)
    issue(agent.outlet)
    visit = services.call_next(agent=agent)
    token = current_interaction.set(visit.pk)
    try:
        # when: the agent blocks a line (an accounts service that knows nothing of visits)
        line_block(line=line, reason="customer_request", actor=agent, note="travel")
    finally:
        current_interaction.reset(token)
    # then
    assert AuditEvent.objects.get(verb="line.blocked").interaction_id == visit.pk
    assert list(selectors.visit_events(visit).values_list("verb", flat=True)) == ["visit.called", "line.blocked"]
    # and without a visit, nothing is linked
    line_block(line=LineFactory(), reason="customer_request", actor=agent, note="x")
    assert AuditEvent.objects.filter(verb="line.blocked", interaction_id__isnull=True).count() == 1


def test_an_agent_acts_only_on_their_own_visit():
    outlet = OutletFactory()
    agent, other = seated_agent(outlet, 1), seated_agent(outlet, 2)
    issue(outlet)
    visit = services.call_next(agent=agent)
    with pytest.raises(RuleViolation) as refused:
        services.wrap_up(visit=visit, items=[RESOLVED], agent=other)
    assert refused.value.codes == ["not_yours"]


def test_estimated_wait_is_people_ahead_times_average_service_time_per_staffed_counter():
    outlet = OutletFactory()
    seated_agent(outlet, 1), seated_agent(outlet, 2)
    tickets = [issue(outlet, minutes_ago=10 - index) for index in range(5)]
    last = tickets[-1]
    position = selectors.queue_position(last)
    assert position == 5
    # no service finished today: 5 minutes each, shared by 2 counters
    assert selectors.estimated_wait(last, position=position) == dt.timedelta(minutes=10)
    # an empty counter does not serve anyone
    counter_at(outlet, 3)
    assert selectors.estimated_wait(last, position=position) == dt.timedelta(minutes=10)
