"""The whole counter journey in a real browser at 1366×768, in both languages (issue #11, "Tests"):

call next → find and identify the customer → record the identity check (original KTP shown, passed) → the line page
with the amount due in its header → a limit upgrade refused by the unpaid bill (LIM-07), the refusal read once with
the customer's own figures and the next step → the payment recorded from that link → the upgrade again, which now
succeeds and comes back to its tab → "Call next" refused before the wrap-up → the wrap-up → call next.

Once with the mouse, once with the keyboard only (Tab, Enter, Space, arrow keys and the pages' shortcuts, no click),
and a prepaid card in grace (PRE-02). axe-core runs on every page the journey loads and fails on serious or critical
violations.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse

from billing.models import Bill, Scope
from core.dates import local_today
from core.models import AuditEvent
from prepaid.models import Card
from tests.accounts.factories import CustomerFactory, LineFactory
from tests.billing.factories import BillFactory, limit_of, open_line
from tests.e2e.axe import axe_check
from tests.e2e.test_workspace import PASSWORD, _log_in
from tests.prepaid.factories import CardFactory
from tests.visits.factories import issue, seated_agent
from visits.models import Reason, Visit, WrapUpItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AMOUNT_DUE = 237_000
NEW_LIMIT = 500_000

TEXT = {
    "en": {
        "call": "Call next", "pending": "Finish the wrap-up of ticket {number} first.", "passed": "Passed",
        "refusal": "The bill of Rp 237.000 due {due} is unpaid", "next_step": "Record the payment",
        "paid": "Payment of Rp 237.000 recorded.", "changed": "is now Rp 500.000",
        "wrapped": "Visit {number} wrapped up.", "grace": "the balance is lost on",
    },
    "id": {
        "call": "Panggil berikutnya", "pending": "Selesaikan dulu ringkasan tiket {number}.", "passed": "Lolos",
        "refusal": "Tagihan Rp 237.000 jatuh tempo {due} belum dibayar", "next_step": "Catat pembayaran",
        "paid": "Pembayaran Rp 237.000 telah dicatat.", "changed": "sekarang Rp 500.000",
        "wrapped": "Kunjungan {number} diringkas.", "grace": "pulsa hangus pada",
    },
}


# -- the data: an agent at counter 1, a customer whose bill is past its due date, their ticket and the next one ----

def _counter_with_a_late_payer(language: str) -> dict:
    today = local_today()
    agent = seated_agent(language=language)
    customer = CustomerFactory(full_name="Nur Saputra")
    # 400 days old: LIM-07's tenure and LIM-09's tenured maximum (Rp 5.000.000) allow the upgrade once paid
    line = open_line(today=today, activated_on=today - dt.timedelta(days=400), customer=customer,
                     msisdn="+6281324434406")
    bill = BillFactory(billing_account=line.billing_account, period_start=today - dt.timedelta(days=60),
                       period_end=today - dt.timedelta(days=31), issued_on=today - dt.timedelta(days=30),
                       due_date=today - dt.timedelta(days=10), total=AMOUNT_DUE)
    first = issue(agent.outlet, Reason.LIMIT_CHANGE, minutes_ago=7)
    second = issue(agent.outlet, Reason.BILL_PAYMENT, minutes_ago=2)
    return {"agent": agent, "customer": customer, "line": line, "bill": bill, "first": first, "second": second,
            "old_limit": limit_of(line).amount, "due": bill.due_date.strftime("%d-%m-%Y")}


def _settled_axe(page, where: str) -> None:
    """After a page load: htmx done (the line page loads its tab), then axe (serious or critical fails)."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("!document.querySelector('.htmx-request')")
    axe_check(page, where=where)


def _content_text(page) -> str:
    return page.locator("#content").inner_text()


def _assert_refused_once_with_figures(page, text: dict, data: dict) -> None:
    """LIM-07: the refusal names the customer's amount and due date once, with one link to record the payment."""
    from playwright.sync_api import expect

    refusal = text["refusal"].format(due=data["due"])
    expect(page.locator("#action-form")).to_be_visible()
    shown = _content_text(page)
    assert shown.count(refusal) == 1, f"{refusal!r} shown {shown.count(refusal)} times in:\n{shown}"
    step = page.locator("#content a.next-step")
    expect(step).to_have_count(1)
    expect(step).to_have_text(text["next_step"])
    expect(step).to_have_attribute("href", _payment_path(data))


def _assert_journey_recorded(data: dict) -> None:
    """The database tells the same story: paid, upgraded, wrapped up, every action linked to the visit."""
    line, bill = data["line"], data["bill"]
    bill.refresh_from_db()
    assert (bill.status, bill.outstanding) == (Bill.Status.PAID, 0)
    assert limit_of(line, Scope.DOMESTIC).amount == NEW_LIMIT
    visit = Visit.objects.get(ticket=data["first"])
    assert (visit.customer, visit.outcome) == (data["customer"], Visit.Outcome.WRAPPED_UP)
    item = WrapUpItem.objects.get(visit=visit)
    assert (item.reason, item.resolution, item.line) == (Reason.LIMIT_CHANGE, "resolved", line)
    verbs = list(AuditEvent.objects.filter(interaction_id=visit.pk).order_by("id").values_list("verb", flat=True))
    for verb in ["visit.called", "visit.customer_identified", "customer.identity_checked", "bill.payment",
                 "limit.changed", "visit.wrapped_up"]:
        assert verb in verbs, verbs
    assert verbs.index("bill.payment") < verbs.index("limit.changed") < verbs.index("visit.wrapped_up")
    assert Visit.objects.get(ticket=data["second"]).agent == data["agent"]


def _payment_path(data: dict) -> str:
    return reverse("billing:payment_record", args=[data["bill"].pk])


# -- with the mouse ------------------------------------------------------------------------------------------------

@pytest.mark.rule("LIM-07")
@pytest.mark.rule("ACC-10")
@pytest.mark.parametrize("language", ["en", "id"])
def test_counter_journey_refused_upgrade_paid_then_upgraded_wrapped_up(page, language):
    from playwright.sync_api import expect

    text = TEXT[language]
    data = _counter_with_a_late_payer(language)
    line, first, second = data["line"], data["first"], data["second"]
    _log_in(page, data["agent"].username, PASSWORD)

    # 1. the counter; call the next ticket: its number and the wait
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#call-next")).to_have_text(text["call"])
    _settled_axe(page, "counter")
    page.click("#call-next")
    expect(page.locator("#visit-ticket")).to_have_text(first.number)
    expect(page.locator("#visit-wait")).to_contain_text("7")
    _settled_axe(page, "counter, ticket called")

    # 2. find the customer by their surname, identify them, record the identity check
    page.fill("#customer-q", "Saputra")
    page.click("#customer-search")
    expect(page.locator("#customer-results li")).to_have_count(1)
    _settled_axe(page, "counter, customer found")
    page.locator("#customer-results button").click()
    expect(page.locator("#visit-customer")).to_have_text("Nur Saputra")
    _settled_axe(page, "counter, customer identified")
    page.click("#record-identity-check")
    _settled_axe(page, "identity check form")
    page.select_option("select[name=method]", "ktp_nik")  # original KTP shown, NIK matched
    page.check("input[name=result][value=passed]")
    page.click("#action-submit")
    expect(page.locator("#visit-identity")).to_contain_text(text["passed"])
    _settled_axe(page, "counter, identity checked")

    # 3. the line page: the amount due in the header; the upgrade is refused by the unpaid bill (LIM-07)
    page.locator("#visit-lines a").click()
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/$"))
    expect(page.locator("#amount-due")).to_contain_text("Rp 237.000")
    _settled_axe(page, "line page")
    page.click("#tab-spending")
    expect(page.locator("#limit-change-link")).to_be_visible()
    _settled_axe(page, "line page, spending tab")
    page.click("#limit-change-link")
    _settled_axe(page, "limit change form")
    page.fill("input[name=new_amount]", str(NEW_LIMIT))
    page.check("input[name=confirm]")
    page.click("#action-submit")
    _assert_refused_once_with_figures(page, text, data)
    assert limit_of(line).amount == data["old_limit"]
    _settled_axe(page, "limit change refused")

    # 4. record the payment from the refusal's next step, then the upgrade succeeds and is back on its tab
    page.click("#content a.next-step")
    expect(page).to_have_url(re.compile(re.escape(_payment_path(data)) + "$"))
    expect(page.locator("input[name=amount]")).to_have_value(str(AMOUNT_DUE))
    _settled_axe(page, "payment form")
    page.fill("input[name=reference]", "TRX-0001")
    page.check("input[name=confirm]")
    page.click("#action-submit")
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/\?tab=bills$"))
    expect(page.locator(".alert-success")).to_contain_text(text["paid"])
    expect(page.locator("#amount-due")).not_to_contain_text("Rp 237.000")
    _settled_axe(page, "line page after the payment")
    page.click("#tab-spending")
    page.click("#limit-change-link")
    page.fill("input[name=new_amount]", str(NEW_LIMIT))
    page.check("input[name=confirm]")
    page.click("#action-submit")
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/\?tab=spending$"))
    expect(page.locator(".alert-success")).to_contain_text(text["changed"])
    expect(page.locator("#tab-spending")).to_have_attribute("aria-selected", "true")
    _settled_axe(page, "line page after the upgrade")

    # 5. back at the counter: "Call next" is refused before the wrap-up; the wrap-up; call next
    page.click("#visit-banner-wrap-up")
    _settled_axe(page, "counter, wrap-up")
    page.click("#call-next")
    expect(page.locator(".alert-danger")).to_contain_text(text["pending"].format(number=first.number))
    expect(page.locator("#visit-ticket")).to_have_text(first.number)
    _settled_axe(page, "counter, call next refused")
    expect(page.locator("select[name=items-0-reason]")).to_have_value(Reason.LIMIT_CHANGE)  # from the ticket
    page.select_option("select[name=items-0-resolution]", "resolved")
    page.select_option("select[name=items-0-subject]", f"line:{line.pk}")
    page.click("#wrap-up-submit")
    expect(page.locator(".alert-success")).to_contain_text(text["wrapped"].format(number=first.number))
    expect(page.locator("#visit-banner")).to_have_count(0)
    _settled_axe(page, "counter, wrapped up")
    page.click("#call-next")
    expect(page.locator("#visit-ticket")).to_have_text(second.number)
    _settled_axe(page, "counter, next ticket")
    _assert_journey_recorded(data)


# -- with the keyboard only ----------------------------------------------------------------------------------------

MAX_TABS = 80


def _focused_matches(page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector)


def _tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until the focus is on `selector`: what an agent does without a mouse."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if _focused_matches(page, selector):
            return
        page.keyboard.press(key)
    assert _focused_matches(page, selector), f"{selector} not reached by {key} on {page.url}"


def _tab_and_press(page, selector: str, key: str = "Enter", *, backwards: bool = False) -> None:
    _tab_to(page, selector, backwards=backwards)
    page.keyboard.press(key)


def _leave_field(page) -> None:
    """Most pages open with the cursor in the search box; Esc leaves it so that shortcuts work."""
    page.keyboard.press("Escape")


def _keyboard_log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _fill_by_keyboard(page, selector: str, value: str) -> None:
    _tab_to(page, selector)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(value)


def _keyboard_upgrade(page) -> None:
    """On the line page: the Spending tab by its digit, Tab to "Change the limit", the form by keys."""
    _leave_field(page)
    digit = page.locator("#tab-spending").get_attribute("data-shortcut")
    page.keyboard.press(digit)
    from playwright.sync_api import expect

    expect(page.locator("#tab-spending")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#limit-change-link")).to_be_visible()
    _tab_and_press(page, "#limit-change-link")
    page.wait_for_url(re.compile(r"/limit/"))
    assert _focused_matches(page, "[name=scope]")  # the form's first field has the cursor
    _fill_by_keyboard(page, "[name=new_amount]", str(NEW_LIMIT))
    _tab_and_press(page, "[name=confirm]", "Space")
    _tab_and_press(page, "#action-submit")


@pytest.mark.rule("LIM-07")
@pytest.mark.rule("ACC-10")
@pytest.mark.parametrize("language", ["en", "id"])
def test_counter_journey_by_keyboard_only(page, language):
    from playwright.sync_api import expect

    text = TEXT[language]
    data = _counter_with_a_late_payer(language)
    line, first, second = data["line"], data["first"], data["second"]
    _keyboard_log_in(page, data["agent"].username)

    # 1. the counter: "?" lists the shortcuts; Tab to "Call next", Enter
    expect(page.locator("#call-next")).to_have_text(text["call"])
    _settled_axe(page, "counter")
    _leave_field(page)
    page.keyboard.type("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    assert "/" in page.locator("#shortcut-help-rows").inner_text()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcut-help")).to_be_hidden()
    _tab_and_press(page, "#call-next")
    expect(page.locator("#visit-ticket")).to_have_text(first.number)
    expect(page.locator("#visit-wait")).to_contain_text("7")
    _settled_axe(page, "counter, ticket called")

    # 2. the customer by surname (Enter submits the search), identified, the identity check recorded
    _fill_by_keyboard(page, "#customer-q", "Saputra")
    page.keyboard.press("Enter")
    expect(page.locator("#customer-results li")).to_have_count(1)
    _settled_axe(page, "counter, customer found")
    _tab_and_press(page, "#customer-results button")
    expect(page.locator("#visit-customer")).to_have_text("Nur Saputra")
    _settled_axe(page, "counter, customer identified")
    _tab_and_press(page, "#record-identity-check")
    page.wait_for_url(re.compile(r"/identity"))
    _settled_axe(page, "identity check form")
    assert _focused_matches(page, "[name=method]")
    assert page.locator("select[name=method]").input_value() == "ktp_nik"  # the first choice: original KTP shown
    _tab_and_press(page, "input[name=result][value=passed]", "Space")
    _tab_and_press(page, "#action-submit")
    expect(page.locator("#visit-identity")).to_contain_text(text["passed"])
    _settled_axe(page, "counter, identity checked")

    # 3. the line page; the upgrade refused with the figures, once
    _tab_and_press(page, "#visit-lines a")
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/$"))
    expect(page.locator("#amount-due")).to_contain_text("Rp 237.000")
    _settled_axe(page, "line page")
    _leave_field(page)
    page.keyboard.type("?")  # the help lists this page's shortcuts too: the tabs' digits, the line's actions
    rows = page.locator("#shortcut-help-rows").inner_text()
    spending = page.locator("#tab-spending")
    row = rf"^{spending.get_attribute('data-shortcut')}\s+{re.escape(spending.inner_text().strip())}$"
    assert re.search(row, rows, re.M), rows
    page.keyboard.press("Escape")
    expect(page.locator("#shortcut-help")).to_be_hidden()
    _keyboard_upgrade(page)
    _assert_refused_once_with_figures(page, text, data)
    _settled_axe(page, "limit change refused")

    # 4. the next step by keyboard (the refusal sits above the fields: Shift+Tab), the payment, the upgrade
    _tab_and_press(page, "#content a.next-step", backwards=True)
    expect(page).to_have_url(re.compile(re.escape(_payment_path(data)) + "$"))
    _settled_axe(page, "payment form")
    _fill_by_keyboard(page, "[name=reference]", "TRX-0002")
    _tab_and_press(page, "[name=confirm]", "Space")
    _tab_and_press(page, "#action-submit")
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/\?tab=bills$"))
    expect(page.locator(".alert-success")).to_contain_text(text["paid"])
    _settled_axe(page, "line page after the payment")
    _keyboard_upgrade(page)
    expect(page).to_have_url(re.compile(rf"/lines/{line.pk}/\?tab=spending$"))
    expect(page.locator(".alert-success")).to_contain_text(text["changed"])
    _settled_axe(page, "line page after the upgrade")

    # 5. "Wrap up" in the visit banner; "Call next" refused; the wrap-up row by arrow keys; call next
    _leave_field(page)
    _tab_and_press(page, "#visit-banner-wrap-up")
    page.wait_for_url(re.compile(r"/#wrap-up$"))
    _settled_axe(page, "counter, wrap-up")
    _tab_and_press(page, "#call-next")
    expect(page.locator(".alert-danger")).to_contain_text(text["pending"].format(number=first.number))
    _settled_axe(page, "counter, call next refused")
    _tab_and_press(page, "select[name=items-0-resolution]", "ArrowDown")  # "—" → the first: resolved
    expect(page.locator("select[name=items-0-resolution]")).to_have_value("resolved")
    _tab_and_press(page, "select[name=items-0-subject]", "ArrowDown")  # "—" → the first line
    expect(page.locator("select[name=items-0-subject]")).to_have_value(f"line:{line.pk}")
    _tab_and_press(page, "#wrap-up-submit")
    expect(page.locator(".alert-success")).to_contain_text(text["wrapped"].format(number=first.number))
    _settled_axe(page, "counter, wrapped up")
    _tab_and_press(page, "#call-next")
    expect(page.locator("#visit-ticket")).to_have_text(second.number)
    _settled_axe(page, "counter, next ticket")
    _assert_journey_recorded(data)


# -- a prepaid card in grace ---------------------------------------------------------------------------------------

@pytest.mark.rule("PRE-02")
@pytest.mark.parametrize("language", ["en", "id"])
def test_grace_card_header_is_red_with_the_day_the_balance_is_lost(page, language):
    from playwright.sync_api import expect

    text = TEXT[language]
    agent = seated_agent(language=language)
    today = local_today()
    card = CardFactory(line=LineFactory(msisdn="+6285611112222", customer=CustomerFactory(full_name="Siti Rahayu")),
                       state=Card.State.GRACE, active_until=today - dt.timedelta(days=9), balance=45_000)
    lost_on = (card.grace_until + dt.timedelta(days=1)).strftime("%d-%m-%Y")
    _log_in(page, agent.username, PASSWORD)
    page.goto(f"/lines/{card.line_id}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    alarm = page.locator("#line-header .header-alarm")
    expect(alarm).to_have_count(1)
    expect(alarm).to_contain_text(f"{text['grace']} {lost_on}")
    expect(alarm).to_have_class(re.compile(r"\btext-bg-danger\b"))
    expect(page.locator("#line-status")).to_have_class(re.compile(r"\btext-bg-danger\b"))
    expect(page.locator("#line-header .text-bg-success")).to_have_count(0)  # no green "Active" while it counts down
    _settled_axe(page, "grace card's line page")
