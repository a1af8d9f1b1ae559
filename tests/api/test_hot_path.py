"""Issue 14: the hot endpoints' common requests skip DRF (core.api.hot). Each request here is sent twice on the same
data, once on the hot path and once through DRF (the hot path turned off), each in a transaction rolled back after:
the status, the headers, the body and the row written must be the same. Requests the hot path must leave to DRF
(no key, another client kind, a body its fast check is unsure of) are checked to reach DRF."""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.db import OperationalError, transaction
from rest_framework.views import APIView

from billing.api import PurchaseAuthorizeView
from billing.models import Purchase
from core.api import throttling
from core.dates import local_today
from prepaid.api import TopupView
from prepaid.models import LedgerEntry
from tests.billing.factories import open_line, set_limit
from tests.core.factories import make_client
from tests.prepaid.factories import CardFactory

pytestmark = pytest.mark.django_db

AUTHORIZE = "/api/v1/purchases/authorize"
TOPUP = "/api/v1/prepaid/topups"


@pytest.fixture
def drf_calls(monkeypatch):
    """How many requests went through DRF's dispatch (its `initial` step: negotiation, auth, permissions)."""
    calls = []
    original = APIView.initial

    def initial(self, request, *args, **kwargs):
        calls.append(type(self).__name__)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(APIView, "initial", initial)
    return calls


@pytest.fixture
def line(db):
    line = open_line(today=local_today())
    set_limit(line, 100_000)
    return line


@pytest.fixture
def card(db):
    return CardFactory(balance=10_000, active_until=local_today() + dt.timedelta(days=10))


def _post(client, path, body, key, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data, content_type=headers.pop("content_type", "application/json"),
                       HTTP_AUTHORIZATION=f"Token {key}", **headers)


def _answer(response) -> tuple:
    return response.status_code, dict(response.items()), response.content


def _newest(model, **filters):
    row = model.objects.filter(**filters).order_by("-pk").values().first()
    return row and {k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")}


def both_paths(client, monkeypatch, drf_calls, path, body, key, *, view, rows):
    """(hot answer, DRF answer), each with the newest row `rows()` gives, each rolled back; checks which path ran."""
    answers = []
    for hot in (True, False):
        monkeypatch.setattr(view, "hot_path", hot)
        drf_calls.clear()
        with transaction.atomic():
            response = _post(client, path, body, key)
            answers.append((_answer(response), rows()))
            transaction.set_rollback(True)
        assert drf_calls == ([] if hot else [view.__name__]), (hot, drf_calls)
    return answers


def _authorize_body(line, request_id="r-1", **change):
    return {"request_id": request_id, "msisdn": line.msisdn_national, "scope": "domestic", "category": "addon",
            "amount": 25_000, "description": "3GB Ekstra Kuota", **change}


@pytest.mark.parametrize("case", ["approved", "declined_for_the_limit", "unknown_line", "unknown_category",
                                  "replayed", "request_id_reused", "app_client"])
def test_an_authorization_answers_alike_on_both_paths(client, monkeypatch, drf_calls, line, case):
    _client, key = make_client(kind="app" if case == "app_client" else "charging")
    body = _authorize_body(line)
    if case == "declined_for_the_limit":
        body["amount"] = 100_001  # more than the whole limit of Rp 100.000
    elif case == "unknown_line":
        body["msisdn"] = "081199999999"
    elif case == "unknown_category":
        body["category"] = "no-such-category"
    elif case in ("replayed", "request_id_reused"):
        assert _post(client, AUTHORIZE, body, key).status_code == 200  # the first request, kept
        if case == "request_id_reused":
            body["amount"] = 1_000
    hot, drf = both_paths(client, monkeypatch, drf_calls, AUTHORIZE, body, key, view=PurchaseAuthorizeView,
                          rows=lambda: _newest(Purchase, line=line))
    assert hot == drf
    (status, headers, content), _row = hot
    expected = {"approved": 200, "declined_for_the_limit": 200, "unknown_line": 404, "unknown_category": 200,
                "replayed": 200, "request_id_reused": 409, "app_client": 200}[case]
    assert status == expected, content
    assert headers["Content-Type"] == "application/json" and headers["Allow"] == "POST, OPTIONS"
    assert ("Idempotent-Replayed" in headers) == (case == "replayed")


def _topup_body(card, request_id="t-1", **change):
    return {"request_id": request_id, "msisdn": card.line.msisdn_national, "amount": 5_000, "channel": "api",
            **change}


@pytest.mark.parametrize("case", ["applied", "not_a_denomination", "unknown_card", "replayed", "request_id_reused",
                                  "ussd_client"])
def test_a_topup_answers_alike_on_both_paths(client, monkeypatch, drf_calls, card, case):
    _client, key = make_client(kind="ussd" if case == "ussd_client" else "charging")
    body = _topup_body(card)
    if case == "not_a_denomination":
        body["amount"] = 5_001
    elif case == "unknown_card":
        body["msisdn"] = "081199999999"
    elif case in ("replayed", "request_id_reused"):
        assert _post(client, TOPUP, body, key).status_code == 200
        if case == "request_id_reused":
            body["amount"] = 10_000
    hot, drf = both_paths(client, monkeypatch, drf_calls, TOPUP, body, key, view=TopupView,
                          rows=lambda: _newest(LedgerEntry, card=card))
    assert hot == drf
    status = hot[0][0]
    assert status == {"applied": 200, "not_a_denomination": 422, "unknown_card": 404, "replayed": 200,
                      "request_id_reused": 409, "ussd_client": 200}[case], hot[0][2]


def test_a_throttled_request_answers_alike_and_is_counted_once(client, monkeypatch, drf_calls, line):
    # One window, a quarter of a second in, for both paths: one Retry-After.
    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: 1_800_000_000.25))
    answers = []
    for hot in (True, False):
        _client, key = make_client(kind="charging", throttle_rate="2/min")
        monkeypatch.setattr(PurchaseAuthorizeView, "hot_path", hot)
        statuses = [_post(client, AUTHORIZE, _authorize_body(line, f"{hot}-{n}", amount=1_000), key).status_code
                    for n in range(2)]
        assert statuses == [200, 200]  # each request counted once: the hot path does not count again in DRF
        answers.append(_answer(_post(client, AUTHORIZE, _authorize_body(line, f"{hot}-3", amount=1_000), key)))
    assert answers[0] == answers[1]
    status, headers, content = answers[0]
    assert status == 429 and headers["Retry-After"] == "59" and json.loads(content)["error"]["code"] == "throttled"


def test_a_database_timeout_is_the_same_503_on_both_paths(client, monkeypatch, drf_calls, line):
    def busy(**_kwargs):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr("billing.api.purchase_authorize", busy)
    _client, key = make_client(kind="charging")
    hot, drf = both_paths(client, monkeypatch, drf_calls, AUTHORIZE, _authorize_body(line), key,
                          view=PurchaseAuthorizeView, rows=lambda: None)
    assert hot == drf and hot[0][0] == 503 and hot[0][1]["Retry-After"] == "1"


@pytest.mark.parametrize("case", ["no_key", "unknown_key", "other_kind", "form_body", "not_json", "a_list",
                                  "amount_as_text", "missing_field", "padded_request_id"])
def test_what_the_fast_check_is_unsure_of_goes_through_drf(client, drf_calls, line, case):
    _client, key = make_client(kind="ussd" if case == "other_kind" else "charging")
    body, headers = _authorize_body(line), {}
    if case == "unknown_key":
        key = "not-a-key"
    elif case == "form_body":
        body, headers = "request_id=r-1", {"content_type": "application/x-www-form-urlencoded"}
    elif case == "not_json":
        body = "{not json"
    elif case == "a_list":
        body = [body]
    elif case == "amount_as_text":
        body["amount"] = "25000"  # refused with WholeNumberField's own words
    elif case == "missing_field":
        del body["scope"]
    elif case == "padded_request_id":
        body["request_id"] = " r-1 "
    if case == "no_key":
        response = client.post(AUTHORIZE, json.dumps(body), content_type="application/json")
    else:
        response = _post(client, AUTHORIZE, body, key, **headers)
    assert drf_calls == ["PurchaseAuthorizeView"]
    assert response.status_code == {"no_key": 401, "unknown_key": 401, "other_kind": 403, "form_body": 415,
                                    "not_json": 400, "a_list": 400, "amount_as_text": 400, "missing_field": 400,
                                    "padded_request_id": 200}[case], response.content
