"""The line page's customer 360 header and Overview tab at 1366×768, in both languages: a postpaid line with a bill
due, its limit gauges and TecProtec, and a prepaid card in grace (PRE-02). Nothing in the header overflows, the
gauges' labels do not collide with their bars. The README's line-page screenshot is taken here."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from billing.models import Scope
from billing.services import spending_limit_open
from core.dates import local_today
from prepaid.models import Card
from tests.accounts.factories import AgentFactory, CustomerFactory, LineFactory
from tests.billing.factories import BillFactory, package, set_limit
from tests.prepaid.factories import CardFactory, prime
from tests.protection.factories import enroll, postpaid_line_with_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "screenshots" / "line-page.png"
WIDTH = 1366

TEXTS = {
    "en": {"overview": "Overview", "due": "Record a payment", "grace": "the balance is lost on"},
    "id": {"overview": "Ringkasan", "due": "Catat pembayaran", "grace": "pulsa hangus pada"},
}


def _log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _postpaid_line():
    today = local_today()
    line = postpaid_line_with_device(msisdn="+6281324434406", customer=CustomerFactory(full_name="Nur Saputra"))
    spending_limit_open(line=line, package=package("halo_kick"), actor=None, today=today)
    set_limit(line, 300_000, used=255_000)
    set_limit(line, 1_000_000, scope=Scope.INTERNATIONAL, used=120_000)
    BillFactory(billing_account=line.billing_account, issued_on=today - dt.timedelta(days=10),
                due_date=today + dt.timedelta(days=5), total=237_000)
    enroll(line=line, start=today - dt.timedelta(days=40))
    LineFactory(customer=line.customer, msisdn="+6285712345678")
    return line


def _grace_line():
    today = local_today()
    card = CardFactory(line=LineFactory(msisdn="+6285611112222", customer=CustomerFactory(full_name="Siti Rahayu")),
                       state=Card.State.GRACE, active_until=today - dt.timedelta(days=9), balance=45_000)
    prime(card, "joy", started_on=today - dt.timedelta(days=40))
    return card


def _assert_fits(page):
    """Nothing wider than the window; every fact box inside the header; each gauge label above its bar."""
    header = page.locator("#line-header").bounding_box()
    assert header["x"] >= 0 and header["x"] + header["width"] <= WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    for index in range(page.locator(".header-fact").count()):
        box = page.locator(".header-fact").nth(index).bounding_box()
        assert box["x"] >= header["x"] and box["x"] + box["width"] <= header["x"] + header["width"] + 0.5
    for index in range(page.locator(".header-gauge").count()):
        gauge = page.locator(".header-gauge").nth(index)
        label, bar = gauge.locator(".header-gauge-label").bounding_box(), gauge.locator(".gauge").bounding_box()
        assert label["y"] + label["height"] <= bar["y"] + 0.5  # the label sits above the bar, not over it
        assert label["x"] + label["width"] <= header["x"] + header["width"]


@pytest.mark.rule("PRE-02")
@pytest.mark.parametrize("language", ["en", "id"])
def test_header_and_overview_of_a_postpaid_and_a_grace_prepaid_line_fit_1366x768(page, language):
    from playwright.sync_api import expect

    texts = TEXTS[language]
    agent = AgentFactory(language=language)
    postpaid = _postpaid_line()
    card = _grace_line()
    _log_in(page, agent.username)

    # the postpaid line: amount due, gauges, TecProtec, the other line; the Overview tab first with the payment
    page.goto(f"/lines/{postpaid.pk}/")
    expect(page.locator("#line-number")).to_have_text("0813-2443-4406")
    expect(page.locator("#tab-overview")).to_have_text(texts["overview"])
    expect(page.locator("#amount-due")).to_contain_text("Rp 237.000")
    expect(page.locator("#gauge-domestic")).to_contain_text("85 %")
    expect(page.locator("#gauge-international")).to_contain_text("12 %")
    expect(page.locator("#cover-state")).to_be_visible()
    expect(page.locator("#other-lines")).to_contain_text("0857-1234-5678")
    expect(page.locator("#attention")).to_contain_text(texts["due"])
    _assert_fits(page)
    if language == "en":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))

    # the card in grace: red status with the day the balance is lost, no green badge in the header
    page.goto(f"/lines/{card.line_id}/")
    lost_on = (card.grace_until + dt.timedelta(days=1)).strftime("%d-%m-%Y")
    expect(page.locator(".header-alarm")).to_contain_text(f"{texts['grace']} {lost_on}")
    expect(page.locator("#line-status")).to_have_class("badge text-bg-danger align-middle")
    expect(page.locator("#line-header .text-bg-success")).to_have_count(0)
    expect(page.locator("#header-prime")).to_contain_text("Prime Joy")
    expect(page.locator("#attention .alert-danger").first).to_contain_text(lost_on)
    _assert_fits(page)
