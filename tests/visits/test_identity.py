"""ACC-10 at the counter: NIK reveal, transfer and termination need a passed identity check of that customer by this
agent during the current visit (or in the last 30 minutes without a visit). Without it the action is shown disabled
with the reason and a link to record the check; nothing is written."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.identity import IDENTITY_CHECK_WINDOW, identity_check_verdict
from accounts.models import IdentityCheck, Line
from billing.models import BasicPackage
from billing.services import spending_limit_open
from core.audit import current_interaction
from core.models import AuditEvent
from tests.accounts.factories import AgentFactory, CustomerFactory, PostpaidLineFactory, identity_checked
from tests.visits.factories import issue, seated_agent
from visits import services
from visits.middleware import SESSION_KEY

pytestmark = [pytest.mark.django_db, pytest.mark.rule("ACC-10")]

NIK = "3171014101900001"


@pytest.fixture
def counter_agent():
    return seated_agent()


@pytest.fixture
def agent_client(client, counter_agent):
    client.force_login(counter_agent)
    return client


def _postpaid_line(customer=None):
    line = PostpaidLineFactory(activated_on=dt.date(2026, 1, 1), **({"customer": customer} if customer else {}))
    spending_limit_open(line=line, package=BasicPackage.objects.get(code="halo_kick"), actor=None)
    return line


def _reveal(client, customer, reason="Customer asked for a letter"):
    return client.post(reverse("accounts:customer_identity", args=[customer.pk]), {"reason": reason},
                       HTTP_HX_REQUEST="true")


def test_nik_reveal_without_a_check_is_shown_disabled_with_the_link(agent_client):
    customer = CustomerFactory(id_number=NIK)
    page = agent_client.get(reverse("accounts:customer_detail", args=[customer.pk])).content.decode()
    assert 'id="identity-show" disabled' in page
    assert reverse("accounts:identity_check", args=[customer.pk]) in page
    assert "Record the customer&#x27;s identity check first" in page
    # a POST anyway reveals nothing and writes nothing
    response = _reveal(agent_client, customer)
    assert NIK not in response.content.decode()
    assert not AuditEvent.objects.filter(verb="customer.identity_shown").exists()


def test_nik_reveal_after_a_passed_check_asks_a_reason_and_audits_it(agent_client, counter_agent):
    customer = CustomerFactory(id_number=NIK)
    identity_checked(customer, counter_agent)
    page = agent_client.get(reverse("accounts:customer_detail", args=[customer.pk])).content.decode()
    assert 'id="identity-reason"' in page
    # without a reason: refused
    response = _reveal(agent_client, customer, reason="  ")
    assert NIK not in response.content.decode() and "Say why the number is needed." in response.content.decode()
    # with one: shown and audited with it
    response = _reveal(agent_client, customer)
    assert NIK in response.content.decode()
    event = AuditEvent.objects.get(verb="customer.identity_shown")
    assert (event.actor, event.reason) == (counter_agent, "Customer asked for a letter")


def test_a_failed_check_or_another_agents_check_does_not_count(agent_client, counter_agent):
    customer = CustomerFactory(id_number=NIK)
    identity_checked(customer, AgentFactory(outlet=counter_agent.outlet))
    assert identity_check_verdict(customer_id=customer.pk, actor=counter_agent).codes == ["identity_check_required"]
    identity_checked(customer, counter_agent, result=IdentityCheck.Result.FAILED)
    assert identity_check_verdict(customer_id=customer.pk, actor=counter_agent).codes == ["identity_check_failed"]
    assert NIK not in _reveal(agent_client, customer).content.decode()


@pytest.mark.parametrize(("age", "allowed"), [
    (IDENTITY_CHECK_WINDOW - dt.timedelta(seconds=1), True),
    (IDENTITY_CHECK_WINDOW + dt.timedelta(seconds=1), False),
])
def test_without_a_visit_a_check_counts_for_30_minutes(counter_agent, age, allowed):
    customer = CustomerFactory()
    identity_checked(customer, counter_agent, checked_at=timezone.now() - age)
    assert identity_check_verdict(customer_id=customer.pk, actor=counter_agent).allowed is allowed


def test_during_a_visit_only_a_check_of_this_visit_counts(counter_agent):
    # given: a check a minute ago, before the visit
    customer = CustomerFactory()
    identity_checked(customer, counter_agent, checked_at=timezone.now() - dt.timedelta(minutes=1))
    issue(counter_agent.outlet)
    visit = services.call_next(agent=counter_agent)
    token = current_interaction.set(visit.pk)
    try:
        assert identity_check_verdict(customer_id=customer.pk, actor=counter_agent).codes == [
            "identity_check_required"]
        # when: recorded during the visit
        identity_checked(customer, counter_agent, interaction_id=visit.pk)
        # then
        assert identity_check_verdict(customer_id=customer.pk, actor=counter_agent).allowed
    finally:
        current_interaction.reset(token)


def test_the_check_page_records_the_check_on_the_visit_and_comes_back(agent_client, counter_agent):
    # given: an open visit in the agent's session
    customer = CustomerFactory()
    issue(counter_agent.outlet)
    assert agent_client.post(reverse("visits:call_next")).status_code == 302
    visit_id = agent_client.session[SESSION_KEY]
    back = reverse("accounts:customer_detail", args=[customer.pk])
    url = reverse("accounts:identity_check", args=[customer.pk]) + f"?next={back}"
    assert agent_client.get(url).status_code == 200
    # when
    response = agent_client.post(url, {"method": "ktp_nik", "result": "passed", "note": "KTP seen"})
    # then
    assert response.status_code == 302 and response.url == back
    check = IdentityCheck.objects.get()
    assert (check.customer, check.line, check.checked_by, check.interaction_id) == (
        customer, None, counter_agent, visit_id)
    event = AuditEvent.objects.get(verb="customer.identity_checked")
    assert (event.customer, event.interaction_id, event.new) == (
        customer, visit_id, {"method": "ktp_nik", "result": "passed"})


def test_the_check_page_does_not_redirect_elsewhere(agent_client):
    customer = CustomerFactory()
    url = reverse("accounts:identity_check", args=[customer.pk]) + "?next=https://evil.example/"
    response = agent_client.post(url, {"method": "ktp_nik", "result": "passed"})
    assert response.url == reverse("accounts:customer_detail", args=[customer.pk])


def test_termination_needs_the_check_then_works(agent_client, counter_agent):
    line = _postpaid_line()
    url = reverse("accounts:line_terminate", args=[line.pk])
    data = {"request_reference": "REQ-9", "reason": "moving", "confirm": "on"}
    # without a check: the disabled page, and a POST writes nothing
    page = agent_client.get(url).content.decode()
    assert 'id="identity-check-link"' in page and 'id="action-form"' not in page
    assert agent_client.post(url, data).status_code == 200
    assert Line.objects.get(pk=line.pk).status == Line.Status.ACTIVE
    # with one
    identity_checked(line.customer, counter_agent)
    assert 'id="action-form"' in agent_client.get(url).content.decode()
    assert agent_client.post(url, data).status_code == 302
    assert Line.objects.get(pk=line.pk).status == Line.Status.TERMINATED


def test_transfer_needs_the_check(client, supervisor):
    line = _postpaid_line()
    client.force_login(supervisor)
    url = reverse("accounts:line_transfer", args=[line.pk])
    page = client.get(url).content.decode()
    assert 'id="identity-check-link"' in page and 'id="action-form"' not in page
    identity_checked(line.customer, supervisor)
    assert 'id="action-form"' in client.get(url).content.decode()
