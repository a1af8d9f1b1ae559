"""An agent's journeys in a real browser (Playwright + Debian's chromium, live server)."""

import re

import pytest
from django.conf import settings

from accounts.models import Block
from core.models import AuditEvent
from tests.accounts.factories import AgentFactory, CustomerFactory, LineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
SCREENSHOT = "/tmp/workspace_line_page_1366x768.png"


def _log_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_agent_searches_by_08_number_opens_the_line_and_blocks_it(page):
    # given
    from playwright.sync_api import expect

    agent = AgentFactory(language="en")
    line = LineFactory(msisdn="+6281234567890", customer=CustomerFactory(full_name="Dewi Lestari"))
    # when: the agent logs in; the search box has the focus
    _log_in(page, agent.username)
    expect(page.locator("#global-search")).to_be_focused()
    # when: they type the number as the customer says it
    page.keyboard.type("0812-3456-7890")
    page.keyboard.press("Enter")
    # then: exactly one line, so straight to the line page, in 08… form, grouped
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/$"))
    expect(page.locator("#line-number")).to_have_text("0812-3456-7890")
    expect(page.locator("#overview")).to_be_visible()  # the first tab is the Overview, loaded by htmx
    page.click("#tab-blocks")
    expect(page.locator("#block-history")).to_contain_text("never been blocked")  # the Blocks tab
    # when: they block it with a reason
    page.click("#action-block")
    page.select_option("select[name=reason]", "customer_request")
    page.select_option("select[name=scope]", "outgoing")
    page.fill("textarea[name=note]", "Customer travels abroad for a month")
    page.check("input[name=confirm]")
    page.click("#action-submit")
    # then: back on the line page, on the Blocks tab, with the block in the header, the tab and the timeline
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/\?tab=blocks$"))
    expect(page.locator(".alert-success")).to_contain_text("blocked")
    expect(page.locator("#open-blocks")).to_contain_text("Customer request (bar)")
    expect(page.locator("#timeline li").first).to_contain_text("Line blocked")
    expect(page.locator("#timeline li").first).to_contain_text("Customer travels abroad for a month")
    expect(page.locator("#block-history")).to_contain_text("Customer travels abroad for a month")
    page.screenshot(path=SCREENSHOT)
    block = Block.objects.get(line=line)
    assert (block.reason, block.scope, block.started_by_id) == ("customer_request", "outgoing", agent.pk)
    assert AuditEvent.objects.filter(verb="line.blocked", line=line, actor=agent, outlet=agent.outlet).count() == 1


def test_agent_reveals_the_nik_on_the_customer_page(page):
    from playwright.sync_api import expect

    agent = AgentFactory(language="en")
    customer = CustomerFactory(id_number="3171014101900001")
    _log_in(page, agent.username)
    page.goto(f"/customers/{customer.pk}/")
    expect(page.locator("#identity-number")).to_have_text("••••••••••••0001")
    # without an identity check the reveal is disabled, with the link to record one (ACC-10)
    expect(page.locator("#identity-show")).to_be_disabled()
    page.click("#identity-check-link")
    page.select_option("select[name=method]", "ktp_nik")
    page.check("input[name=result][value=passed]")
    page.click("#action-submit")
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    # the reveal asks why
    page.fill("#identity-reason", "Customer needs a letter")
    page.click("#identity-show")
    expect(page.locator("#identity-number")).to_have_text("3171014101900001")
    event = AuditEvent.objects.get(verb="customer.identity_shown", customer=customer, actor=agent)
    assert event.reason == "Customer needs a letter"


def test_login_is_locked_after_repeated_failures(page):
    from playwright.sync_api import expect

    # given
    agent = AgentFactory(language="en")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(page, agent.username, password="wrong-password")
        expect(page.locator("form .alert, .errorlist, .invalid-feedback").first).to_be_visible()
        expect(page.locator("#locked-out")).to_have_count(0)
    # when: the failure that reaches the limit
    _log_in(page, agent.username, password="wrong-password")
    # then
    expect(page.locator("#locked-out")).to_be_visible()
    expect(page.locator("#locked-out")).to_contain_text("30 minutes")
    # when: even the right password now
    _log_in(page, agent.username)
    # then
    expect(page.locator("#locked-out")).to_be_visible()
    page.goto("/search/?q=0812")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
