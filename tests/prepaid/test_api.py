import datetime as dt

import pytest
from django.utils import timezone

from core.api.request_ids import client_key
from core.models import ApiRequest, AuditEvent, Channel
from prepaid import services
from prepaid.ledger_checks import ledger_mismatches
from prepaid.models import AppPass, Card, Denomination, LedgerEntry, PackagePurchase, TariffDay
from tests.accounts.factories import PostpaidLineFactory
from tests.api.endpoints import row_counts
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


def _topup_body(card, request_id="t1", **change):
    return {"request_id": request_id, "msisdn": card.line.msisdn_national, "amount": 25000, "channel": "umb",
            **change}


def test_topup_replay_is_byte_for_byte_from_the_ledger_entry_and_writes_nothing(client):
    # given a top-up applied (issue 14: no generic replay row on this path, the ledger entry answers)
    card = CardFactory(active_until=timezone.localdate() + dt.timedelta(days=5))
    headers = _auth()
    first = _post(client, "/api/v1/prepaid/topups", _topup_body(card), headers)
    assert first.status_code == 200 and "Idempotent-Replayed" not in first
    # when the card changes meanwhile and the client replays, with the number written another way
    services.topup_apply(card=card, amount=10000, reference="counter-1", channel=Channel.GRAPARI)
    counts = row_counts()
    again = _post(client, "/api/v1/prepaid/topups", _topup_body(card, msisdn=card.line.msisdn), headers)
    # then the first answer, byte for byte, and nothing written
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert row_counts() == counts
    assert ApiRequest.objects.count() == 0
    entry = LedgerEntry.objects.get(reference__endswith=":t1")
    assert entry.active_until == timezone.localdate() + dt.timedelta(days=35)
    assert first.json()["active_until"] == entry.active_until.isoformat()


@pytest.mark.parametrize("change", [{"amount": 10000}, {"channel": "app"}, "another card"])
def test_topup_same_request_id_with_another_body_is_409_and_writes_nothing(client, change):
    card = CardFactory()
    headers = _auth()
    assert _post(client, "/api/v1/prepaid/topups", _topup_body(card), headers).status_code == 200
    counts = row_counts()
    if change == "another card":
        change = {"msisdn": CardFactory().line.msisdn_national}
        counts = row_counts()
    response = _post(client, "/api/v1/prepaid/topups", _topup_body(card, **change), headers)
    error = response.json()["error"]
    assert response.status_code == 409 and error["code"] == "request_id_reused" and "request_id" in error["fields"]
    assert row_counts() == counts
    card.refresh_from_db()
    assert card.balance == 25000 and ledger_mismatches() == []


def test_topup_request_ids_are_per_client(client):
    card = CardFactory()
    first = _post(client, "/api/v1/prepaid/topups", _topup_body(card), _auth())
    other = _post(client, "/api/v1/prepaid/topups", _topup_body(card), _auth())
    assert first.status_code == other.status_code == 200 and "Idempotent-Replayed" not in other
    card.refresh_from_db()
    assert card.balance == 50000 and card.ledger.count() == 2


@pytest.mark.rule("PRE-02")
def test_topup_in_grace_returns_the_card_to_active_and_is_audited(client):
    today = timezone.localdate()
    card = CardFactory(state=Card.State.GRACE, active_until=today - dt.timedelta(days=3))
    response = _post(client, "/api/v1/prepaid/topups", _topup_body(card, amount=10000), _auth())
    assert response.status_code == 200
    until = today + dt.timedelta(days=15)  # from today, the Active Period having passed
    assert response.json() == {"outcome": "applied", "reference": "t1", "amount": 10000, "balance": 10000,
                               "state": "active", "active_until": until.isoformat()}
    card.refresh_from_db()
    assert (card.state, card.active_until, card.grace_until, card.balance) == ("active", until, None, 10000)
    event = AuditEvent.objects.get(verb="prepaid.topup")
    assert event.line_id == card.line_id and event.customer_id == card.line.customer_id
    assert event.channel == Channel.UMB and event.subject_type == "accounts.line"
    assert event.subject_id == str(card.line_id) and event.subject_repr == card.line.msisdn_national
    assert event.old == {"state": "grace", "active_until": (today - dt.timedelta(days=3)).isoformat(),
                         "balance": 0}
    assert event.new["state"] == "active" and event.new["balance"] == 10000
    assert event.new["active_until"] == until.isoformat() and event.new["reference"].endswith(":t1")
    assert ledger_mismatches() == []


@pytest.mark.parametrize(("state", "code"), [(Card.State.INVALID, "card_invalid"),
                                             (Card.State.INACTIVE, "card_not_activated")])
def test_topup_invalid_or_inactive_card_is_422_and_writes_nothing(client, state, code):
    extra = {"grace_until": dt.date(2026, 1, 31)} if state == Card.State.INVALID else {"active_until": None}
    card = CardFactory(state=state, **({"active_until": dt.date(2026, 1, 1)} | extra))
    before = row_counts()
    response = _post(client, "/api/v1/prepaid/topups", _topup_body(card), _auth())
    assert response.status_code == 422 and response.json()["error"]["code"] == code
    assert row_counts() == before


def test_topup_unknown_number_is_404_and_writes_nothing(client):
    before = row_counts()
    response = _post(client, "/api/v1/prepaid/topups", {"request_id": "n", "msisdn": "081299999999",
                                                        "amount": 10000, "channel": "app"}, _auth())
    assert response.status_code == 404 and response.json()["error"]["code"] == "card_not_found"
    postpaid = PostpaidLineFactory()
    response = _post(client, "/api/v1/prepaid/topups", {"request_id": "n", "msisdn": postpaid.msisdn,
                                                        "amount": 10000, "channel": "app"}, _auth())
    assert response.status_code == 404
    assert row_counts() == before


def test_topup_replay_after_the_card_became_invalid_answers_the_first(client):
    card = CardFactory()
    headers = _auth()
    first = _post(client, "/api/v1/prepaid/topups", _topup_body(card), headers)
    # the card later ends (its balance forfeited), and a late replay arrives
    LedgerEntry.objects.create(card=card, kind=LedgerEntry.Kind.FORFEITURE, amount=-25000, balance_after=0,
                               reference=f"forfeit:{card.pk}")
    Card.objects.filter(pk=card.pk).update(state=Card.State.INVALID, balance=0, grace_until=dt.date(2026, 1, 31),
                                           invalid_since=dt.date(2026, 2, 1))
    again = _post(client, "/api/v1/prepaid/topups", _topup_body(card), headers)
    assert again.status_code == 200 and again.content == first.content and again["Idempotent-Replayed"] == "true"
    refused = _post(client, "/api/v1/prepaid/topups", _topup_body(card, request_id="t2"), headers)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "card_invalid"


def test_topup_replay_of_an_entry_from_before_the_column_answers_the_stored_replay_row(client):
    # given a top-up applied by the previous version: its entry has no active_until, its answer is in the replay
    # store (core.ApiRequest) for the replay window
    api_client, key = make_client()
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    card = CardFactory(balance=0)
    reference = client_key(api_client.name, "old-1")
    LedgerEntry.objects.create(card=card, kind=LedgerEntry.Kind.TOPUP, amount=25000, balance_after=25000,
                               reference=reference, channel=Channel.UMB)
    Card.objects.filter(pk=card.pk).update(balance=25000)
    stored = ('{"outcome":"applied","reference":"old-1","amount":25000,"balance":25000,"state":"active",'
              '"active_until":"2027-01-30"}')
    ApiRequest.objects.create(client=api_client, request_id="old-1", method="POST", path="/api/v1/prepaid/topups",
                              body_hash="x", response_status=200, response_body=stored)
    # when it is replayed
    response = _post(client, "/api/v1/prepaid/topups", _topup_body(card, request_id="old-1"), headers)
    # then the stored answer; past the replay window, the card as it is now (as the previous version answered)
    assert response.status_code == 200 and response.content.decode() == stored
    assert response["Idempotent-Replayed"] == "true"
    ApiRequest.objects.all().delete()
    response = _post(client, "/api/v1/prepaid/topups", _topup_body(card, request_id="old-1"), headers)
    assert response.status_code == 200 and response["Idempotent-Replayed"] == "true"
    assert response.json()["balance"] == 25000 and response.json()["active_until"] == "2026-12-31"
    assert card.ledger.count() == 1


def test_topup_denominations_follow_the_catalogue_at_once(client):
    # The denominations are cached per process (issue 14); a save clears the cache.
    card = CardFactory()
    headers = _auth()
    assert _post(client, "/api/v1/prepaid/topups", _topup_body(card), headers).status_code == 200
    denomination = Denomination.objects.get(amount=25000)
    denomination.is_active = False
    denomination.save()
    response = _post(client, "/api/v1/prepaid/topups", _topup_body(card, request_id="t2"), headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_denomination"
    Denomination.objects.create(amount=12345, validity_days=3)
    response = _post(client, "/api/v1/prepaid/topups", _topup_body(card, request_id="t3", amount=12345), headers)
    assert response.status_code == 200 and response.json()["balance"] == 25000 + 12345


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
