"""The customer's data export (issue 16, UU 27/2022 PDP): everything held about them, after an identity check."""

import json

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from accounts.models import Customer, Line
from core.audit import audit_record
from core.models import AuditEvent
from security.export import EXPORTED
from security.models import AccessLog, DataExport
from tests.accounts.factories import BlockFactory, CustomerFactory, LineFactory
from tests.billing.factories import BillFactory, open_line
from tests.prepaid.factories import CardFactory
from tests.protection.factories import enroll


def _models_pointing_at_customer_or_line() -> set[str]:
    """Every model with a chain of ForeignKey/OneToOne fields that ends at Customer or Line."""
    reached = {Customer, Line}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in reached:
                continue
            if any(field.concrete and (field.many_to_one or field.one_to_one) and field.related_model in reached
                   for field in model._meta.get_fields() if field.is_relation):
                reached.add(model)
                changed = True
    # a proxy (a filtered admin list) holds no rows of its own: its concrete model is exported
    return {model._meta.label for model in reached if not model._meta.proxy}


def test_every_model_that_points_at_a_customer_or_line_is_exported():
    missing = _models_pointing_at_customer_or_line() - set(EXPORTED)
    assert not missing, f"add these to security.export.EXPORTED (the customer's data export): {sorted(missing)}"
    assert set(EXPORTED) <= {model._meta.label for model in apps.get_models()}


@pytest.fixture
def customer_with_history(agent):
    line = open_line()
    customer = line.customer
    BillFactory(billing_account=line.billing_account)
    BlockFactory(line=line)
    enroll(line=_postpaid_with_device(customer))
    prepaid = LineFactory(customer=customer)
    CardFactory(line=prepaid, balance=25_000)
    audit_record(actor=agent, verb="customer.identity_shown", subject=customer)
    return customer


def _postpaid_with_device(customer):
    from protection.services import line_device_set
    from tests.accounts.factories import PostpaidLineFactory
    from tests.protection.factories import new_imei

    line = PostpaidLineFactory(customer=customer)
    line_device_set(line=line, imei=new_imei(), actor_label="network-test")
    return line


def _export(client, customer, number=None, method="original_document"):
    return client.post(reverse("security:customer_export", args=[customer.pk]),
                       {"check_method": method, "document_number": customer.id_number if number is None else number})


def test_agent_exports_everything_about_the_customer_after_the_identity_check(agent_client, agent,
                                                                              customer_with_history):
    # given: another customer's data must not leak into the file
    stranger = open_line().customer
    BillFactory(billing_account=stranger.billing_accounts.first())
    customer = customer_with_history
    # when
    response = _export(agent_client, customer)
    # then: a JSON download
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith(f'attachment; filename="customer-{customer.pk}-')
    tables = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)["tables"]
    assert set(tables) == set(EXPORTED)
    assert [row["id"] for row in tables["accounts.Customer"]] == [customer.pk]
    assert tables["accounts.Customer"][0]["id_number"] == customer.id_number
    assert len(tables["accounts.Line"]) == 3
    for label in ("billing.Bill", "accounts.Block", "protection.Enrollment", "protection.Installment",
                  "prepaid.Card", "prepaid.LedgerEntry", "core.AuditEvent", "billing.SpendingLimit"):
        assert tables[label], label
    account_ids = set(customer.billing_accounts.values_list("pk", flat=True))
    assert {row["billing_account"] for row in tables["billing.Bill"]} <= account_ids
    # the check, the access log row and the audit event are recorded
    export = DataExport.objects.get()
    assert export.requested_by == agent and export.outlet == agent.outlet
    assert export.check_method == "original_document" and export.document_last_digits == customer.id_number[-4:]
    assert export.records == sum(len(rows) for rows in tables.values())
    assert AccessLog.objects.filter(customer=customer, kind=AccessLog.Kind.DATA_EXPORT, actor=agent).count() == 1
    assert AuditEvent.objects.filter(verb="customer.data_exported", customer=customer).count() == 1


def test_a_document_number_that_does_not_match_exports_nothing(agent_client, customer_with_history):
    customer = customer_with_history
    wrong = customer.id_number[:-1] + ("0" if customer.id_number[-1] != "0" else "1")
    response = _export(agent_client, customer, number=wrong)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "does not match" in response.content.decode()
    assert not DataExport.objects.exists()
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.DATA_EXPORT).exists()
    assert not AuditEvent.objects.filter(verb="customer.data_exported").exists()


def test_the_identity_check_method_is_required(agent_client, customer_with_history):
    response = _export(agent_client, customer_with_history, method="")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not DataExport.objects.exists()


def test_export_page_permissions(agent_client, db):
    customer = CustomerFactory()
    url = reverse("security:customer_export", args=[customer.pk])
    assert Client().get(url).status_code == 302
    assert agent_client.get(url).status_code == 200
    no_role = Client()
    from tests.accounts.factories import UserFactory

    no_role.force_login(UserFactory())
    assert no_role.get(url).status_code == 403
    assert agent_client.get(reverse("security:customer_export", args=[999_999])).status_code == 404
