import datetime as dt

import pytest
from django.utils import timezone

from core.models import AuditEvent, Channel
from prepaid.models import AppPass, Card, LedgerEntry, PackagePurchase, TariffDay
from tests.accounts.factories import PostpaidLineFactory
from tests.core.factories import make_client
from tests.prepaid.factories import CardFactory, prime

pytestmark = pytest.mark.django_db


def _auth(kind="charging"):
    _client, key = make_client(kind=kind)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def _post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


# ---------------------------------------------------------------------------------------- GET packages


def test_packages_list_with_todays_price(client):
    TariffDay.objects.create(date=timezone.localdate(), name="Today", price_percent=200)
    response = client.get("/api/v1/prepaid/packages", **_auth("app"))
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert rows["FREEDOM_COMBO"] == {"code": "FREEDOM_COMBO", "name": "FREEDOM COMBO 14GB", "price": 130000,
                                     "name_en": "FREEDOM COMBO 14GB",
                                     "description": "14GB data + 20 menit telepon ke semua operator",
                                     "description_en": "14GB data + 20 min calls to all operators",
                                     "monthly_data": True, "next_price": None, "next_price_from": None}
    # the English name where it differs (the catalogue in both languages)
    assert (rows["HARIAN_1GB"]["name"], rows["HARIAN_1GB"]["name_en"]) == ("Freedom Harian 1GB", "Freedom Daily 1GB")
    assert rows["HARIAN_1GB"]["monthly_data"] is False


def test_packages_need_a_client_of_an_allowed_kind(client):
    assert client.get("/api/v1/prepaid/packages").status_code in (401, 403)
    assert client.get("/api/v1/prepaid/packages", **_auth("partner")).status_code == 403


# ---------------------------------------------------------------------------------------- GET card


def test_card_status(client):
    card = CardFactory(balance=12000, active_until=dt.date(2026, 12, 31))
    subscription = prime(card, "first", started_on=dt.date(2026, 11, 2))
    response = client.get(f"/api/v1/prepaid/{card.line.msisdn_national}", **_auth())
    assert response.status_code == 200
    assert response.json() == {"brand": "im3", "state": "active", "balance": 12000, "active_until": "2026-12-31",
                               "grace_until": None, "prime_tier": "first",
                               "prime_renews_on": subscription.renews_on.isoformat()}


def test_card_unknown_number_404_bad_number_400_postpaid_404(client):
    headers = _auth()
    assert client.get("/api/v1/prepaid/081299999999", **headers).json()["error"]["code"] == "card_not_found"
    assert client.get("/api/v1/prepaid/12345", **headers).status_code == 400
    postpaid = PostpaidLineFactory()
    assert client.get(f"/api/v1/prepaid/{postpaid.msisdn}", **headers).status_code == 404


# ---------------------------------------------------------------------------------------- POST topups


def test_topup_applies_and_replays(client):
    card = CardFactory(active_until=timezone.localdate() + dt.timedelta(days=5))
    headers = _auth()
    body = {"request_id": "t1", "msisdn": card.line.msisdn_national, "amount": 25000, "channel": "umb"}
    first = _post(client, "/api/v1/prepaid/topups", body, headers)
    again = _post(client, "/api/v1/prepaid/topups", body, headers)
    other = _post(client, "/api/v1/prepaid/topups", {**body, "amount": 10000}, headers)
    assert first.status_code == 200
    assert first.json()["balance"] == 25000 and first.json()["outcome"] == "applied"
    assert first.json()["active_until"] == (timezone.localdate() + dt.timedelta(days=35)).isoformat()
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert other.status_code == 409
    assert LedgerEntry.objects.filter(card=card, kind="topup").count() == 1
    entry = LedgerEntry.objects.get(card=card, kind="topup")
    assert entry.channel == Channel.UMB
    assert AuditEvent.objects.get(verb="prepaid.topup").actor_label.startswith("client-")


@pytest.mark.parametrize(("change", "field"), [
    ({"amount": "ten"}, "amount"), ({"amount": 0}, "amount"), ({"amount": None}, "amount"),
    ({"msisdn": "0212345678"}, "msisdn"), ({"msisdn": ""}, "msisdn"),
    ({"channel": "pigeon"}, "channel"), ({"request_id": ""}, "request_id"),
])
def test_topup_bad_input_400_nothing_written(client, change, field):
    card = CardFactory()
    body = {"request_id": "t1", "msisdn": card.line.msisdn, "amount": 10000, "channel": "app", **change}
    response = _post(client, "/api/v1/prepaid/topups", body, _auth())
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"] or response.json()["error"]["code"] == "invalid"
    assert not LedgerEntry.objects.filter(card=card).exists()


def test_topup_rule_refusals_are_422(client):
    invalid = CardFactory(state=Card.State.INVALID, active_until=dt.date(2026, 1, 1), grace_until=dt.date(2026, 1, 31))
    headers = _auth()
    response = _post(client, "/api/v1/prepaid/topups", {"request_id": "a", "msisdn": invalid.line.msisdn,
                                                        "amount": 10000, "channel": "app"}, headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "card_invalid"
    card = CardFactory()
    response = _post(client, "/api/v1/prepaid/topups", {"request_id": "b", "msisdn": card.line.msisdn,
                                                        "amount": 12345, "channel": "app"}, headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_denomination"


# ---------------------------------------------------------------------------------------- POST purchases


def test_purchase_ok_and_refusals(client, supervisor):
    headers = _auth("app")
    card = CardFactory(balance=100000)
    response = _post(client, "/api/v1/prepaid/purchases",
                     {"request_id": "p1", "msisdn": card.line.msisdn, "package_code": "HARIAN_1GB"}, headers)
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "purchased" and body["package_code"] == "HARIAN_1GB"
    assert body["balance"] == 100000 - body["price"]
    assert PackagePurchase.objects.filter(card=card).count() == 1
    # unknown package
    response = _post(client, "/api/v1/prepaid/purchases",
                     {"request_id": "p2", "msisdn": card.line.msisdn, "package_code": "NOPE"}, headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_package"


def test_purchase_balance_floor_is_422(client):
    TariffDay.objects.create(date=timezone.localdate(), name="Flat", price_percent=100)
    card = CardFactory(balance=65000 + 2999)
    response = _post(client, "/api/v1/prepaid/purchases",
                     {"request_id": "p1", "msisdn": card.line.msisdn, "package_code": "FREEDOM_COMBO"}, _auth())
    assert response.status_code == 422 and response.json()["error"]["code"] == "balance_floor"
    card.refresh_from_db()
    assert card.balance == 67999


def test_purchase_card_not_active_is_422(client):
    card = CardFactory(state=Card.State.GRACE, active_until=dt.date(2026, 1, 1), balance=100000)
    response = _post(client, "/api/v1/prepaid/purchases",
                     {"request_id": "p1", "msisdn": card.line.msisdn, "package_code": "HARIAN_1GB"}, _auth())
    assert response.status_code == 422 and response.json()["error"]["code"] == "card_not_active"


@pytest.mark.parametrize("body", [{"request_id": "p"}, {"request_id": "p", "msisdn": "x", "package_code": "A"},
                                  {"msisdn": "081234567890", "package_code": "A"}])
def test_purchase_bad_input_400(client, body):
    assert _post(client, "/api/v1/prepaid/purchases", body, _auth()).status_code == 400


# ---------------------------------------------------------------------------------------- POST app-pass


def test_app_pass_claim_and_one_at_a_time(client):
    card = CardFactory(balance=10000)
    prime(card, "lite")
    headers = _auth("app")
    url = f"/api/v1/prepaid/{card.line.msisdn_national}/app-pass"
    first = _post(client, url, {"request_id": "a1"}, headers)
    assert first.status_code == 200
    body = first.json()
    assert body["apps"] == ["Facebook", "WhatsApp", "Gojek", "Tokopedia", "Line", "Mobile Legend"]
    assert body["domestic_only"] is True
    app_pass = AppPass.objects.get(card=card)
    assert app_pass.valid_until - app_pass.claimed_at == dt.timedelta(days=3)
    second = _post(client, url, {"request_id": "a2"}, headers)
    assert second.status_code == 422 and second.json()["error"]["code"] == "pass_active"


def test_app_pass_needs_prime_and_app_client(client):
    card = CardFactory()
    url = f"/api/v1/prepaid/{card.line.msisdn}/app-pass"
    response = _post(client, url, {"request_id": "a1"}, _auth("app"))
    assert response.status_code == 422 and response.json()["error"]["code"] == "not_prime"
    assert _post(client, url, {"request_id": "a1"}, _auth("charging")).status_code == 403
    assert _post(client, url, {}, _auth("app")).status_code == 400
