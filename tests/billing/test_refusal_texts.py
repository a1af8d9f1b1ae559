"""Refusals an agent reads out: the customer's own figures and the next step, once (issue 11, "Texts")."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from billing.rules import limit_change_eligibility
from core.dates import local_today
from tests.billing.factories import BillFactory, limit_of, open_line

pytestmark = pytest.mark.django_db


def _unpaid_line():
    """An old line with one unpaid bill of Rp 237.000 due 06-12-2026."""
    today = local_today()
    line = open_line(today=today, activated_on=today - dt.timedelta(days=400))
    bill = BillFactory(billing_account=line.billing_account, period_start=dt.date(2026, 10, 21),
                       period_end=dt.date(2026, 11, 20), issued_on=min(today, dt.date(2026, 11, 16)),
                       due_date=dt.date(2026, 12, 6), total=237_000)
    return line, bill


@pytest.mark.rule("LIM-07")
@pytest.mark.parametrize(("language", "text", "step"), [
    ("en", "The bill of Rp 237.000 due 06-12-2026 is unpaid", "Record the payment"),
    ("id", "Tagihan Rp 237.000 jatuh tempo 06-12-2026 belum dibayar", "Catat pembayaran"),
])
def test_lim07_outstanding_bill_refusal_names_amount_due_date_and_the_payment(language, text, step):
    line, bill = _unpaid_line()
    with translation.override(language):
        verdict = limit_change_eligibility(line=line, new_amount=5_000_000)
        reason = next(reason for reason in verdict.reasons if reason.code == "outstanding_bill")
        assert reason.message == text
        assert str(reason.next_step.label) == step
    assert reason.next_step.href == reverse("billing:payment_record", args=[bill.pk])
    assert "<" not in reason.message  # the API gets the plain message


@pytest.mark.rule("LIM-07")
def test_lim07_refused_upgrade_shows_the_refusal_once_with_its_link(agent_client):
    line, bill = _unpaid_line()
    response = agent_client.post(reverse("billing:limit_change", args=[line.pk]),
                                 {"scope": "domestic", "new_amount": "5000000", "channel": "grapari",
                                  "confirm": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("The bill of Rp 237.000 due 06-12-2026 is unpaid") == 1
    assert html.count(f'href="{reverse("billing:payment_record", args=[bill.pk])}" class="next-step"') == 1


@pytest.mark.rule("LIM-07")
def test_lim07_tenure_refusal_names_the_months_and_the_start_day():
    today = local_today()
    line = open_line(today=today, activated_on=today - dt.timedelta(days=10))
    with translation.override("en"):
        reason = next(r for r in limit_change_eligibility(line=line, new_amount=5_000_000).reasons
                      if r.code == "tenure")
    assert "0 months old" in reason.message and (today - dt.timedelta(days=10)).strftime("%d-%m-%Y") in reason.message
    assert "3 months" in reason.message


@pytest.mark.rule("LIM-08")
def test_lim08_limit_button_on_the_tab_is_disabled_with_the_date_of_the_last_change(agent_client):
    today = local_today()
    line = open_line(today=today, activated_on=today - dt.timedelta(days=400))
    response = agent_client.post(reverse("billing:limit_change", args=[line.pk]),
                                 {"scope": "domestic", "new_amount": str(limit_of(line).amount + 100_000),
                                  "channel": "grapari", "confirm": "on"})
    assert response.status_code == 302
    html = agent_client.get(reverse("accounts:line_tab", args=[line.pk, "spending"])).content.decode()
    # then the button is there, disabled (no href), with the reason as text next to it
    assert 'id="limit-change-link" aria-describedby="limit-change-link-why"' in html
    assert 'aria-disabled="true"' in html and 'data-code="once_per_month"' in html
    assert reverse("billing:limit_change", args=[line.pk]) not in html


@pytest.mark.rule("BIL-03")
def test_bil03_objection_button_is_disabled_after_the_window_with_its_last_day(agent_client):
    line = open_line(today=local_today())
    issued = local_today() - dt.timedelta(days=100)
    bill = BillFactory(billing_account=line.billing_account, period_start=issued - dt.timedelta(days=30),
                       period_end=issued - dt.timedelta(days=1), issued_on=issued,
                       due_date=issued + dt.timedelta(days=20))
    html = agent_client.get(reverse("accounts:line_tab", args=[line.pk, "bills"])).content.decode()
    assert reverse("billing:objection_file", args=[bill.pk]) not in html
    assert 'data-code="objection_window_closed"' in html and "Objections accepted until" in html


def test_bills_are_named_by_their_month_not_a_reference(agent_client):
    line, _bill = _unpaid_line()
    html = agent_client.get(reverse("accounts:line_tab", args=[line.pk, "bills"])).content.decode()
    assert "Bill November 2026" in html
    with translation.override("id"):
        from billing.texts import bill_label

        assert bill_label(_bill) == "Tagihan November 2026"


@pytest.mark.rule("LIM-12")
def test_lim12_missing_package_is_a_hint_not_a_refusal():
    """The package-change and activation previews: "Choose the basic package." is missing input, not "Not possible"."""
    from accounts.services import package_change_eligibility

    line = open_line(today=local_today())
    verdict = package_change_eligibility(line=line, params={})
    assert verdict.reasons == [] and verdict.missing_codes == ["package_required"]
