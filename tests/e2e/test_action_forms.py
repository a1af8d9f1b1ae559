"""The action kit in a real browser at 1366×768: the focus on the form's first field (not the search box), the
confirmation last, the submit button in view, and a "Check" that keeps the attached receipt."""

import datetime as dt

import pytest

from core.dates import local_today
from protection.models import Enrollment
from tests.accounts.factories import AgentFactory
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
