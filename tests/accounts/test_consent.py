"""ACC-11: marketing consent recorded with date and channel, withdrawable; offer SMS respect it, legal notices not."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.consent import marketing_consent_set, marketing_sms_enqueue
from accounts.models import MarketingConsent
from billing import tasks as billing_tasks
from core.models import AuditEvent, Channel, OutboundSms, Parameter
from core.verdicts import RuleViolation
from prepaid import tasks as prepaid_tasks
from prepaid.models import VoucherWin
from tests.accounts.factories import CustomerFactory, LineFactory, UserFactory
from tests.billing.factories import open_line
from tests.core.factories import make_client
from tests.prepaid.factories import CardFactory, prime

pytestmark = pytest.mark.django_db


def withdraw(customer, actor=None, channel=Channel.CALL_CENTRE_188, note="Customer asked: no offers"):
    return marketing_consent_set(customer=customer, granted=False, channel=channel, actor=actor, note=note)


@pytest.mark.rule("ACC-11")
def test_acc11_withdrawal_is_recorded_with_date_channel_actor_and_audit(agent):
    """ACC-11: consent holds under the terms until withdrawn; the withdrawal is a history row and an audit event."""
    customer = CustomerFactory()
    assert customer.marketing_consent is True
    record = withdraw(customer, actor=agent)
    customer.refresh_from_db()
    assert customer.marketing_consent is False
    assert (record.granted, record.channel, record.recorded_by, record.note) == (
        False, Channel.CALL_CENTRE_188, agent, "Customer asked: no offers")
    assert record.recorded_at is not None
    event = AuditEvent.objects.get(verb="customer.marketing_consent_withdrawn")
    assert (event.customer_id, event.channel, event.old, event.new, event.actor) == (
        customer.pk, Channel.CALL_CENTRE_188, {"marketing_consent": True}, {"marketing_consent": False}, agent)
    # and given again later: the history keeps both
    marketing_consent_set(customer=customer, granted=True, channel=Channel.APP, actor=None)
    customer.refresh_from_db()
    assert customer.marketing_consent is True
    assert list(MarketingConsent.objects.filter(customer=customer).order_by("id").values_list("granted", "channel")) \
        == [(False, Channel.CALL_CENTRE_188), (True, Channel.APP)]


@pytest.mark.parametrize(("first_withdraw", "granted", "channel", "code"), [
    (True, False, Channel.GRAPARI, "already_withdrawn"),
    (False, True, Channel.GRAPARI, "already_granted"),
    (False, False, Channel.SYSTEM, "invalid_channel"),
    (False, False, "carrier-pigeon", "invalid_channel"),
])
@pytest.mark.rule("ACC-11")
def test_acc11_refusals_write_nothing(first_withdraw, granted, channel, code):
    customer = CustomerFactory()
    if first_withdraw:
        withdraw(customer)
    rows, events = MarketingConsent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(RuleViolation) as refused:
        marketing_consent_set(customer=customer, granted=granted, channel=channel, actor=None)
    assert refused.value.codes == [code]
    assert (MarketingConsent.objects.count(), AuditEvent.objects.count()) == (rows, events)


@pytest.mark.rule("ACC-11")
def test_acc11_no_offer_sms_to_a_customer_who_withdrew():
    line = LineFactory()
    sms = dict(msisdn=line.msisdn, template_code="prime_voucher_won", context={"msisdn": "x", "amount": "y",
                                                                                "code": "z"})
    assert marketing_sms_enqueue(line=line, dedup_key="offer-1", **sms) is not None
    withdraw(line.customer)
    assert marketing_sms_enqueue(line=line, dedup_key="offer-2", **sms) is None
    assert list(OutboundSms.objects.values_list("dedup_key", flat=True)) == ["offer-1"]


@pytest.mark.rule("ACC-11")
def test_acc11_prime_e_voucher_sms_respects_consent_but_the_voucher_is_won():
    """PRM-04 with ACC-11: every eligible subscriber wins (5 of 5); the one who withdrew gets no SMS."""
    cards = [CardFactory() for _ in range(5)]
    for card in cards:
        prime(card, "joy")
    withdraw(cards[0].line.customer)
    Parameter.objects.filter(code="prime_voucher_winners").update(value=5)
    prepaid_tasks.prime_voucher_draw_task(day="2026-06-10")
    assert VoucherWin.objects.count() == 5
    sent_to = set(OutboundSms.objects.filter(template_code="prime_voucher_won").values_list("line_id", flat=True))
    assert sent_to == {card.line_id for card in cards[1:]}


@pytest.mark.rule("ACC-11")
def test_acc11_legal_notices_ignore_consent():
    """The bill statement (BIL-09) goes to a customer who withdrew consent to offers."""
    line = open_line()
    withdraw(line.customer)
    billing_tasks.cycle_close(today=dt.date(2026, 12, 1))
    assert OutboundSms.objects.filter(template_code="billing_bill_statement", line=line).count() == 1


# --- agent page, API, admin -----------------------------------------------------------------------------------------


@pytest.mark.rule("ACC-11")
def test_acc11_agent_withdraws_from_the_customer_page(agent_client):
    customer = CustomerFactory()
    url = reverse("accounts:marketing_consent", args=[customer.pk])
    page = agent_client.get(reverse("accounts:customer_detail", args=[customer.pk])).content.decode()
    assert url in page and "Accepts offers" in page
    # bad input: nothing written
    response = agent_client.post(url, {"granted": "maybe", "channel": "grapari", "confirm": "on"})
    assert response.status_code == 200 and not MarketingConsent.objects.exists()
    response = agent_client.post(url, {"granted": "no", "channel": "nowhere", "confirm": "on"})
    assert response.status_code == 200 and not MarketingConsent.objects.exists()
    # withdrawing again the state it has is refused with a message
    response = agent_client.post(url, {"granted": "yes", "channel": "grapari", "confirm": "on"})
    assert "already accepts marketing offers" in response.content.decode() and not MarketingConsent.objects.exists()
    # withdraw
    response = agent_client.post(url, {"granted": "no", "channel": "grapari", "note": "by phone", "confirm": "on"},
                                 follow=True)
    html = response.content.decode()
    assert "no more offer SMS" in html and "Consent withdrawn" in html
    record = MarketingConsent.objects.get()
    assert (record.granted, record.channel, record.note) == (False, "grapari", "by phone")
    assert "withdrew consent since" in agent_client.get(url).content.decode()


@pytest.mark.rule("ACC-11")
def test_acc11_consent_page_permissions(client, supervisor):
    customer = CustomerFactory()
    url = reverse("accounts:marketing_consent", args=[customer.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(supervisor)
    assert client.get(url).status_code == 200
    assert client.get(reverse("accounts:marketing_consent", args=[customer.pk + 999])).status_code == 404


@pytest.mark.rule("ACC-11")
def test_acc11_app_reads_the_consent_with_the_line(client):
    line = LineFactory()
    _client, key = make_client(kind="app")
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert client.get(f"/api/v1/lines/{line.msisdn_national}", **headers).json()["marketing_consent"] is True
    withdraw(line.customer)
    assert client.get(f"/api/v1/lines/{line.msisdn_national}", **headers).json()["marketing_consent"] is False


@pytest.mark.rule("ACC-11")
def test_acc11_admin_shows_the_consent_history(supervisor_client):
    customer = CustomerFactory()
    withdraw(customer)
    html = supervisor_client.get(reverse("admin:accounts_customer_change", args=[customer.pk])).content.decode()
    assert "Customer asked: no offers" in html and "Call centre 188" in html


@pytest.mark.rule("ACC-11")
def test_acc11_the_app_withdraws_consent_through_the_api(client):
    line = LineFactory()
    app, key = make_client(kind="app")
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    url = f"/api/v1/lines/{line.msisdn_national}/marketing-consent"

    def post(body, **extra):
        return client.post(url, body, content_type="application/json", **{**headers, **extra})

    # bad input and the wrong client: nothing written
    assert post({"request_id": "c1"}).status_code == 400
    assert post({"request_id": "c1", "marketing_consent": "perhaps"}).status_code == 400
    _other, charging = make_client(kind="charging")
    assert post({"request_id": "c1", "marketing_consent": False},
                HTTP_AUTHORIZATION=f"Token {charging}").status_code == 403
    assert client.post("/api/v1/lines/081299999999/marketing-consent", {"request_id": "c0", "marketing_consent": False},
                       content_type="application/json", **headers).status_code == 404
    assert not MarketingConsent.objects.exists()
    # withdraw; a replay answers the same; the same id with another body is a conflict
    response = post({"request_id": "c1", "marketing_consent": False})
    assert response.status_code == 200 and response.json()["marketing_consent"] is False
    assert post({"request_id": "c1", "marketing_consent": False}).json() == response.json()
    assert post({"request_id": "c1", "marketing_consent": True}).status_code == 409
    record = MarketingConsent.objects.get()
    assert (record.granted, record.channel) == (False, Channel.APP)
    event = AuditEvent.objects.get(verb="customer.marketing_consent_withdrawn")
    assert (event.channel, event.actor_label) == (Channel.APP, app.name)
    # withdrawing again is refused with its code
    again = post({"request_id": "c2", "marketing_consent": False})
    assert again.status_code == 422 and again.json()["error"]["code"] == "already_withdrawn"
