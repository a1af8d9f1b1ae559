"""Agent pages: the spending and bills tabs, the limit-change, payment and objection forms; the admin."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import CreditNote, LimitChange, Objection, Payment
from billing.services import purchase_authorize
from core.dates import local_today
from core.models import AuditEvent
from tests.accounts.factories import LineFactory
from tests.billing.factories import BillFactory, limit_of, open_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(db):
    return open_line(today=local_today(), activated_on=dt.date(2024, 1, 1))


@pytest.fixture
def bill(line):
    today = local_today()
    return BillFactory(billing_account=line.billing_account, issued_on=today - dt.timedelta(days=5),
                       due_date=today + dt.timedelta(days=15), period_start=today - dt.timedelta(days=40),
                       period_end=today - dt.timedelta(days=10), total=150_000)


def urls(line, bill):
    return [
        reverse("accounts:line_tab", args=[line.pk, "spending"]),
        reverse("accounts:line_tab", args=[line.pk, "bills"]),
        reverse("billing:limit_change", args=[line.pk]),
        reverse("billing:payment_current", args=[line.pk]),
        reverse("billing:payment_record", args=[bill.pk]),
        reverse("billing:objection_file", args=[bill.pk]),
        reverse("billing:bill_detail", args=[bill.pk]),
        reverse("billing:statement_resend", args=[bill.pk]),
    ]


def test_anonymous_is_sent_to_login(client, line, bill):
    for url in urls(line, bill):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_agent_and_supervisor_see_every_page(agent_client, line, bill, supervisor):
    for url in urls(line, bill):
        assert agent_client.get(url).status_code == 200, url
    agent_client.force_login(supervisor)
    for url in urls(line, bill):
        assert agent_client.get(url).status_code == 200, url


def test_user_without_billing_permissions_is_refused(client, line, bill):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory())
    for url in urls(line, bill)[2:]:
        assert client.get(url).status_code == 403, url


def test_tabs_do_not_apply_to_prepaid_lines(agent_client):
    prepaid = LineFactory()
    assert agent_client.get(reverse("accounts:line_tab", args=[prepaid.pk, "spending"])).status_code == 404
    assert agent_client.get(reverse("billing:limit_change", args=[prepaid.pk])).status_code == 404


def test_spending_tab_shows_gauges_purchases_and_history(agent_client, line):
    purchase_authorize(request_id="v1", line=line, scope="domestic", category="addon", amount=150_000)
    purchase_authorize(request_id="v2", line=line, scope="domestic", category="addon", amount=900_000)
    html = agent_client.get(reverse("accounts:line_tab", args=[line.pk, "spending"])).content.decode()
    assert 'data-gauge="domestic"' in html and 'data-gauge="international"' in html
    assert "Rp 250.000 / Rp 300.000 (83%)" in html
    assert "Rp 900.000" in html  # the declined purchase with its reason
    assert 'id="allowed-range"' in html and 'id="limit-history"' in html


def test_spending_tab_query_count_is_constant(agent_client, line):
    url = reverse("accounts:line_tab", args=[line.pk, "spending"])
    agent_client.get(url)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url)
    for index in range(15):
        purchase_authorize(request_id=f"q{index}", line=line, scope="domestic", category="addon", amount=1_000)
        LimitChange.objects.create(line=line, scope="domestic", old_amount=1, new_amount=2, channel="grapari",
                                   changed_on=dt.date(2020, 1, 1))
    with CaptureQueriesContext(connection) as many:
        agent_client.get(url)
    assert len(many) == len(few)


def test_bills_tab_query_count_is_constant(agent_client, line, bill):
    url = reverse("accounts:line_tab", args=[line.pk, "bills"])
    agent_client.get(url)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url)
    for month in range(1, 8):
        other = BillFactory(billing_account=line.billing_account, period_start=dt.date(2025, month, 1))
        Objection.objects.create(bill=other, filed_on=dt.date(2025, month, 5), amount=1, description="x")
        Payment.objects.create(billing_account=line.billing_account, bill=other, method="cash", reference=f"p{month}",
                               amount=1, paid_on=dt.date(2025, month, 6))
    with CaptureQueriesContext(connection) as many:
        response = agent_client.get(url)
    assert len(many) == len(few)
    assert "Rp 150.000" in response.content.decode()


def test_limit_change_form_changes_the_limit(agent_client, agent, line):
    url = reverse("billing:limit_change", args=[line.pk])
    page = agent_client.get(url).content.decode()
    assert "Rp 300.000 – Rp 5.000.000" in page  # the allowed range before submitting
    response = agent_client.post(url, {"scope": "domestic", "new_amount": "800000", "channel": "call_centre_188",
                                       "reason": "travel", "confirm": "on"})
    assert response.status_code == 302
    assert limit_of(line).amount == 800_000
    change = LimitChange.objects.get(line=line, kind="change")
    assert (change.channel, change.actor) == ("call_centre_188", agent)


def test_limit_change_refused_shows_every_reason_and_writes_nothing(agent_client):
    young = open_line(today=local_today(), activated_on=local_today() - dt.timedelta(days=10))
    response = agent_client.post(reverse("billing:limit_change", args=[young.pk]),
                                 {"scope": "domestic", "new_amount": "9000000", "channel": "grapari",
                                  "confirm": "on"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rp 1.000.000" in html and "3" in html
    assert limit_of(young).amount == 300_000
    assert not AuditEvent.objects.filter(verb="limit.changed").exists()


@pytest.mark.parametrize("data", [
    {"scope": "domestic", "new_amount": "abc", "channel": "grapari", "confirm": "on"},
    {"scope": "domestic", "new_amount": "-1", "channel": "grapari", "confirm": "on"},
    {"scope": "domestic", "new_amount": "500000", "channel": "api", "confirm": "on"},
    {"scope": "mars", "new_amount": "500000", "channel": "grapari", "confirm": "on"},
    {"scope": "domestic", "new_amount": "500000", "channel": "grapari"},
    {},
])
def test_limit_change_bad_input(agent_client, line, data):
    response = agent_client.post(reverse("billing:limit_change", args=[line.pk]), data)
    assert response.status_code == 200
    assert limit_of(line).amount == 300_000


def test_record_payment_and_bad_input(agent_client, bill):
    url = reverse("billing:payment_record", args=[bill.pk])
    assert agent_client.post(url, {"amount": "150001", "method": "cash", "reference": "R1", "confirm": "on"}
                             ).status_code == 200
    assert agent_client.post(url, {"amount": "x", "method": "cash", "reference": "R1", "confirm": "on"}
                             ).status_code == 200
    assert agent_client.post(url, {"amount": "1000", "method": "gold", "reference": "R1", "confirm": "on"}
                             ).status_code == 200
    assert not Payment.objects.exists()
    response = agent_client.post(url, {"amount": "150000", "method": "transfer", "reference": "R1", "confirm": "on"})
    assert response.status_code == 302
    bill.refresh_from_db()
    assert bill.status == "paid"


def test_pay_current_usage_form(agent_client, line):
    url = reverse("billing:payment_current", args=[line.pk])
    response = agent_client.post(url, {"scope": "domestic", "amount": "60000", "method": "cash", "reference": "C1",
                                       "confirm": "on"})
    assert response.status_code == 302
    assert limit_of(line).counted == 40_000
    refused = agent_client.post(url, {"scope": "domestic", "amount": "60000", "method": "cash", "reference": "C2",
                                      "confirm": "on"})
    assert refused.status_code == 200 and limit_of(line).counted == 40_000


def test_file_objection_form(agent_client, bill):
    url = reverse("billing:objection_file", args=[bill.pk])
    assert agent_client.post(url, {"amount": "", "description": "x", "confirm": "on"}).status_code == 200
    response = agent_client.post(url, {"amount": "20000", "description": "unknown roaming", "confirm": "on"})
    assert response.status_code == 302
    assert Objection.objects.get(bill=bill).amount == 20_000


def test_objection_after_the_window_is_refused_on_the_form(agent_client, line):
    old = BillFactory(billing_account=line.billing_account, issued_on=local_today() - dt.timedelta(days=70),
                      due_date=local_today() - dt.timedelta(days=50), period_start=dt.date(2020, 1, 1))
    response = agent_client.post(reverse("billing:objection_file", args=[old.pk]),
                                 {"amount": "1000", "description": "late", "confirm": "on"})
    assert response.status_code == 200
    assert not Objection.objects.exists()


# --- admin --------------------------------------------------------------------------------------------------------

ADMIN_MODELS = ["basicpackage", "servicecategory", "suggestedlimit", "billingprofile", "spendinglimit",
                "limitchange", "purchase", "usagerecord", "spendingcycle", "linepackage", "bill", "billcharge",
                "payment", "objection", "creditnote", "earlysettlementdemand"]


def test_admin_changelists_for_supervisor_not_agent(client, supervisor, agent, line, bill):
    client.force_login(supervisor)
    for model in ADMIN_MODELS:
        assert client.get(reverse(f"admin:billing_{model}_changelist")).status_code == 200, model
    client.force_login(agent)
    assert client.get(reverse("admin:billing_bill_changelist")).status_code == 302


def test_admin_override_with_reason(client, supervisor, line):
    client.force_login(supervisor)
    url = reverse("admin:billing_spendinglimit_override", args=[limit_of(line).pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"new_amount": "9000000", "reason": "", "confirm": "on"}).status_code == 200
    assert limit_of(line).amount == 300_000
    assert client.post(url, {"new_amount": "9000000", "reason": "VIP exception", "confirm": "on"}).status_code == 302
    assert limit_of(line).amount == 9_000_000
    assert AuditEvent.objects.get(verb="limit.overridden").reason == "VIP exception"


def test_admin_resolve_objection_and_goodwill(client, supervisor, line, bill):
    objection = Objection.objects.create(bill=bill, filed_on=local_today(), amount=30_000, description="x")
    client.force_login(supervisor)
    url = reverse("admin:billing_objection_resolve", args=[objection.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "upheld", "credit_amount": "", "resolution": "confirmed",
                                 "confirm": "on"})
    assert response.status_code == 302
    assert CreditNote.objects.get(objection=objection).amount == 30_000
    goodwill = reverse("admin:billing_creditnote_goodwill")
    assert client.post(goodwill, {"msisdn": line.msisdn_national, "amount": "300001", "reason": "outage",
                                  "confirm": "on"}).status_code == 200
    assert client.post(goodwill, {"msisdn": "0812", "amount": "1", "reason": "outage",
                                  "confirm": "on"}).status_code == 200
    assert client.post(goodwill, {"msisdn": line.msisdn_national, "amount": "300000", "reason": "outage",
                                  "confirm": "on"}).status_code == 302
    assert CreditNote.objects.filter(kind="goodwill").count() == 1
