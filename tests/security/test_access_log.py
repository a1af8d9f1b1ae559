"""Reads of personal data audited (issue 16): one append-only access-log row per read, listed for supervisors."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from security.models import AccessLog
from tests.accounts.factories import AgentFactory, CustomerFactory, LineFactory, identity_checked


def test_opening_a_customer_page_is_logged_with_who_and_where(agent_client, agent):
    # given
    customer = CustomerFactory()
    # when
    with CaptureQueriesContext(connection) as queries:
        assert agent_client.get(reverse("accounts:customer_detail", args=[customer.pk])).status_code == 200
    # then: one row, written with one INSERT
    row = AccessLog.objects.get()
    assert (row.actor, row.outlet, row.customer, row.line, row.kind) == (
        agent, agent.outlet, customer, None, AccessLog.Kind.CUSTOMER_PAGE)
    inserts = [query for query in queries.captured_queries if query["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and "security_accesslog" in inserts[0]["sql"]


def test_opening_a_line_page_is_logged_for_its_customer(agent_client, agent):
    line = LineFactory()
    agent_client.get(reverse("accounts:line_detail", args=[line.pk]))
    row = AccessLog.objects.get()
    assert (row.customer_id, row.line_id, row.kind) == (line.customer_id, line.pk, AccessLog.Kind.LINE_PAGE)


def test_revealing_a_nik_is_logged(agent_client, agent):
    customer = CustomerFactory()
    identity_checked(customer, agent)
    agent_client.post(reverse("accounts:customer_identity", args=[customer.pk]), {"reason": "SIM replacement"})
    assert AccessLog.objects.filter(customer=customer, actor=agent,
                                    kind=AccessLog.Kind.IDENTITY_REVEALED).count() == 1


def test_every_read_adds_a_row(agent_client):
    customer = CustomerFactory()
    for _ in range(3):
        agent_client.get(reverse("accounts:customer_detail", args=[customer.pk]))
    assert AccessLog.objects.filter(customer=customer).count() == 3


def test_the_access_log_is_append_only(agent_client):
    customer = CustomerFactory()
    agent_client.get(reverse("accounts:customer_detail", args=[customer.pk]))
    row = AccessLog.objects.get()
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
    with pytest.raises(ValidationError):
        AccessLog.objects.update(kind=AccessLog.Kind.LINE_PAGE)
    with pytest.raises(ValidationError):
        AccessLog.objects.all().delete()


def test_supervisors_list_the_log_per_customer_and_per_agent(supervisor_client, db):
    # given: two agents read two customers
    first, second = AgentFactory(), AgentFactory()
    alice, bob = CustomerFactory(full_name="Alice Wulandari"), CustomerFactory(full_name="Bob Hartono")
    for agent, customer in ((first, alice), (first, bob), (second, bob)):
        client = Client()
        client.force_login(agent)
        client.get(reverse("accounts:customer_detail", args=[customer.pk]))
    url = reverse("admin:security_accesslog_changelist")
    # when
    per_customer = supervisor_client.get(f"{url}?customer__id__exact={bob.pk}")
    per_agent = supervisor_client.get(f"{url}?actor__id__exact={first.pk}")
    # then
    assert per_customer.status_code == 200 and per_agent.status_code == 200
    assert {row.actor_id for row in per_customer.context["cl"].result_list} == {first.pk, second.pk}
    assert {row.customer_id for row in per_agent.context["cl"].result_list} == {alice.pk, bob.pk}
    assert len(per_customer.context["cl"].result_list) == 2


def test_agents_cannot_read_the_access_log(agent_client):
    assert agent_client.get(reverse("admin:security_accesslog_changelist")).status_code == 302


def test_supervisors_cannot_add_or_change_access_log_rows(supervisor_client, agent):
    customer = CustomerFactory()
    AccessLog.objects.create(actor=agent, customer=customer, kind=AccessLog.Kind.CUSTOMER_PAGE)
    assert supervisor_client.get(reverse("admin:security_accesslog_add")).status_code == 403
