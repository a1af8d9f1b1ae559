"""The counter pages: permissions (anonymous, agent, agent without an outlet, supervisor), the counter journey by
form posts, the visit banner on every agent page, the kiosk and the supervisors' queue page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from core.dashboard import dashboard_panels
from core.dates import local_today
from core.models import AuditEvent
from tests.accounts.factories import AgentFactory, CustomerFactory, LineFactory, OutletFactory
from tests.visits.factories import counter_at, issue, seated_agent
from visits import services
from visits.middleware import SESSION_KEY
from visits.models import Reason, Ticket, Visit, WrapUpItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter_agent():
    return seated_agent()


@pytest.fixture
def counter_client(client, counter_agent):
    client.force_login(counter_agent)
    return client


def _wrap_up_data(rows):
    data = {"items-TOTAL_FORMS": str(len(rows)), "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "10"}
    for index, row in enumerate(rows):
        data.update({f"items-{index}-{key}": value for key, value in row.items()})
    return data


@pytest.mark.parametrize("name", ["queues", "queues_live", "kiosk"])
def test_anonymous_is_sent_to_login(client, name):
    url = reverse(f"visits:{name}", args=["gp-x"] if name == "kiosk" else [])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_supervisor_starts_at_the_dashboard_unless_seated_at_a_counter(client, supervisor):
    client.force_login(supervisor)
    assert client.get("/").url == reverse("core:dashboard")
    assert client.get(reverse("visits:counter")).status_code == 200  # the counter is one link away
    counter_at(supervisor.outlet, 1, agent=supervisor)
    assert client.get("/").status_code == 200


def test_the_idle_counter_lists_the_next_tickets_in_call_order_with_their_wait(counter_client, counter_agent):
    outlet = counter_agent.outlet
    second = issue(outlet, Reason.COMPLAINT, minutes_ago=3)
    first = issue(outlet, Reason.LOST_SIM, minutes_ago=12)
    page = counter_client.get(reverse("visits:counter")).content.decode()
    table = page[page.index('id="queue-next"'):]
    assert table.index(first.number) < table.index(second.number)  # the order "Call next" takes them
    assert "12 min" in table and "3 min" in table
    assert str(Reason.LOST_SIM.label) in table


def test_agents_cannot_see_the_queue_page_supervisors_can(client, counter_client, supervisor):
    assert counter_client.get(reverse("visits:queues")).status_code == 403
    client.force_login(supervisor)
    assert client.get(reverse("visits:queues")).status_code == 200
    assert client.get(reverse("visits:queues_live"), HTTP_HX_REQUEST="true").status_code == 200


def test_an_agent_without_an_outlet_has_no_counter(client):
    agent = AgentFactory(outlet=None)
    client.force_login(agent)
    assert client.get("/").url == reverse("accounts:search")
    assert client.post(reverse("visits:call_next")).status_code == 302
    assert not Visit.objects.exists()
    assert client.post(reverse("visits:ticket_issue"), {"reason": "complaint"}).status_code == 403


def test_a_user_without_the_counter_permissions_is_refused(client):
    user = User.objects.create_user("reader", password="x", outlet=OutletFactory())
    client.force_login(user)
    assert client.get("/").url == reverse("accounts:search")
    for url in [reverse("visits:call_next"), reverse("visits:counter_take"), reverse("visits:ticket_issue")]:
        assert client.post(url).status_code == 403


def test_another_agents_visit_is_not_mine(client, counter_agent):
    issue(counter_agent.outlet)
    visit = services.call_next(agent=counter_agent)
    other = seated_agent(counter_agent.outlet, 2)
    client.force_login(other)
    for name in ["visit_no_show", "visit_transfer", "visit_identify"]:
        assert client.post(reverse(f"visits:{name}", args=[visit.pk])).status_code == 403
    assert client.get(reverse("visits:visit_wrap_up", args=[visit.pk])).status_code == 403
    assert client.get(reverse("visits:visit_detail", args=[visit.pk])).status_code == 403


def test_the_counter_journey_by_form_posts(counter_client, counter_agent):
    # given: a customer waiting
    customer = CustomerFactory(full_name="Nur Saputra")
    line = LineFactory(customer=customer)
    ticket = issue(counter_agent.outlet, Reason.LIMIT_CHANGE, minutes_ago=7)
    page = counter_client.get("/").content.decode()
    assert 'id="call-next"' in page and "1 waiting" in page
    # when: call next
    response = counter_client.post(reverse("visits:call_next"))
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert counter_client.session[SESSION_KEY] == visit.pk
    page = counter_client.get("/").content.decode()
    assert ticket.number in page and "7 min" in page and "Spending limit change" in page
    assert 'id="visit-banner"' in page
    # when: the agent searches the customer for this visit and identifies them
    page = counter_client.get("/", {"customer_q": line.msisdn_national}).content.decode()
    assert "Nur Saputra" in page
    counter_client.post(reverse("visits:visit_identify", args=[visit.pk]), {"customer": customer.pk})
    visit.refresh_from_db()
    assert visit.customer == customer
    # when: calling next before the wrap-up is refused with the ticket's number
    issue(counter_agent.outlet)
    response = counter_client.post(reverse("visits:call_next"), follow=True)
    assert f"Finish the wrap-up of ticket {ticket.number} first." in response.content.decode()
    # when: an incomplete wrap-up is shown again with the reason
    response = counter_client.post(reverse("visits:visit_wrap_up", args=[visit.pk]), _wrap_up_data([
        {"reason": "limit_change", "resolution": "follow_up", "subject": f"line:{line.pk}", "note": ""}]))
    assert response.status_code == 200 and "Say what happens next" in response.content.decode()
    assert not WrapUpItem.objects.exists()
    # when: complete
    response = counter_client.post(reverse("visits:visit_wrap_up", args=[visit.pk]), _wrap_up_data([
        {"reason": "limit_change", "resolution": "resolved", "subject": f"line:{line.pk}", "note": ""},
        {"reason": "", "resolution": "", "subject": "", "note": ""}]))
    # then
    assert response.status_code == 302
    item = WrapUpItem.objects.get()
    assert (item.reason, item.resolution, item.line) == ("limit_change", "resolved", line)
    assert SESSION_KEY not in counter_client.session
    assert 'id="visit-banner"' not in counter_client.get("/").content.decode()
    # and the visit page lists what was done during it
    page = counter_client.get(reverse("visits:visit_detail", args=[visit.pk])).content.decode()
    for label in ["Ticket called to the counter", "Customer identified at the counter", "Visit wrapped up"]:
        assert label in page


def test_events_of_other_pages_during_the_visit_carry_it(counter_client, counter_agent):
    # given: a visit open in the session
    line = LineFactory()
    issue(counter_agent.outlet)
    counter_client.post(reverse("visits:call_next"))
    visit = Visit.objects.get()
    # when: the agent blocks a line on its page
    counter_client.post(reverse("accounts:line_block", args=[line.pk]),
                        {"reason": "customer_request", "scope": "all", "note": "travel", "confirm": "on"})
    # then
    assert AuditEvent.objects.get(verb="line.blocked").interaction_id == visit.pk
    # and the banner is on that page too
    assert 'id="visit-banner"' in counter_client.get(reverse("accounts:line_detail", args=[line.pk])).content.decode()


def test_no_show_and_transfer_are_one_action_each(counter_client, counter_agent):
    counter_at(counter_agent.outlet, 2)
    issue(counter_agent.outlet), issue(counter_agent.outlet)
    counter_client.post(reverse("visits:call_next"))
    first = Visit.objects.get()
    counter_client.post(reverse("visits:visit_no_show", args=[first.pk]))
    assert Ticket.objects.get(pk=first.ticket_id).status == Ticket.Status.NO_SHOW
    counter_client.post(reverse("visits:call_next"))
    second = Visit.objects.get(ended_at__isnull=True)
    target = counter_at(counter_agent.outlet, 2)
    counter_client.post(reverse("visits:visit_transfer", args=[second.pk]), {"counter": target.pk})
    ticket = Ticket.objects.get(pk=second.ticket_id)
    assert (ticket.status, ticket.counter) == (Ticket.Status.TRANSFERRED, target)
    assert SESSION_KEY not in counter_client.session


def test_the_agent_takes_a_counter_and_issues_a_ticket(client):
    outlet = OutletFactory()
    counter = counter_at(outlet, 4)
    agent = AgentFactory(outlet=outlet, language="en")
    client.force_login(agent)
    assert 'id="counter-take"' in client.get("/").content.decode()
    client.post(reverse("visits:counter_take"), {"counter": counter.pk})
    counter.refresh_from_db()
    assert counter.staffed_by == agent
    client.post(reverse("visits:ticket_issue"), {"reason": "information", "msisdn": ""})
    assert Ticket.objects.get().channel == Ticket.Channel.AGENT


def test_the_kiosk_issues_a_number_and_says_how_many_are_before(counter_client, counter_agent):
    outlet = counter_agent.outlet
    issue(outlet), issue(outlet)
    url = reverse("visits:kiosk", args=[outlet.code])
    assert "2 people waiting" in counter_client.get(url).content.decode()
    page = counter_client.post(url, {"reason": "tecprotec_claim", "msisdn": ""}).content.decode()
    assert "D003" in page and "2 people before you" in page
    assert Ticket.objects.get(number="D003").channel == Ticket.Channel.KIOSK
    # bad input writes nothing
    counter_client.post(url, {"reason": "haircut"})
    counter_client.post(url, {"reason": "complaint", "msisdn": "12"})
    assert Ticket.objects.count() == 3


def test_an_agent_uses_only_their_own_outlets_kiosk(counter_client):
    other = OutletFactory()
    assert counter_client.get(reverse("visits:kiosk", args=[other.code])).status_code == 403
    assert counter_client.get(reverse("visits:kiosk", args=["no-such-outlet"])).status_code == 404


def test_the_queue_page_shows_waiting_breaches_and_reasons(client, supervisor):
    outlet = OutletFactory(name="GraPARI Uji")
    issue(outlet, Reason.COMPLAINT, minutes_ago=20)
    issue(outlet, Reason.COMPLAINT, minutes_ago=1)
    client.force_login(supervisor)
    page = client.get(reverse("visits:queues")).content.decode()
    assert "GraPARI Uji" in page and 'hx-trigger="every 15s"' in page
    assert '<dd class="col-5 queue-waiting">2</dd>' in page
    assert '<span class="badge text-bg-danger">1</span>' in page
    assert "Complaint" in page


def test_the_dashboard_panel_is_registered_with_the_same_figures(rf, supervisor):
    outlet = OutletFactory()
    issue(outlet, minutes_ago=30)
    panel = next(panel for panel in dashboard_panels(supervisor) if panel.key == "queues")
    context = panel.context(rf.get("/"), local_today())
    assert (context["queues_total"]["waiting"], context["queues_total"]["breaches"]) == (1, 1)
    assert not [panel for panel in dashboard_panels(AgentFactory()) if panel.key == "queues"]


def _visit_queries(client, url) -> list[str]:
    """The queries of one page that read the visits table (read at once: the next request resets the log)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries.captured_queries if "visits_visit" in query["sql"]]


def test_the_banner_costs_no_query_without_a_visit_and_one_with(counter_client, counter_agent):
    url = reverse("accounts:line_detail", args=[LineFactory().pk])
    assert _visit_queries(counter_client, url) == []
    issue(counter_agent.outlet)
    counter_client.post(reverse("visits:call_next"))
    assert len(_visit_queries(counter_client, url)) == 1
