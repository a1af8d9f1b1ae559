"""Channel API of billing: POST /purchases/authorize, POST /usage-records, GET /lines/{msisdn}/spending."""

import pytest
from django.utils import timezone

from billing.models import Purchase, UsageRecord
from core.dates import local_today
from core.models import ApiRequest
from tests.accounts.factories import LineFactory
from tests.billing.factories import limit_of, open_line, set_limit
from tests.core.factories import make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def charging(db):
    _client, key = make_client(kind="charging")
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.fixture
def line(db):
    return open_line(today=local_today())


def authorize(client, headers, **body):
    return client.post("/api/v1/purchases/authorize", body, content_type="application/json", **headers)


def purchase_body(line, **overrides):
    return {"request_id": "r-1", "msisdn": line.msisdn_national, "scope": "domestic", "category": "addon",
            "amount": 125_000, "description": "3GB Ekstra Kuota", **overrides}


@pytest.mark.rule("LIM-02")
def test_authorize_declines_the_lim02_example(client, charging, line):
    # given Halo Kick (100.000 used) with a 200.000 limit
    set_limit(line, 200_000)
    # when
    response = authorize(client, charging, **purchase_body(line))
    # then
    assert response.status_code == 200
    assert response.json() == {"request_id": "r-1", "decision": "declined", "reason": "limit_exceeded",
                               "usage": 100_000, "limit": 200_000}


def test_authorize_approves_and_replays(client, charging, line):
    first = authorize(client, charging, **purchase_body(line, amount=50_000))
    again = authorize(client, charging, **purchase_body(line, amount=50_000))
    assert first.json() == {"request_id": "r-1", "decision": "approved", "reason": None, "usage": 150_000,
                            "limit": 300_000}
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert limit_of(line).used == 150_000
    assert Purchase.objects.count() == 1


def test_same_request_id_other_body_is_409(client, charging, line):
    authorize(client, charging, **purchase_body(line, amount=50_000))
    response = authorize(client, charging, **purchase_body(line, amount=60_000))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "request_id_reused"
    assert limit_of(line).used == 150_000


def test_two_clients_may_use_the_same_request_id(client, charging, line):
    _other, key = make_client(kind="charging")
    authorize(client, charging, **purchase_body(line, amount=10_000))
    response = authorize(client, {"HTTP_AUTHORIZATION": f"Token {key}"}, **purchase_body(line, amount=10_000))
    assert response.json()["decision"] == "approved"
    assert limit_of(line).used == 120_000


@pytest.mark.parametrize(("field", "value"), [
    ("amount", 0), ("amount", -1), ("amount", "100"), ("amount", 1.5), ("amount", True), ("amount", None),
    ("scope", "moon"), ("category", "bad category"), ("msisdn", "12345"), ("request_id", ""),
    ("description", "x" * 201), ("request_id", "x" * 101),
])
def test_bad_input_is_400_and_nothing_written(client, charging, line, field, value):
    response = authorize(client, charging, **purchase_body(line, **{field: value}))
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert field in response.json()["error"]["fields"]
    assert Purchase.objects.count() == 0 and limit_of(line).used == 100_000


def test_unknown_number_is_404(client, charging, line):
    response = authorize(client, charging, **purchase_body(line, msisdn="081399999999"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "line_not_found"


def test_prepaid_line_is_declined_not_postpaid(client, charging):
    prepaid = LineFactory()
    response = authorize(client, charging, **purchase_body(prepaid))
    assert (response.json()["decision"], response.json()["reason"]) == ("declined", "not_postpaid")


def test_wrong_client_kind_and_anonymous(client, line):
    _c, key = make_client(kind="partner")
    assert authorize(client, {"HTTP_AUTHORIZATION": f"Token {key}"}, **purchase_body(line)).status_code == 403
    assert authorize(client, {}, **purchase_body(line)).status_code == 401
    assert not ApiRequest.objects.exists()


# --- usage records ---------------------------------------------------------------------------------------------


def record(line, record_id, **overrides):
    return {"record_id": record_id, "msisdn": line.msisdn, "scope": "domestic", "category": "data",
            "amount": 10_000, "occurred_at": timezone.now().isoformat(), **overrides}


def post_usage(client, headers, records):
    return client.post("/api/v1/usage-records", records, content_type="application/json", **headers)


@pytest.mark.rule("LIM-04")
def test_usage_batch_counts_accepted_duplicate_rejected(client, charging, line):
    # given one record already sent
    post_usage(client, charging, [record(line, "a")])
    # when a batch mixes a record sent before, new records, a repeat within the batch and bad ones
    response = post_usage(client, charging, [
        record(line, "a"), record(line, "b"), record(line, "c", amount=400_000), record(line, "b"),
        record(line, "d", category="nope"), record(line, "e", amount=-1), "not an object",
        record(line, "f", msisdn="081399999999"),
    ])
    # then
    body = response.json()
    assert response.status_code == 200
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (3, 1, 4)
    assert [(e["index"], e["code"]) for e in body["errors"]] == [(4, "unknown_category"), (5, "invalid"),
                                                                  (6, "invalid"), (7, "unknown_line")]
    assert "amount" in body["errors"][1]["fields"]
    # usage past the limit still counts (LIM-04 fires)
    assert limit_of(line).used == 100_000 + 10_000 + 10_000 + 400_000
    assert UsageRecord.objects.filter(client__startswith="client-").count() == 3


@pytest.mark.parametrize("payload", [[], {"record_id": "x"}, "text"])
def test_usage_batch_must_be_a_non_empty_list(client, charging, payload):
    response = post_usage(client, charging, payload)
    assert response.status_code == 400


def test_usage_batch_size_limit(client, charging, line):
    response = post_usage(client, charging, [record(line, str(i)) for i in range(1001)])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "batch_too_large"
    assert UsageRecord.objects.count() == 1  # only the package fee


def test_a_refused_record_keeps_the_serializers_wording(client, charging, line):
    response = post_usage(client, {**charging, "HTTP_ACCEPT_LANGUAGE": "en"}, [
        record(line, "ok"), record(line, "bad-time", occurred_at="yesterday"), record(line, " padded ")])
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 1)  # a record id DRF trims is accepted as DRF reads it
    assert body["errors"] == [{
        "index": 1, "record_id": "bad-time", "code": "invalid", "message": "Invalid record.",
        "fields": {"occurred_at": ["Datetime has wrong format. Use one of these formats instead: "
                                   "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}}]
    assert UsageRecord.objects.filter(record_id__endswith=":padded").exists()


@pytest.mark.postgres  # SQLite goes through the ORM (tests/billing/test_usage_sqlite.py)
def test_the_statement_count_of_a_usage_batch_does_not_grow_with_it(client, charging, line):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_limit(line, 10**12, used=0)  # no threshold SMS
    post_usage(client, charging, [record(line, "warm")])  # the API key and the parameters cached

    def statements(size, tag):
        with CaptureQueriesContext(connection) as captured:
            response = post_usage(client, charging, [record(line, f"{tag}-{n}") for n in range(size)])
        assert response.json()["accepted"] == size
        return [query["sql"].split()[0] for query in captured.captured_queries]

    small, big = statements(2, "small"), statements(1000, "big")
    assert small == big
    # the lines, the categories, the limits locked, the replays looked up, the records and usage written (in a
    # transaction: a savepoint here, inside the test's own)
    assert [verb for verb in big if verb not in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}] == [
        "SELECT", "SELECT", "SELECT", "SELECT", "WITH"], big


# --- spending --------------------------------------------------------------------------------------------------


def test_spending_shape(client, charging, line):
    set_limit(line, 300_000, used=240_000)
    response = client.get(f"/api/v1/lines/{line.msisdn_national}/spending", **charging)
    body = response.json()
    limit = limit_of(line)
    assert body == {"domestic": {"limit": 300_000, "usage": 240_000, "percent": 80},
                    "international": {"limit": 1_000_000, "usage": 0, "percent": 0},
                    "cycle_start": limit.cycle_start.isoformat(), "cycle_end": limit.cycle_end.isoformat()}


def test_spending_errors(client, charging):
    assert client.get("/api/v1/lines/081399999999/spending", **charging).status_code == 404
    assert client.get("/api/v1/lines/abc/spending", **charging).status_code == 400
    prepaid = LineFactory()
    response = client.get(f"/api/v1/lines/{prepaid.msisdn}/spending", **charging)
    assert response.status_code == 422 and response.json()["error"]["code"] == "not_postpaid"
    assert client.get("/api/v1/lines/081399999999/spending").status_code == 401
