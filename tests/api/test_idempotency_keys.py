"""Issue 10, idempotency keys: one length for what a client sends, one helper for what is stored, one name."""

import pytest

from billing.models import Purchase, UsageRecord
from core.api.request_ids import CLIENT_NAME_MAX_LENGTH, KEY_MAX_LENGTH, REQUEST_ID_MAX_LENGTH, client_key
from core.models import ApiRequest, ChannelClient
from prepaid.models import AppPass, LedgerEntry, PackagePurchase, SmsUsageRecord
from tests.api.endpoints import World, row_counts
from tests.core.factories import make_client

pytestmark = pytest.mark.django_db

NAMES = ["purchase_authorize", "usage_records", "line_device", "claim_event", "prepaid_topup", "prepaid_purchase",
         "prepaid_app_pass", "prepaid_sms_usage", "marketing_consent"]


@pytest.fixture
def world(db):
    world = World()
    # The longest client name there can be, so the stored keys are as long as they get.
    for kind in list(world.keys):
        world.keys[kind] = make_client(kind=kind, name=f"{kind}-".ljust(CLIENT_NAME_MAX_LENGTH, "x"))[1]
    return world


@pytest.mark.parametrize("name", NAMES)
def test_a_maximum_length_id_is_accepted_on_every_write_endpoint_and_replays(client, world, name):
    # given an id of exactly REQUEST_ID_MAX_LENGTH characters (a 100-character id got 422 reference_too_long)
    endpoint = next(e for e in world.endpoints() if e.name == name)
    body = endpoint.with_field(endpoint.idempotent_key, "k" * REQUEST_ID_MAX_LENGTH)
    # when
    first = world.post(client, endpoint, body)
    counts = row_counts()
    replay = world.post(client, endpoint, body)
    # then
    assert first.status_code == 200, first.content
    if endpoint.batch:
        assert first.json()["accepted"] == 1 and first.json()["rejected"] == 0
    assert replay.status_code == 200 and replay.content == first.content
    assert row_counts() == counts, "a replay wrote rows"
    assert not ApiRequest.objects.filter(response_status__gte=400).exists()


def test_every_key_column_fits_the_longest_client_key():
    longest = client_key("n" * CLIENT_NAME_MAX_LENGTH, "k" * REQUEST_ID_MAX_LENGTH)
    assert len(longest) < KEY_MAX_LENGTH
    columns = [(Purchase, "request_id"), (UsageRecord, "record_id"), (LedgerEntry, "reference"),
               (PackagePurchase, "reference"), (AppPass, "reference"), (SmsUsageRecord, "record_id")]
    assert {model._meta.get_field(field).max_length for model, field in columns} == {KEY_MAX_LENGTH}
    assert ApiRequest._meta.get_field("request_id").max_length == REQUEST_ID_MAX_LENGTH
    assert ChannelClient._meta.get_field("name").max_length == CLIENT_NAME_MAX_LENGTH


def test_keys_are_namespaced_per_client_and_apart_from_internal_references():
    assert client_key("ocs-1", "7") == "api:ocs-1:7" != client_key("ocs-2", "7")
    # A client named like an internal prefix cannot collide with the back office's own references ("demo:…").
    assert not client_key("demo", "1").startswith("demo:")


def test_authorization_answers_from_the_purchase_row_without_a_second_replay_store(client, world):
    endpoint = next(e for e in world.endpoints() if e.name == "purchase_authorize")
    first = world.post(client, endpoint)
    replay = world.post(client, endpoint)
    other = world.post(client, endpoint, endpoint.with_field("amount", 26_000))
    assert first.status_code == replay.status_code == 200 and replay.content == first.content
    assert replay["Idempotent-Replayed"] == "true"
    assert other.status_code == 409 and other.json()["error"]["code"] == "request_id_reused"
    assert Purchase.objects.count() == 1 and ApiRequest.objects.count() == 0


def test_authorization_for_an_unknown_number_is_404_and_writes_nothing(client, world):
    endpoint = next(e for e in world.endpoints() if e.name == "purchase_authorize")
    before = row_counts()
    response = world.post(client, endpoint, endpoint.with_field("msisdn", "081299999999"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "line_not_found"
    assert row_counts() == before
