"""The counter journey in a real browser, in both languages: call next → find and identify the customer → record
the identity check (ACC-10) → wrap up → call next. The visit banner is on every page meanwhile."""

import re

import pytest

from accounts.models import IdentityCheck
from core.models import AuditEvent
from tests.accounts.factories import CustomerFactory, LineFactory
from tests.e2e.test_workspace import PASSWORD, _log_in
from tests.visits.factories import issue, seated_agent
from visits.models import Reason, Ticket, Visit, WrapUpItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"call": "Call next", "passed": "Passed", "wrapped": "wrapped up", "pending": "Finish the wrap-up"},
    "id": {"call": "Panggil berikutnya", "passed": "Lolos", "wrapped": "diringkas", "pending": "Selesaikan dulu"},
}


@pytest.mark.rule("ACC-10")
@pytest.mark.parametrize("language", ["en", "id"])
def test_call_next_identify_check_wrap_up_call_next(page, language):
    from playwright.sync_api import expect

    # given: an agent at counter 1, two customers waiting
    text = TEXT[language]
    agent = seated_agent(language=language)
    customer = CustomerFactory(full_name="Nur Saputra")
    line = LineFactory(customer=customer)
    first = issue(agent.outlet, Reason.SIM_REPLACEMENT, minutes_ago=6)
    second = issue(agent.outlet, Reason.BILL_PAYMENT, minutes_ago=2)
    # when: the agent logs in, the home page is the counter
    _log_in(page, agent.username, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#call-next")).to_have_text(text["call"])
    page.click("#call-next")
    # then: the oldest ticket, with its wait
    expect(page.locator("#visit-ticket")).to_have_text(first.number)
    expect(page.locator("#visit-wait")).to_contain_text("6")
    expect(page.locator("#visit-banner")).to_contain_text(first.number)
    # when: a second "Call next" before the wrap-up is refused, naming the ticket
    page.click("#call-next")
    expect(page.locator(".alert-danger")).to_contain_text(text["pending"])
    # when: they find the customer by number and identify them
    page.fill("#customer-q", line.msisdn_national)
    page.click("#customer-search")
    page.locator("#customer-results button").first.click()
    expect(page.locator("#visit-customer")).to_have_text("Nur Saputra")
    # when: they record the identity check on the visit
    page.click("#record-identity-check")
    page.select_option("select[name=method]", "ktp_nik")
    page.check("input[name=result][value=passed]")
    page.click("#action-submit")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#visit-identity")).to_contain_text(text["passed"])
    # the banner is on the customer's pages too
    page.goto(f"/customers/{customer.pk}/")
    expect(page.locator("#visit-banner")).to_contain_text("Nur Saputra")
    expect(page.locator("#identity-reason")).to_be_visible()  # the NIK reveal is open after the check
    page.click("#visit-banner-wrap-up")
    # when: they wrap up: the reason is prefilled from the ticket, the line chosen, resolved
    page.select_option("select[name=items-0-resolution]", "resolved")
    page.select_option("select[name=items-0-subject]", f"line:{line.pk}")
    page.click("#wrap-up-submit")
    expect(page.locator(".alert-success")).to_contain_text(text["wrapped"])
    expect(page.locator("#visit-banner")).to_have_count(0)
    # when: call next again
    page.click("#call-next")
    expect(page.locator("#visit-ticket")).to_have_text(second.number)
    # then: the database says the same
    visit = Visit.objects.get(ticket=first)
    assert (visit.customer, visit.outcome) == (customer, Visit.Outcome.WRAPPED_UP)
    item = WrapUpItem.objects.get(visit=visit)
    assert (item.reason, item.resolution, item.line) == (Reason.SIM_REPLACEMENT, "resolved", line)
    check = IdentityCheck.objects.get(customer=customer)
    assert (check.result, check.interaction_id, check.checked_by) == ("passed", visit.pk, agent)
    verbs = list(AuditEvent.objects.filter(interaction_id=visit.pk).order_by("id").values_list("verb", flat=True))
    assert verbs == ["visit.called", "visit.customer_identified", "customer.identity_checked", "visit.wrapped_up"]
    assert Ticket.objects.get(pk=second.pk).status == Ticket.Status.CALLED
