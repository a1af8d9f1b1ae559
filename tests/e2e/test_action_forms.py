"""The action kit in a real browser at 1366×768: the focus on the form's first field (not the search box), the
confirmation last, the submit button in view, and a "Check" that keeps the attached receipt."""

import datetime as dt

import pytest

from core.dates import local_today
from core.models import Channel
from protection.models import Enrollment
from tests.accounts.factories import AgentFactory, identity_checked
from tests.e2e.test_workspace import PASSWORD, _log_in
from tests.protection.factories import PDF, enroll, postpaid_line_with_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _in_view(page, selector: str) -> bool:
    return page.evaluate("""(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight; }""", selector)


def test_claim_form_focus_order_and_submit_in_view(page):
    # given an enrollment past its waiting period
    agent = AgentFactory(language="en")
    enrollment = enroll(start=local_today() - dt.timedelta(days=20))
    _log_in(page, agent.username, PASSWORD)
    # when the agent opens the claim form
    page.goto(f"/protection/lines/{enrollment.line_id}/enrollments/{enrollment.pk}/claim/")
    # then the cursor is in the first field, the confirmation is the form's last field, the submit is in view
    assert page.evaluate("document.activeElement.name") == "imei"
    fields = "#action-form :is(input, select, textarea)[name]:not([type=hidden])"
    names = page.eval_on_selector_all(fields, "els => els.map(e => e.name)")
    assert names[-1] == "confirm", names
    assert _in_view(page, "#action-submit")


def test_check_keeps_the_receipt_then_enroll(page, tmp_path):
    agent = AgentFactory(language="en")
    line = postpaid_line_with_device()
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(PDF)
    _log_in(page, agent.username, PASSWORD)
    page.goto(f"/protection/lines/{line.pk}/enroll/")
    assert page.evaluate("document.activeElement.name") == "payment_option"
    # when the agent fills the form with the receipt and presses "Check"
    page.fill("input[name=purchase_date]", local_today().isoformat())
    page.fill("input[name=receipt_number]", "INV-77")
    page.set_input_files("input[name=receipt]", str(receipt))
    page.click("#action-check")
    # then the page says the receipt is kept; confirming enrolls with it
    page.wait_for_selector(".kept-upload")
    assert _in_view(page, "#action-submit")
    page.check("input[name=confirm]")
    page.click("#action-submit")
    page.wait_for_selector(".alert-success")
    assert "tab=protection" in page.url
    assert Enrollment.objects.get(line=line).receipt.read() == PDF


# Every agent action form at 1366×768 (issue 11, "Forms and layout") -------------------------------------------

FIRST_FIELD = "#action-form :is(input, select, textarea)[name]:not([type=hidden]):not([disabled])"
LAYOUT = """(selector) => {
    const fields = [...document.querySelectorAll(selector)];
    const submit = document.querySelector('#action-submit').getBoundingClientRect();
    const wide = [...document.querySelectorAll('main table, #content table, table')].filter(t => t.offsetParent)
        .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
        .map(t => (t.id || 'table') + ' ' + t.scrollWidth + '>' + t.parentElement.clientWidth);
    return {focus: document.activeElement.name || document.activeElement.id || document.activeElement.tagName,
            first: fields.length ? fields[0].name : null, last: fields.length ? fields[fields.length - 1].name : null,
            hasConfirm: fields.some(f => f.name === 'confirm'), submitTop: submit.top, submitBottom: submit.bottom,
            height: window.innerHeight, wide: wide};
}"""


def _agent_action_urls():
    """One of each agent action form, on data that lets it open."""
    from django.urls import reverse

    from billing.services import spending_limit_open
    from tests.accounts.factories import BillingAccountFactory, BlockFactory, CustomerFactory
    from tests.billing.factories import BillFactory, package
    from tests.prepaid.factories import CardFactory, prime

    today = local_today()
    enrollment = enroll(start=today - dt.timedelta(days=20))
    line = enrollment.line
    spending_limit_open(line=line, package=package(), actor=None, today=today)
    bill = BillFactory(billing_account=line.billing_account, period_start=today - dt.timedelta(days=40),
                       period_end=today - dt.timedelta(days=10), issued_on=today - dt.timedelta(days=9),
                       due_date=today + dt.timedelta(days=11), total=237_000)
    block = BlockFactory(line=line)
    other = postpaid_line_with_device()
    card = CardFactory(balance=100_000)
    prime(card, started_on=today - dt.timedelta(days=3))
    customer = CustomerFactory()
    BillingAccountFactory(customer=customer)
    urls = [
        reverse("accounts:customer_register"),
        reverse("accounts:account_open", args=[customer.pk]),
        reverse("accounts:line_activate", args=[customer.pk]),
        reverse("accounts:marketing_consent", args=[customer.pk]),
        reverse("accounts:line_block", args=[line.pk]),
        reverse("accounts:line_report_lost", args=[line.pk]),
        reverse("accounts:line_package_change", args=[line.pk]),
        reverse("accounts:line_sim_replace", args=[line.pk]),
        reverse("accounts:line_terminate", args=[line.pk]),
        reverse("billing:limit_change", args=[line.pk]),
        reverse("billing:payment_current", args=[line.pk]),
        reverse("billing:payment_record", args=[bill.pk]),
        reverse("billing:objection_file", args=[bill.pk]),
        reverse("billing:statement_resend", args=[bill.pk]),
        reverse("protection:device_set", args=[line.pk]),
        reverse("protection:enroll", args=[other.pk]),
        reverse("protection:claim_new", args=[line.pk, enrollment.pk]),
        reverse("protection:terminate", args=[line.pk, enrollment.pk]),
        reverse("prepaid:topup", args=[card.line_id]),
        reverse("prepaid:purchase", args=[card.line_id]),
        reverse("prepaid:sim_replace", args=[card.line_id]),
        reverse("prepaid:block", args=[card.line_id]),
        reverse("prepaid:app_pass", args=[card.line_id]),
        reverse("prepaid:prime_cancel", args=[card.line_id]),
    ]
    urls.append(reverse("accounts:line_unblock", args=[line.pk, block.pk]))
    return urls, line


def test_every_action_form_fits_1366x768_with_focus_first_and_confirm_last(page):
    agent = AgentFactory(language="en")
    urls, line = _agent_action_urls()
    identity_checked(line.customer, agent)  # termination needs the customer's identity checked first (ACC-10)
    _log_in(page, agent.username, PASSWORD)
    page.wait_for_url("**/")
    problems, seen = [], []
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        state = page.evaluate(LAYOUT, FIRST_FIELD)
        seen.append((url, state["focus"], round(state["submitBottom"])))
        if state["focus"] != state["first"]:
            problems.append(f"{url}: focus on {state['focus']}, first field {state['first']}")
        if state["hasConfirm"] and state["last"] != "confirm":
            problems.append(f"{url}: the confirmation is not last ({state['last']})")
        if not (0 <= state["submitTop"] and state["submitBottom"] <= state["height"]):
            problems.append(f"{url}: submit at {state['submitTop']:.0f}–{state['submitBottom']:.0f} px")
        if state["wide"]:
            problems.append(f"{url}: tables wider than their column {state['wide']}")
    assert problems == [], problems
    assert len(seen) == len(urls) and all(focus for _url, focus, _bottom in seen)


@pytest.mark.rule("LIM-07")
def test_a_refused_submit_shows_the_refusal_once_with_its_next_step(page):
    agent = AgentFactory(language="en")
    urls, line = _agent_action_urls()
    _log_in(page, agent.username, PASSWORD)
    page.wait_for_url("**/")
    from django.urls import reverse

    page.goto(reverse("billing:limit_change", args=[line.pk]))
    page.fill("input[name=new_amount]", "5000000")
    page.check("input[name=confirm]")
    page.click("#action-submit")
    page.wait_for_selector(".next-step")
    text = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
    assert text.count("The bill of Rp 237.000 due") == 1, text
    assert page.locator("a.next-step", has_text="Record the payment").count() == 1


def test_every_line_tab_table_fits_its_column(page):
    agent = AgentFactory(language="en")
    _urls, line = _agent_action_urls()
    from django.urls import reverse

    from accounts.models import Line
    from prepaid.models import Card

    card_line = Line.objects.get(pk=Card.objects.values_list("line_id", flat=True).first())
    _log_in(page, agent.username, PASSWORD)
    page.wait_for_url("**/")
    problems = []
    tables = {"spending": "#cycle-purchases", "bills": "#bills", "protection": "#claims", "blocks": "#block-history",
              "prepaid": "#prepaid-tab table"}
    for subject, tabs in ((line, ("spending", "bills", "protection", "blocks")), (card_line, ("prepaid", "blocks"))):
        for tab in tabs:
            page.goto(reverse("accounts:line_detail", args=[subject.pk]) + f"?tab={tab}")
            page.wait_for_selector(f"#tab-body {tables[tab]}")  # the tab is drawn by htmx after the page
            # every table's right edge inside its column (the history column starts right after it)
            wide = page.evaluate("""() => [...document.querySelectorAll('#tab-body table')].map(t => {
                const column = t.closest('[class*="col-"]') || t.parentElement;
                return [t.id || 'table', t.getBoundingClientRect().right, column.getBoundingClientRect().right,
                        t.scrollWidth, t.parentElement.clientWidth]; })
                .filter(([, right, edge, width, room]) => right > edge + 1 || width > room + 1)""")
            if wide:
                problems.append(f"{tab}: {wide}")
    assert problems == []


@pytest.mark.rule("TP-06")
def test_claim_form_keeps_the_receipt_across_check_then_files_the_claim(page, tmp_path):
    """A UMB subscription's receipt is first seen at the claim: "Check" keeps the attached file for the submit."""
    from protection.models import Claim

    agent = AgentFactory(language="en")
    enrollment = enroll(start=local_today() - dt.timedelta(days=20), channel=Channel.UMB)
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(PDF)
    _log_in(page, agent.username, PASSWORD)
    page.goto(f"/protection/lines/{enrollment.line_id}/enrollments/{enrollment.pk}/claim/")
    page.fill("textarea[name=damage]", "cracked screen")
    page.fill("input[name=purchase_date]", (local_today() - dt.timedelta(days=60)).isoformat())
    page.fill("input[name=receipt_number]", "INV-88")
    page.set_input_files("input[name=receipt]", str(receipt))
    page.click("#action-check")
    page.wait_for_selector(".kept-upload")
    assert _in_view(page, "#action-submit")
    page.check("input[name=confirm]")
    page.click("#action-submit")
    page.wait_for_selector(".alert-success")
    assert "tab=protection" in page.url
    assert Claim.objects.filter(enrollment=enrollment).count() == 1
    enrollment.refresh_from_db()
    assert enrollment.receipt.read() == PDF
