"""Issue 13: a property over every API write endpoint — hostile strings, deep nesting and wrong JSON types are a 4xx
JSON error (or, inside a batch, the record rejected) and write no row."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.endpoints import World, assert_error_shape, row_counts

pytestmark = pytest.mark.django_db

NAMES = ["purchase_authorize", "usage_records", "line_device", "claim_event", "prepaid_topup", "prepaid_purchase",
         "prepaid_app_pass", "prepaid_sms_usage", "marketing_consent"]
INTEGER_FIELDS = {"amount", "count", "repair_cost"}
BOOLEAN_FIELDS = {"marketing_consent"}

nul_text = st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=8), st.text(max_size=8))
surrogate_text = st.builds(lambda a, s, b: f"{a}{chr(s)}{b}", st.text(max_size=8),
                           st.integers(0xD800, 0xDFFF), st.text(max_size=8))
huge_text = st.integers(10_000, 12_000).map(lambda n: "x" * n)
deep = st.integers(17, 400).map(lambda n: json.loads("[" * n + "]" * n))
wrong_type = st.sampled_from([[], ["a"], {}, {"a": 1}, True, False, None])
wrong_number = st.sampled_from(["10000", "1e4", 10000.0, 1e4, 0.5, "", "Rp 10.000"])


@pytest.fixture
def world(db):
    return World()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_input_on_every_write_endpoint_is_a_4xx_json_error_and_writes_nothing(client, world, data):
    name = data.draw(st.sampled_from(NAMES), label="endpoint")
    endpoint = next(e for e in world.endpoints() if e.name == name)
    record = endpoint.record()
    known = sorted(record)
    field = data.draw(st.sampled_from([*known, "unknown_field"]), label="field")
    if field == "unknown_field":  # an ignored field is harmless unless the parser itself must refuse it
        value = data.draw(nul_text | surrogate_text | deep, label="value")
    elif field in BOOLEAN_FIELDS:  # true/false (and DRF's "true", 1 …) are its valid values
        value = data.draw(nul_text | surrogate_text | huge_text | deep | st.sampled_from([[], ["a"], {}, None]),
                          label="value")
    elif field in INTEGER_FIELDS:
        value = data.draw(nul_text | surrogate_text | deep | wrong_type | wrong_number | huge_text, label="value")
    else:
        value = data.draw(nul_text | surrogate_text | huge_text | deep | wrong_type, label="value")
    if field == "description" and value is None:
        value = []
    body = endpoint.with_field(field, value)
    before = row_counts()
    # when
    response = world.post(client, endpoint, body)
    # then
    if endpoint.batch and response.status_code == 200:
        result = response.json()
        assert result["accepted"] == 0 and result["duplicate"] == 0 and result["rejected"] == 1, result
    else:
        assert 400 <= response.status_code < 500
        assert_error_shape(response)
    assert row_counts() == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=deep | wrong_type | st.integers() | nul_text | surrogate_text)
def test_a_batch_that_is_not_a_list_of_records_is_400(client, world, body):
    for name in ("usage_records", "prepaid_sms_usage"):
        endpoint = next(e for e in world.endpoints() if e.name == name)
        before = row_counts()
        response = world.post(client, endpoint, raw=json.dumps(body))
        if isinstance(body, list) and body == ["a"]:  # a list, its one item not a record
            assert response.status_code == 200 and response.json()["rejected"] == 1
        else:
            assert_error_shape(response, 400)
        assert row_counts() == before
