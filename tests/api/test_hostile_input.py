"""Issue 13, "Bad input gets a clear 4xx, never a 500, and nothing is written": one regression test per item."""

import json

import pytest
from django.test import Client

from core.api.parsers import MAX_DEPTH
from core.api.request_ids import REQUEST_ID_MAX_LENGTH
from tests.api.endpoints import World, assert_error_shape, row_counts

pytestmark = pytest.mark.django_db

ENDPOINTS = ["purchase_authorize", "usage_records", "line_device", "claim_event", "prepaid_topup",
             "prepaid_purchase", "prepaid_app_pass", "prepaid_sms_usage", "marketing_consent"]
IDEMPOTENT = ["purchase_authorize", "line_device", "claim_event", "prepaid_topup", "prepaid_purchase",
              "prepaid_app_pass", "marketing_consent"]


@pytest.fixture
def world(db):
    return World()


def endpoint(world, name):
    return next(e for e in world.endpoints() if e.name == name)


def assert_refused(response, before, status=400):
    error = assert_error_shape(response, status)
    assert row_counts() == before, "a refused request wrote rows"
    return error


@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_catalogue_bodies_are_accepted(client, world, name):
    # The refusals below mean something only if the same body without the hostile part is accepted.
    ep = endpoint(world, name)
    response = world.post(client, ep)
    assert response.status_code == 200, response.content
    if ep.batch:
        assert response.json()["accepted"] == 1


@pytest.mark.parametrize("name", IDEMPOTENT)
def test_nul_byte_in_request_id_is_400_on_every_idempotent_endpoint(client, world, name):
    ep = endpoint(world, name)
    before = row_counts()
    error = assert_refused(world.post(client, ep, ep.with_field("request_id", "ab\u0000cd")), before)
    assert list(error["fields"]) == ["request_id"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_lone_surrogate_in_request_id_is_400(client, world, name):
    ep = endpoint(world, name)
    before = row_counts()
    # json.dumps writes the lone surrogate as the escape "\ud800", which is valid JSON text.
    error = assert_refused(world.post(client, ep, ep.with_field(ep.idempotent_key, "\ud800x")), before)
    assert error["fields"]


@pytest.mark.parametrize("value", ["\ud800x", "0812\u00003456789"])
@pytest.mark.parametrize("name", ["purchase_authorize", "usage_records", "prepaid_topup", "prepaid_purchase"])
def test_lone_surrogate_or_nul_in_msisdn_is_400(client, world, name, value):
    ep = endpoint(world, name)
    before = row_counts()
    response = world.post(client, ep, ep.with_field("msisdn", value))
    assert_refused(response, before)
    assert "\\ud800" not in response.content.decode() and "\ud800" not in response.content.decode("utf-8")


@pytest.mark.parametrize("value", ["\ud800", "a\u0000"])
def test_hostile_msisdn_in_the_path_is_400(client, world, value):
    import urllib.parse

    response = client.get("/api/v1/lines/" + urllib.parse.quote(value, safe="", errors="surrogatepass"),
                          **world.headers("charging"))
    assert_error_shape(response, 400)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_deep_json_nesting_is_400_not_recursion_error(client, world, name):
    ep = endpoint(world, name)
    before = row_counts()
    error = assert_refused(world.post(client, ep, raw="[" * 1000 + "]" * 1000), before)
    assert error["code"] == "too_deeply_nested"


def test_nesting_just_within_the_limit_is_parsed(client, world):
    ep = endpoint(world, "purchase_authorize")
    nested = {"request_id": "deep", **ep.body, "description": None}
    inner = "x"
    for _ in range(MAX_DEPTH - 2):
        inner = [inner]
    nested["description"] = inner
    # A field of the wrong type, but the parser let it through: the serializer names the field.
    error = assert_error_shape(world.post(client, ep, nested), 400)
    assert error["code"] == "invalid" and "description" in error["fields"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_oversize_body_is_json_413(client, world, name, settings):
    ep = endpoint(world, name)
    before = row_counts()
    body = ep.with_field("description", "x" * (3 * 1024 * 1024))
    error = assert_refused(world.post(client, ep, body), before, status=413)
    assert error["code"] == "body_too_large"


def test_oversize_body_without_content_length_is_refused_by_the_parser(settings):
    # A body whose length was not announced: the parser stops reading past the limit.
    import io

    from core.api.exceptions import ApiError
    from core.api.parsers import SafeJSONParser

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    with pytest.raises(ApiError) as refused:
        SafeJSONParser().parse(io.BytesIO(b"[" + b"1," * 1000 + b"1]"))
    assert refused.value.status_code == 413 and refused.value.code == "body_too_large"
    assert SafeJSONParser().parse(io.BytesIO(b"[" + b"1," * 100 + b"1]")) == [1] * 101


def test_post_to_unknown_api_path_is_json_404_not_csrf_403(world):
    csrf_client = Client(enforce_csrf_checks=True)
    for method in ("post", "put", "delete", "get"):
        kwargs = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
        response = getattr(csrf_client, method)("/api/v1/no/such/thing", **kwargs, **world.headers("charging"))
        assert assert_error_shape(response, 404)["code"] == "not_found"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/api/v1/lines/081234567890", 401),  # no key
    ("post", "/api/v1/lines/081234567890", 401),
    ("get", "/api/nothing", 404),  # under /api/ but outside /api/v1/
    ("post", "/api/schema/", 405),
])
def test_every_answer_under_api_is_the_json_error_shape(method, path, status, db):
    response = getattr(Client(enforce_csrf_checks=True), method)(path)
    assert response.status_code == status
    assert_error_shape(response)


@pytest.mark.parametrize("raw_amount", ['"10000"', "10000.0", "1e4", "true", "null", '"1e4"', "[10000]"])
@pytest.mark.parametrize(("name", "field"), [
    ("purchase_authorize", "amount"), ("usage_records", "amount"), ("prepaid_topup", "amount"),
    ("prepaid_sms_usage", "count"),
])
def test_money_and_count_fields_refuse_strings_floats_and_exponents(client, world, name, field, raw_amount):
    ep = endpoint(world, name)
    before = row_counts()
    text = json.dumps(ep.with_field(field, "__VALUE__")).replace('"__VALUE__"', raw_amount)
    response = world.post(client, ep, raw=text)
    if ep.batch:  # a batch answers per record
        assert response.status_code == 200
        body = response.json()
        assert body["accepted"] == 0 and body["rejected"] == 1 and field in body["errors"][0]["fields"]
        assert row_counts() == before
    else:
        error = assert_refused(response, before)
        assert field in error["fields"]


@pytest.mark.parametrize("field", ["repair_cost", "amount"])
def test_claim_money_fields_refuse_non_integers(client, world, field):
    ep = endpoint(world, "claim_event")
    event = {"repair_cost": "returned", "amount": "shipping_reimbursement"}[field]
    before = row_counts()
    error = assert_refused(world.post(client, ep, {"request_id": "m", "event": event, field: 10000.0}), before)
    assert field in error["fields"]


def test_every_operation_in_the_openapi_schema_declares_its_error_responses(client):
    schema = client.get("/api/schema/?format=json").json()
    missing = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            needed = {"401", "403", "429", "500", "503"}
            if "requestBody" in operation or operation.get("parameters"):
                needed |= {"400"}
            if "requestBody" in operation:
                needed |= {"413"}
            if "{" in path:
                needed |= {"404"}
            if method == "post" and "request_id" in json.dumps(operation.get("requestBody", {})):
                needed |= {"409"}
            gaps = needed - statuses
            if gaps:
                missing[f"{method.upper()} {path}"] = sorted(gaps)
    assert missing == {}
    assert {"400", "404", "409", "422"} <= set(schema["paths"]["/api/v1/purchases/authorize"]["post"]["responses"])


def test_max_length_request_id_is_accepted_and_one_more_is_400(client, world):
    ep = endpoint(world, "purchase_authorize")
    assert world.post(client, ep, ep.with_field("request_id", "r" * REQUEST_ID_MAX_LENGTH)).status_code == 200
    before = row_counts()
    assert_refused(world.post(client, ep, ep.with_field("request_id", "r" * (REQUEST_ID_MAX_LENGTH + 1))), before)
