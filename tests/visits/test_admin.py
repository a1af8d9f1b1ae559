"""Supervisors' admin for the counter: counters edited with a reason (audited, ACC-07); tickets, visits, identity
checks and identity numbers shown are read-only lists with filters."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from tests.accounts.factories import CustomerFactory, identity_checked
from tests.visits.factories import counter_at, issue, seated_agent
from visits import services
from visits.models import Counter, Reason, WrapUpItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit():
    agent = seated_agent()
    issue(agent.outlet)
    visit = services.call_next(agent=agent)
    services.wrap_up(visit=visit, agent=agent, items=[{"reason": Reason.INFORMATION, "resolution": "information"}])
    return visit


def test_every_counter_admin_page_loads_for_a_supervisor(supervisor_client, supervisor, visit):
    customer = CustomerFactory()
    check = identity_checked(customer, supervisor)
    reveal = AuditEvent.objects.create(verb="customer.identity_shown", subject_type="accounts.customer",
                                       subject_id=str(customer.pk), subject_repr="x", customer=customer,
                                       actor=supervisor, actor_label=supervisor.username, reason="letter")
    urls = [
        reverse("admin:app_list", args=["visits"]),
        reverse("admin:visits_counter_changelist"), reverse("admin:visits_counter_change", args=[visit.counter_id]),
        reverse("admin:visits_counter_add"),
        reverse("admin:visits_ticket_changelist"), reverse("admin:visits_ticket_change", args=[visit.ticket_id]),
        reverse("admin:visits_ticket_changelist") + "?status__exact=done&reason__exact=bill_payment",
        reverse("admin:visits_visit_changelist"), reverse("admin:visits_visit_change", args=[visit.pk]),
        reverse("admin:visits_visit_changelist") + f"?ticket__outlet__id__exact={visit.counter.outlet_id}",
        reverse("admin:accounts_identitycheck_changelist"),
        reverse("admin:accounts_identitycheck_changelist") + "?result__exact=passed",
        reverse("admin:accounts_identitycheck_change", args=[check.pk]),
        reverse("admin:accounts_identityreveal_changelist"),
        reverse("admin:accounts_identityreveal_change", args=[reveal.pk]),
    ]
    for url in urls:
        assert supervisor_client.get(url).status_code == 200, url
    page = supervisor_client.get(reverse("admin:visits_visit_change", args=[visit.pk])).content.decode()
    assert str(WrapUpItem.Resolution.INFORMATION.label) in page  # the wrap-up inline
    page = supervisor_client.get(reverse("admin:accounts_identityreveal_changelist")).content.decode()
    assert "letter" in page


def test_history_cannot_be_added_or_changed_by_hand(supervisor_client, supervisor, visit):
    assert not supervisor.has_perm("accounts.delete_identityreveal")
    assert supervisor.has_perm("accounts.view_identityreveal") and supervisor.has_perm("visits.view_queues")
    assert supervisor_client.get(reverse("admin:visits_ticket_add")).status_code == 403
    assert supervisor_client.get(reverse("admin:visits_visit_add")).status_code == 403
    assert supervisor_client.get(reverse("admin:accounts_identitycheck_add")).status_code == 403
    response = supervisor_client.post(reverse("admin:visits_ticket_change", args=[visit.ticket_id]),
                                      {"status": "waiting"})
    assert response.status_code == 403


@pytest.mark.rule("ACC-07")
def test_a_counter_edit_needs_a_reason_and_is_audited(supervisor_client, visit):
    counter = counter_at(visit.counter.outlet, 2)
    url = reverse("admin:visits_counter_change", args=[counter.pk])
    data = {"outlet": counter.outlet_id, "number": 2, "is_active": ""}
    assert supervisor_client.post(url, data).status_code == 200  # no reason: not saved
    assert Counter.objects.get(pk=counter.pk).is_active
    assert supervisor_client.post(url, {**data, "audit_reason": "Desk broken"}).status_code == 302
    assert not Counter.objects.get(pk=counter.pk).is_active
    event = AuditEvent.objects.get(verb="counter.changed")
    assert (event.old, event.new, event.reason) == ({"is_active": True}, {"is_active": False}, "Desk broken")


def test_agents_do_not_reach_the_admin(agent_client, visit):
    response = agent_client.get(reverse("admin:visits_ticket_changelist"))
    assert response.status_code == 302
