"""LIM-12 in a real browser: an agent subscribes a new postpaid customer and sees the suggestion first."""

import re

import pytest

from accounts.identifiers import make_iccid, make_imsi
from billing.models import BasicPackage, SpendingLimit
from tests.accounts.factories import AgentFactory, BillingAccountFactory, CustomerFactory
from tests.e2e.test_workspace import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_subscribes_a_postpaid_line_with_package_and_limit_seeing_the_suggestion(page):
    """LIM-12, LIM-06, LIM-09: the suggestion and range for the chosen package and payment method, then the line."""
    from playwright.sync_api import expect

    # given: a verified customer with a credit-card billing account
    agent = AgentFactory(language="en")
    customer = CustomerFactory(full_name="Rina Wulandari")
    account = BillingAccountFactory(customer=customer, payment_method="credit_card")
    kick = BasicPackage.objects.get(code="halo_kick")
    _log_in(page, agent.username)
    # when: the agent opens the activation form and chooses postpaid, the account and the package
    page.goto(f"/customers/{customer.pk}/lines/new/")
    page.select_option("select[name=kind]", "postpaid")
    page.select_option("select[name=billing_account]", str(account.pk))
    page.select_option("select[name=package]", str(kick.pk))
    # then: LIM-06's suggestion for Halo Kick paid by credit card and LIM-09's range appear before submitting
    notes = page.locator("#verdict-notes")
    expect(notes).to_contain_text("Suggested domestic limit for Halo Kick")
    expect(notes).to_contain_text("Rp 500.000")
    expect(notes).to_contain_text("Rp 500.000 to Rp 2.500.000")
    # when: the customer takes the suggestion and the agent submits
    page.fill("input[name=domestic_limit]", "500000")
    page.fill("input[name=msisdn]", "081355550001")
    page.fill("input[name=iccid]", make_iccid(880_000_001))
    page.fill("input[name=imsi]", make_imsi(880_000_001))
    page.check("input[name=confirm]")
    page.click("#action-submit")
    # then: the line page, with both limits open
    expect(page).to_have_url(re.compile(r"/lines/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text("activated")
    limits = dict(SpendingLimit.objects.filter(line__customer=customer).values_list("scope", "amount"))
    assert limits == {"domestic": 500_000, "international": 1_000_000}
