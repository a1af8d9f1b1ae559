"""Channel API: authentication, kinds, errors, throttling, idempotency, line lookup, schema, fuzzing."""

import io
import urllib.parse

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.api.keys import key_hash
from core.models import ApiRequest, AuditEvent, ChannelApiKey, ChannelClient, Holiday
from tests.accounts.factories import BlockFactory, LineFactory, PostpaidLineFactory
from tests.core.factories import make_client

pytestmark = pytest.mark.django_db


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]


# --- authentication and kinds ---------------------------------------------------------------------------------------


def test_no_token_is_401(client):
    error = assert_error(client.get("/api/v1/lines/081234567890"), 401, "not_authenticated")
    assert error["message"]


@pytest.mark.parametrize("header", ["Token wrong", "Token", "Token a b", "Bearer x", "Token \u00e9"])
def test_bad_tokens_are_401(client, header):
    response = client.get("/api/v1/lines/081234567890", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"authentication_failed", "not_authenticated"}


def test_revoked_key_and_inactive_client_are_401(client):
    # given
    api_client, key = make_client(kind="charging")
    other, other_key = make_client(kind="charging")
    ChannelApiKey.objects.filter(client=api_client).update(revoked_at=timezone.now())
    ChannelClient.objects.filter(pk=other.pk).update(active=False)
    # then
    assert_error(client.get("/api/v1/lines/081234567890", **auth(key)), 401, "authentication_failed")
    assert_error(client.get("/api/v1/lines/081234567890", **auth(other_key)), 401, "authentication_failed")


def test_wrong_kind_is_403(client):
    _client, key = make_client(kind="partner")
    assert_error(client.get("/api/v1/lines/081234567890", **auth(key)), 403, "permission_denied")
    _client, ussd_key = make_client(kind="charging")
    assert_error(client.post("/api/v1/ussd", {}, **auth(ussd_key)), 403, "permission_denied")


def test_only_a_hash_of_the_key_is_stored():
    api_client, key = make_client()
    stored = ChannelApiKey.objects.get(client=api_client)
    assert stored.key_hash == key_hash(key) and key not in stored.key_hash
    assert key.startswith(stored.prefix + ".")


# --- line lookup ----------------------------------------------------------------------------------------------------


@pytest.mark.rule("ACC-02")
@pytest.mark.parametrize("form", ["081234567890", "6281234567890", "+6281234567890", "%2B6281234567890"])
def test_line_lookup_accepts_every_acc02_form(client, form):
    # given (ACC-02)
    line = PostpaidLineFactory(msisdn="+6281234567890")
    BlockFactory(line=line, reason="unpaid_bill", scope="outgoing")
    _client, key = make_client(kind="charging")
    # when
    response = client.get(f"/api/v1/lines/{form}", **auth(key))
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["msisdn"] == "+6281234567890" and body["kind"] == "postpaid" and body["status"] == "active"
    assert body["blocked"] is True
    assert [(b["reason"], b["scope"]) for b in body["open_blocks"]] == [("unpaid_bill", "outgoing")]


def test_line_lookup_without_blocks(client):
    LineFactory(msisdn="+6281234567891")
    _client, key = make_client(kind="app")
    body = client.get("/api/v1/lines/081234567891", **auth(key)).json()
    assert body["blocked"] is False and body["open_blocks"] == [] and body["kind"] == "prepaid"


def test_line_lookup_unknown_number_is_404(client):
    _client, key = make_client(kind="charging")
    assert_error(client.get("/api/v1/lines/081299999999", **auth(key)), 404, "line_not_found")


@pytest.mark.parametrize("bad", ["12345", "0712345678", "abc", "+1555123456", "08" + "1" * 30])
def test_line_lookup_bad_number_is_400(client, bad):
    _client, key = make_client(kind="charging")
    error = assert_error(client.get(f"/api/v1/lines/{bad}", **auth(key)), 400, "invalid")
    assert error["fields"]


def test_unknown_api_path_is_404_json_for_clients(client):
    _client, key = make_client(kind="charging")
    assert client.get("/api/v1/nothing-here", **auth(key)).status_code == 404


def test_wrong_method_is_405_json(client):
    _client, key = make_client(kind="charging")
    assert_error(client.post("/api/v1/lines/081234567890", {}, **auth(key)), 405, "method_not_allowed")


# --- throttling -----------------------------------------------------------------------------------------------------


def test_each_client_is_throttled_on_its_own(client):
    # given
    _slow, slow_key = make_client(kind="charging", throttle_rate="2/min")
    _other, other_key = make_client(kind="charging", throttle_rate="2/min")
    LineFactory(msisdn="+6281234567890")
    # when
    statuses = [client.get("/api/v1/lines/081234567890", **auth(slow_key)).status_code for _ in range(3)]
    # then
    assert statuses == [200, 200, 429]
    assert_error(client.get("/api/v1/lines/081234567890", **auth(slow_key)), 429, "throttled")
    assert client.get("/api/v1/lines/081234567890", **auth(other_key)).status_code == 200


def test_invalid_throttle_rate_is_refused_by_validation():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ChannelClient(name="x", kind="app", throttle_rate="lots").full_clean()


# --- idempotency ----------------------------------------------------------------------------------------------------


@pytest.fixture
def partner(db):
    return make_client(kind="partner")


def post_holiday(client, key, **body):
    data = {"request_id": "r-1", "date": "2026-12-24", "name": "Cuti bersama", **body}
    return client.post("/api/v1/test-holidays", data, content_type="application/json", **auth(key))


@pytest.mark.urls("tests.core.idem_urls")
def test_replay_returns_the_first_response_and_writes_once(client, partner):
    # given
    api_client, key = partner
    first = post_holiday(client, key)
    # when
    second = post_holiday(client, key)
    # then
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert Holiday.objects.count() == 1
    record = ApiRequest.objects.get()
    assert record.client == api_client and record.request_id == "r-1" and record.response_status == 201


@pytest.mark.urls("tests.core.idem_urls")
def test_same_request_id_with_another_body_is_409(client, partner):
    _client, key = partner
    post_holiday(client, key)
    error = assert_error(post_holiday(client, key, name="Other"), 409, "request_id_reused")
    assert "request_id" in error["fields"]
    assert Holiday.objects.count() == 1


@pytest.mark.urls("tests.core.idem_urls")
def test_request_ids_are_per_client(client, partner):
    _client, key = partner
    _other, other_key = make_client(kind="app")
    post_holiday(client, key)
    assert post_holiday(client, other_key, date="2026-12-31").status_code == 201
    assert Holiday.objects.count() == 2


@pytest.mark.urls("tests.core.idem_urls")
def test_rule_violation_is_422_remembered_and_rolled_back(client, partner):
    # given: 2026-12-27 is a Sunday
    _client, key = partner
    # when
    first = post_holiday(client, key, date="2026-12-27")
    replay = post_holiday(client, key, date="2026-12-27")
    # then
    error = assert_error(first, 422, "sunday")
    assert error["message"] == "Sundays are already days off."
    assert replay.json() == first.json() and replay.status_code == 422
    assert Holiday.objects.count() == 0


@pytest.mark.urls("tests.core.idem_urls")
def test_invalid_input_is_400_and_not_remembered(client, partner):
    _client, key = partner
    error = assert_error(post_holiday(client, key, date="not a date"), 400, "invalid")
    assert "date" in error["fields"]
    assert ApiRequest.objects.count() == 0
    assert post_holiday(client, key).status_code == 201  # the corrected retry works


@pytest.mark.urls("tests.core.idem_urls")
@pytest.mark.parametrize("request_id", [None, "", "   ", "x" * 101, True, ["a"], {"a": 1}])
def test_missing_or_bad_request_id_is_400(client, partner, request_id):
    _client, key = partner
    body = {"date": "2026-12-24", "name": "x"}
    if request_id is not None:
        body["request_id"] = request_id
    response = client.post("/api/v1/test-holidays", body, content_type="application/json", **auth(key))
    error = assert_error(response, 400, "invalid")
    assert "request_id" in error["fields"]
    assert Holiday.objects.count() == 0


@pytest.mark.urls("tests.core.idem_urls")
@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "null", "\"text\""])
def test_malformed_json_is_400(client, partner, raw):
    _client, key = partner
    response = client.post("/api/v1/test-holidays", raw, content_type="application/json", **auth(key))
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"parse_error", "invalid"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.core.idem_urls")
def test_concurrent_requests_with_one_request_id_write_once(partner):
    import threading

    from django.db import connection
    from django.test import Client

    _client, key = partner
    responses = []

    def call():
        try:
            responses.append(post_holiday(Client(), key))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in responses) == [201] * 4
    assert len({r.json()["id"] for r in responses}) == 1
    assert Holiday.objects.count() == 1 and ApiRequest.objects.count() == 1


# --- management command ---------------------------------------------------------------------------------------------


def test_create_channel_client_prints_the_key_last_and_it_works(client):
    # given
    out = io.StringIO()
    LineFactory(msisdn="+6281234567890")
    # when
    call_command("create_channel_client", "ocs-1", "--kind", "charging", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    # then
    api_client = ChannelClient.objects.get(name="ocs-1")
    assert api_client.kind == "charging"
    assert ChannelApiKey.objects.get(client=api_client).key_hash == key_hash(key)
    assert client.get("/api/v1/lines/081234567890", **auth(key)).status_code == 200
    assert AuditEvent.objects.filter(verb="channel_client.key_created", subject_id=str(api_client.pk)).exists()


def test_create_channel_client_again_adds_a_key():
    call_command("create_channel_client", "app-1", "--kind", "app", stdout=io.StringIO())
    call_command("create_channel_client", "app-1", "--kind", "app", stdout=io.StringIO())
    assert ChannelApiKey.objects.filter(client__name="app-1").count() == 2


@pytest.mark.parametrize("args", [["bad name!", "--kind", "app"], ["x", "--kind", "nope"],
                                  ["x", "--kind", "app", "--rate", "fast"]])
def test_create_channel_client_bad_input(args):
    from django.core.management.base import CommandError

    with pytest.raises((CommandError, SystemExit)):
        call_command("create_channel_client", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ChannelClient.objects.exists()


def test_create_channel_client_with_another_kind_is_refused():
    from django.core.management.base import CommandError

    call_command("create_channel_client", "gw", "--kind", "ussd", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_channel_client", "gw", "--kind", "app", stdout=io.StringIO())
    assert ChannelApiKey.objects.count() == 1


# --- schema and docs ------------------------------------------------------------------------------------------------


def test_openapi_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/lines/{msisdn}" in text and "/api/v1/ussd" in text


def test_schema_and_docs_are_served_offline(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")
    assert schema.status_code == 200 and b"openapi" in schema.content
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "drf_spectacular_sidecar" in body and "cdn" not in body.lower() and "unpkg" not in body


# --- fuzzing: bad input never gives a 500 ----------------------------------------------------------------------------


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
junk = st.text(max_size=60)


@FUZZ
@given(number=junk)
def test_fuzz_line_lookup(client, number):
    _client, key = make_client(kind="charging")
    response = client.get("/api/v1/lines/" + urllib.parse.quote(number, safe=""), **auth(key))
    assert response.status_code in {200, 400, 404}


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["sessionId", "serviceCode", "phoneNumber", "text", "networkCode", "x"]),
                            junk, max_size=6))
def test_fuzz_ussd(client, data):
    _client, key = make_client(kind="ussd")
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    response = client.post("/api/v1/ussd", data, **auth(key))
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        text = response.content.decode()
        assert text[:4] in {"CON ", "END "} and len(text) <= 182


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["id", "message_status", "level"]), junk, max_size=3))
def test_fuzz_delivery_report(client, data):
    _client, key = make_client(kind="network")
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    response = client.post("/api/v1/sms/delivery-report", data, **auth(key))
    assert response.status_code in {200, 400, 404}


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | junk,
                           lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(junk, children, max_size=3), max_leaves=8)


@pytest.mark.urls("tests.core.idem_urls")
@FUZZ
@given(body=st.dictionaries(st.sampled_from(["request_id", "date", "name", "other"]), json_values, max_size=4))
def test_fuzz_idempotent_write(client, body):
    _client, key = make_client(kind="partner")
    response = client.post("/api/v1/test-holidays", body, content_type="application/json", **auth(key))
    assert response.status_code in {201, 400, 409, 422}
