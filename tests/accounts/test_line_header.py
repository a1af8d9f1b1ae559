"""The line page's customer 360 header and its Overview tab (core.header): each app's facts, and a constant number
of queries whatever the size of the data."""

import datetime as dt

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block, Line
from billing.models import Objection, Scope
from billing.services import purchase_authorize
from core.dates import add_months, local_today
from core.header import Attention, HeaderFact, attention_items
from core.models import Channel
from core.templatetags.msisdn import msisdn_grouped
from prepaid import services as prepaid_services
from prepaid.models import Card
from protection.models import Claim
from tests.accounts.factories import BlockFactory, CustomerFactory, LineFactory, PostpaidLineFactory
from tests.billing.factories import BillFactory, open_line, set_limit
from tests.prepaid.factories import CardFactory, prime
from tests.protection.factories import enroll, postpaid_line_with_device

pytestmark = pytest.mark.django_db


def _page(client, line, **params) -> str:
    response = client.get(reverse("accounts:line_detail", args=[line.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def _overview(client, line):
    response = client.get(reverse("accounts:line_tab", args=[line.pk, "overview"]))
    assert response.status_code == 200
    return response


def _d(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


# MSISDN grouping ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "grouped"), [
    ("+6281324434406", "0813-2443-4406"),
    ("081324434406", "0813-2443-4406"),
    ("+62812345678901", "0812-3456-78901"),
    ("+6281234567", "0812-34-567"),
    ("+628123456789", "0812-345-6789"),
    ("", ""),
    ("not a number", "not a number"),
])
def test_msisdn_grouped_filter(number, grouped):
    assert msisdn_grouped(number) == grouped
    assert Template("{% load msisdn %}{{ n|msisdn_grouped }}").render(Context({"n": number})) == grouped


def test_line_customer_and_search_pages_show_the_number_grouped(agent_client):
    line = LineFactory(msisdn="+6281324434406", customer=CustomerFactory(full_name="Nur Saputra"))
    LineFactory(customer=line.customer)
    assert '<span class="mono" id="line-number">0813-2443-4406</span>' in _page(agent_client, line)
    customer_page = agent_client.get(reverse("accounts:customer_detail", args=[line.customer_id])).content.decode()
    assert "0813-2443-4406" in customer_page
    results = agent_client.get(reverse("accounts:search"), {"q": "Saputra"}).content.decode()
    assert "0813-2443-4406" in results


# Postpaid: bills, limits, objections -------------------------------------------------------------------------------


@pytest.mark.rule("BIL-01")
def test_postpaid_header_shows_the_amount_due_and_due_date_and_the_overview_the_payment(agent_client):
    # given: a bill of Rp 237.000 due in 5 days
    today = local_today()
    line = PostpaidLineFactory()
    bill = BillFactory(billing_account=line.billing_account, issued_on=today - dt.timedelta(days=10),
                       due_date=today + dt.timedelta(days=5), total=237_000)
    # when
    content = _page(agent_client, line)
    # then
    assert 'id="fact-billing"' in content
    assert "Rp 237.000" in content and _d(bill.due_date) in content
    items = _overview(agent_client, line).context["items"]
    assert [(item.level, item.url) for item in items] == [
        ("info", reverse("billing:payment_record", args=[bill.pk]))]
    assert "Rp 237.000" in items[0].text and _d(bill.due_date) in items[0].text


@pytest.mark.rule("LIM-05")
def test_overdue_bill_is_red_in_the_header_and_first_on_the_overview(agent_client):
    today = local_today()
    line = PostpaidLineFactory()
    old = BillFactory(billing_account=line.billing_account, period_start=dt.date(2026, 8, 1),
                      issued_on=today - dt.timedelta(days=40), due_date=today - dt.timedelta(days=20), total=100_000,
                      paid=40_000)
    BillFactory(billing_account=line.billing_account, issued_on=today - dt.timedelta(days=2),
                due_date=today + dt.timedelta(days=18), total=50_000)
    content = _page(agent_client, line)
    assert 'id="amount-due" class="text-danger fw-semibold"' in content
    assert "Rp 110.000" in content  # both open bills: 60.000 left on the old one + 50.000
    items = _overview(agent_client, line).context["items"]
    assert items[0].level == "danger"
    assert "Rp 60.000" in items[0].text and _d(old.due_date) in items[0].text
    assert items[0].url == reverse("billing:payment_record", args=[old.pk])


@pytest.mark.rule("LIM-04")
def test_limit_gauges_in_the_header_and_a_limit_near_100_percent_on_the_overview(agent_client):
    line = open_line(today=local_today())
    set_limit(line, 300_000, used=285_000)
    set_limit(line, 1_000_000, scope=Scope.INTERNATIONAL, used=0)
    content = _page(agent_client, line)
    assert 'id="gauge-domestic"' in content and 'id="gauge-international"' in content
    assert "Rp 285.000 / Rp 300.000" in content and "95 %" in content
    assert 'class="gauge-fill warn" style="width: 95%;"' in content
    items = _overview(agent_client, line).context["items"]
    limit_items = [item for item in items if item.url == reverse("billing:limit_change", args=[line.pk])]
    assert len(limit_items) == 1 and "95 %" in limit_items[0].text


@pytest.mark.rule("BIL-03")
def test_open_objections_are_counted_in_the_header(agent_client):
    today = local_today()
    line = PostpaidLineFactory()
    bill = BillFactory(billing_account=line.billing_account, issued_on=today - dt.timedelta(days=10),
                       due_date=today + dt.timedelta(days=10))
    Objection.objects.create(bill=bill, filed_on=today, amount=10_000, description="Roaming charge")
    Objection.objects.create(bill=bill, filed_on=today, amount=5_000, description="Closed one",
                             status=Objection.Status.REJECTED, resolved_at=timezone.now())
    content = _page(agent_client, line)
    assert "1 open objection" in content


# Prepaid: grace, active period, Prime ------------------------------------------------------------------------------


def _status_badge(content: str) -> str:
    start = content.index('id="line-status"')
    return content[content.rindex("<span", 0, start):content.index("</span>", start)]


@pytest.mark.rule("PRE-02")
def test_card_in_grace_is_red_with_the_day_the_balance_is_lost_never_green(agent_client):
    # given: the Active Period ended 5 days ago; grace_until = active_until + 30 days
    today = local_today()
    card = CardFactory(state=Card.State.GRACE, active_until=today - dt.timedelta(days=5), balance=45_000)
    lost_on = card.grace_until + dt.timedelta(days=1)
    # when
    content = _page(agent_client, card.line)
    # then: the status is red and names the day the balance is lost; no green badge, no "days left"
    assert "text-bg-danger" in _status_badge(content)
    assert f"the balance is lost on {_d(lost_on)}" in content
    assert 'id="card-grace"' in content
    header = content[content.index('id="line-header"'):content.index('id="line-tabs"')]
    assert "text-bg-success" not in header and "days left" not in header
    items = _overview(agent_client, card.line).context["items"]
    assert items[0].level == "danger" and _d(lost_on) in items[0].text and "Rp 45.000" in items[0].text
    assert items[0].url == reverse("prepaid:topup", args=[card.line_id])


@pytest.mark.rule("PRE-02")
def test_card_past_its_active_period_before_the_nightly_job_is_shown_in_grace(agent_client):
    today = local_today()
    card = CardFactory(state=Card.State.ACTIVE, active_until=today - dt.timedelta(days=1))
    content = _page(agent_client, card.line)
    assert "text-bg-danger" in _status_badge(content)
    assert f"the balance is lost on {_d(today - dt.timedelta(days=1) + dt.timedelta(days=31))}" in content


@pytest.mark.rule("PRM-01")
def test_active_card_shows_balance_active_until_and_the_prime_tier(agent_client):
    today = local_today()
    card = CardFactory(active_until=today + dt.timedelta(days=21), balance=80_000)
    prime(card, "joy", started_on=today - dt.timedelta(days=10))
    content = _page(agent_client, card.line)
    assert "text-bg-success" in _status_badge(content)
    assert 'id="header-balance">Rp 80.000<' in content
    assert _d(card.active_until) in content and "21 days left" in content
    assert 'id="header-prime"' in content and "Prime Joy" in content
    assert _overview(agent_client, card.line).context["items"] == []


@pytest.mark.rule("PRE-02")
def test_active_period_ending_within_a_week_is_on_the_overview(agent_client):
    today = local_today()
    card = CardFactory(active_until=today + dt.timedelta(days=3))
    items = _overview(agent_client, card.line).context["items"]
    assert [(item.level, item.url) for item in items] == [("warning", reverse("prepaid:topup", args=[card.line_id]))]


# TecProtec: cover left, claims -------------------------------------------------------------------------------------


@pytest.mark.rule("TP-04")
def test_tecprotec_header_names_the_last_covered_day_and_the_days_of_cover_left(agent_client):
    # given: subscribed 10 days ago; the last covered day is the day before the same date 6 months later
    today = local_today()
    start = today - dt.timedelta(days=10)
    enrollment = enroll(start=start)
    last_day = add_months(start, 6) - dt.timedelta(days=1)
    # when
    content = _page(agent_client, enrollment.line)
    # then
    assert enrollment.last_covered_day == last_day
    assert f"Covered until <span class=\"text-nowrap\">{_d(last_day)}</span>" in content
    days = (last_day - today).days + 1
    assert f"{days} days of cover left" in content


@pytest.mark.rule("TP-04")
def test_tecprotec_cover_ending_soon_and_open_claims_are_on_the_overview(agent_client):
    today = local_today()
    start = add_months(today, -6) + dt.timedelta(days=3)  # the last covered day is in 2 days
    enrollment = enroll(start=start)
    Claim.objects.create(enrollment=enrollment, line=enrollment.line, imei=enrollment.imei, damage="Cracked screen",
                         filed_on=today - dt.timedelta(days=9), fee_amount=50_000,
                         sla_due_on=today - dt.timedelta(days=2))
    content = _page(agent_client, enrollment.line)
    assert "3 days of cover left" in content and "1 open claim" in content
    items = _overview(agent_client, enrollment.line).context["items"]
    tab = reverse("accounts:line_detail", args=[enrollment.line_id]) + "?tab=protection"
    assert [(item.level, item.url) for item in items] == [("danger", tab), ("warning", tab)]
    assert _d(enrollment.last_covered_day) in items[1].text


# Blocks and the customer's other lines -----------------------------------------------------------------------------


def test_other_lines_of_the_customer_are_linked_with_their_status(agent_client):
    line = LineFactory()
    blocked = LineFactory(customer=line.customer, msisdn="+6281324434406")
    BlockFactory(line=blocked)
    LineFactory(customer=line.customer, status=Line.Status.RECYCLED, msisdn="+6281324434407",
                terminated_on=dt.date(2026, 2, 1))
    content = _page(agent_client, line)
    other = content[content.index('id="other-lines"'):]
    other = other[:other.index("</ul>")]
    assert reverse("accounts:line_detail", args=[blocked.pk]) in other and "0813-2443-4406" in other
    assert "Blocked" in other
    assert "0813-2443-4407" not in other  # a recycled number is not the customer's any more


def test_open_blocks_are_on_the_overview_with_the_blocks_tab(agent_client):
    line = LineFactory()
    BlockFactory(line=line, reason=Block.Reason.LOST_SIM)
    items = _overview(agent_client, line).context["items"]
    assert [(item.level, item.url) for item in items] == [
        ("danger", reverse("accounts:line_detail", args=[line.pk]) + "?tab=blocks")]
    assert "Lost SIM reported" in items[0].text


def test_overview_is_the_first_tab_and_blocks_stays_a_tab(agent_client):
    line = LineFactory()
    response = agent_client.get(reverse("accounts:line_detail", args=[line.pk]))
    keys = [tab.key for tab in response.context["tabs"]]
    assert keys[:2] == ["overview", "blocks"] and response.context["active_tab"] == "overview"
    assert "Nothing needs attention on this line." in _overview(agent_client, line).content.decode()


def test_attention_items_are_ordered_by_urgency():
    facts = [HeaderFact(key="a", template="", attention=[Attention("info", level="info")]),
             HeaderFact(key="b", template="", attention=[Attention("warn"), Attention("red", level="danger")])]
    assert [item.text for item in attention_items(facts)] == ["red", "warn", "info"]


# Query counts ------------------------------------------------------------------------------------------------------


def _count(client, url) -> int:
    client.get(url)  # warm the session and permission caches the same way for both sizes
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _postpaid(bills: int, lines: int):
    """A postpaid line with its limits, TecProtec, `bills` open bills with objections, `bills` purchases and claims,
    on a customer with `lines` other lines."""
    today = local_today()
    line = postpaid_line_with_device()
    from billing.services import spending_limit_open
    from tests.billing.factories import package

    spending_limit_open(line=line, package=package("halo_kick"), actor=None, today=today)
    set_limit(line, 5_000_000)
    enrollment = enroll(line=line, start=today - dt.timedelta(days=30))
    for index in range(bills):
        bill = BillFactory(billing_account=line.billing_account, period_start=dt.date(2020 + index // 12,
                           index % 12 + 1, 1), issued_on=today - dt.timedelta(days=5),
                           due_date=today - dt.timedelta(days=index % 2))
        Objection.objects.create(bill=bill, filed_on=today, amount=1_000, description="x")
        purchase_authorize(request_id=f"q{line.pk}-{index}", line=line, scope="domestic", category="addon",
                           amount=1_000, today=today)
        Claim.objects.create(enrollment=enrollment, line=line, imei=enrollment.imei, damage="x", filed_on=today,
                             fee_amount=50_000, sla_due_on=today + dt.timedelta(days=7))
    for _ in range(lines):
        BlockFactory(line=PostpaidLineFactory(customer=line.customer, billing_account=line.billing_account))
    return line


def _prepaid(purchases: int, lines: int):
    today = local_today()
    card = CardFactory(active_until=today + dt.timedelta(days=20), balance=10_000_000)
    prime(card, "joy", started_on=today - dt.timedelta(days=10))
    for index in range(purchases):
        prepaid_services.package_purchase(card=card, package_code="HARIAN_1GB", reference=f"r{card.pk}-{index}",
                                          channel=Channel.GRAPARI)
    for _ in range(lines):
        LineFactory(customer=card.line.customer)
    return card.line


def test_postpaid_line_page_with_its_header_makes_the_same_queries_with_1_or_many_bills_and_purchases(agent_client):
    small = _postpaid(bills=1, lines=1)
    large = _postpaid(bills=15, lines=12)
    url = "accounts:line_detail"
    assert _count(agent_client, reverse(url, args=[small.pk])) == _count(agent_client, reverse(url, args=[large.pk]))
    assert _count(agent_client, reverse("accounts:line_tab", args=[small.pk, "overview"])) == _count(
        agent_client, reverse("accounts:line_tab", args=[large.pk, "overview"]))


def test_prepaid_line_page_with_its_header_makes_the_same_queries_with_1_or_many_purchases(agent_client):
    small = _prepaid(purchases=1, lines=1)
    large = _prepaid(purchases=15, lines=12)
    url = "accounts:line_detail"
    assert _count(agent_client, reverse(url, args=[small.pk])) == _count(agent_client, reverse(url, args=[large.pk]))
    assert _count(agent_client, reverse("accounts:line_tab", args=[small.pk, "overview"])) == _count(
        agent_client, reverse("accounts:line_tab", args=[large.pk, "overview"]))
