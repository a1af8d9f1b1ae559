"""Issue 14: a serializer's fast path (core.api.validation) accepts only what the serializer accepts, with the same
values; anything else goes to the serializer, which words the refusal. Generated input mixes valid and hostile
values for every field."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.api import PurchaseRequestSerializer, UsageRecordSerializer
from core.api.validation import UNSURE, iso_datetime, validated
from prepaid.api import TopupInSerializer

# Values of every kind a client could send for any field: valid ones of each field, near misses, wrong types.
ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2, max_value=10**13), st.floats(allow_nan=False),
    st.sampled_from([
        "", " ", "r-1", " r-1", "r-1 ", "a" * 100, "a" * 101, "x\x00", "\ud800", "tab\there", "é",
        "081324434406", "+6281324434406", "6281324434406", "0813-2443-4406", "08123", "0841234567", "٠٨١٣٢٤٤٣٤٤٠٦",
        "domestic", "international", "Domestic", "addon", "voice", "add on", "a" * 40, "a" * 41, "addon\n",
        "1000", "2026-12-01T10:00:00+07:00", "2026-12-01T03:00:00Z", "2026-12-01 10:00", "2026-13-01T00:00:00Z",
        "app", "umb", "pigeon",
    ]),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
)

ABSENT = object()
PRINTABLE = st.characters(min_codepoint=32, max_codepoint=0x2FF)
REQUEST_ID = st.text(PRINTABLE, min_size=1, max_size=101)
MSISDN = st.builds(lambda p, r: p + r, st.sampled_from(["081", "0813", "0857", "62812", "+62878", "0899", "084"]),
                   st.text(alphabet="0123456789", min_size=5, max_size=10))

# ISO 8601 the way clients write it: offsets (whole and odd minutes), Z, naive, a space for the T, fractions of a
# second, a date alone, years at the edges (year 1 at +07:00 is before datetime.min in UTC), and near misses.
OFFSETS = st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=-5)),
                           dt.timezone(dt.timedelta(hours=5, minutes=45)), dt.timezone(dt.timedelta(hours=14))])
OCCURRED_AT = st.one_of(
    st.builds(lambda moment, sep, z: moment.isoformat(sep=sep).replace("+00:00", "Z" if z else "+00:00"),
              st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59),
                           timezones=OFFSETS),
              st.sampled_from(["T", " "]), st.booleans()),
    st.builds(lambda moment, spec: moment.isoformat(timespec=spec),
              st.datetimes(timezones=OFFSETS), st.sampled_from(["minutes", "seconds", "milliseconds"])),
    st.dates().map(dt.date.isoformat),
    st.sampled_from(["2026-12-01T10:00:00+07:00", "2026-12-01T03:00:00Z", "2026-12-01T10:00:00.123456+0700",
                     "2026-12-01T10:00+07", "20261201T100000Z", "2026-W49-2T10:00", "2026-02-30T10:00:00Z",
                     "0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-05:00", "iso-8601", "2026-12-01T24:00:00Z",
                     " 2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z ", "2026-12-01t10:00:00z"]),
)

# Per serializer: each field's valid values (a document takes, field by field, a valid value, any value or none).
SERIALIZERS = [
    (PurchaseRequestSerializer, {
        "request_id": REQUEST_ID, "msisdn": MSISDN, "scope": st.sampled_from(["domestic", "international"]),
        "category": st.from_regex(r"[-a-zA-Z0-9_]{1,41}", fullmatch=True),
        "amount": st.integers(min_value=0, max_value=10**12 + 1), "description": st.text(PRINTABLE, max_size=201),
    }),
    (UsageRecordSerializer, {
        "record_id": REQUEST_ID, "msisdn": MSISDN, "scope": st.sampled_from(["domestic", "international"]),
        "category": st.from_regex(r"[-a-zA-Z0-9_]{1,41}", fullmatch=True),
        "amount": st.integers(min_value=-1, max_value=10**12 + 1), "occurred_at": OCCURRED_AT,
    }),
    (TopupInSerializer, {
        "request_id": REQUEST_ID, "msisdn": MSISDN,
        "amount": st.one_of(st.sampled_from([5000, 10000, 25000, 50000, 100000]),
                            st.integers(min_value=0, max_value=10**9 + 1)),
        "channel": st.sampled_from(["grapari", "call_centre_188", "umb", "app", "api", "system", "Umb"]),
    }),
]


def documents(valid: dict):
    """A valid document with up to two fields changed to any value or left out: the region where a fast path
    that is too lenient would show."""
    keys = sorted(valid)
    changes = st.lists(st.tuples(st.sampled_from(keys), st.one_of(ANY_VALUE, st.just(ABSENT))), max_size=2)

    def apply(document, changed):
        document = dict(document)
        for key, value in changed:
            if value is ABSENT:
                document.pop(key, None)
            else:
                document[key] = value
        return document

    return st.builds(apply, st.fixed_dictionaries(valid), changes)


@pytest.mark.parametrize(("serializer_class", "valid"), SERIALIZERS, ids=lambda v: getattr(v, "__name__", ""))
def test_the_fast_path_accepts_only_what_the_serializer_accepts_with_the_same_values(serializer_class, valid):
    taken = []
    cache = serializer_class.batch_cache() if hasattr(serializer_class, "batch_cache") else None

    @settings(max_examples=2000, deadline=None)
    @given(documents(valid))
    def check(document):
        fast = serializer_class.fast(document)
        if cache is not None:  # the same answer through one batch cache, shared by all the generated documents
            assert _same(serializer_class.fast(document, cache), fast) if fast is not UNSURE else (
                serializer_class.fast(document, cache) is UNSURE)
        serializer = serializer_class(data=document)
        if fast is not UNSURE:
            taken.append(document)
            assert serializer.is_valid(), (document, serializer.errors)
            assert _same(fast, dict(serializer.validated_data))

    check()
    assert len(taken) > 50, "the generated documents hardly reached the fast path: the test proves little"


def _same(fast: dict, slow: dict) -> bool:
    """Equal values, and a datetime in the same time zone as well as at the same instant."""
    return fast == slow and all(str(fast[key]) == str(slow[key]) for key in fast if isinstance(fast[key], dt.datetime))


@settings(max_examples=3000, deadline=None)
@given(OCCURRED_AT | ANY_VALUE)
def test_the_datetime_check_gives_what_drf_gives(value):
    from rest_framework import serializers

    field = UsageRecordSerializer._declared_fields["occurred_at"]
    fast = iso_datetime(value, field)
    with_zone = iso_datetime(value, field, field.default_timezone())  # the zone looked up once per batch
    assert with_zone is fast is UNSURE or (with_zone == fast and with_zone.tzinfo == fast.tzinfo)
    if fast is UNSURE:
        return
    slow = serializers.DateTimeField().run_validation(value)  # DRF's own field
    assert fast == slow and fast.tzinfo == slow.tzinfo and fast.isoformat() == slow.isoformat()


def test_a_valid_usage_record_takes_the_fast_path_with_the_time_in_the_current_zone():
    body = {"record_id": "u-1", "msisdn": "081324434406", "scope": "domestic", "category": "data", "amount": 0,
            "occurred_at": "2026-12-01T03:00:00Z"}
    cache = UsageRecordSerializer.batch_cache()
    for _ in range(2):  # the second answer comes from the batch's cache
        fast = UsageRecordSerializer.fast(body, cache)
        assert fast == {**body, "msisdn": "+6281324434406",
                        "occurred_at": dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC)}
        assert fast["occurred_at"].isoformat() == "2026-12-01T10:00:00+07:00"
    naive = UsageRecordSerializer.fast({**body, "occurred_at": "2026-12-01 10:00"})
    assert naive["occurred_at"].isoformat() == "2026-12-01T10:00:00+07:00"  # read in WIB, as DRF reads it


def test_a_time_out_of_range_in_wib_is_refused_not_a_crash():
    from rest_framework.exceptions import ValidationError

    body = {"record_id": "u-1", "msisdn": "081324434406", "scope": "domestic", "category": "data", "amount": 0,
            "occurred_at": "0001-01-01T00:00:00"}  # naive: read in WIB, it is before datetime.min in UTC
    assert UsageRecordSerializer.fast(body) is UNSURE
    with pytest.raises(ValidationError) as refused:
        validated(UsageRecordSerializer, body)
    assert [str(m) for m in refused.value.detail["occurred_at"]] == ["Datetime value out of range."]


def test_a_valid_authorization_takes_the_fast_path():
    body = {"request_id": "r-1", "msisdn": "081324434406", "scope": "domestic", "category": "addon", "amount": 1}
    assert PurchaseRequestSerializer.fast(body) == {**body, "msisdn": "+6281324434406", "description": ""}


def test_a_valid_topup_takes_the_fast_path():
    body = {"request_id": "t-1", "msisdn": "081324434406", "amount": 25000, "channel": "umb"}
    assert TopupInSerializer.fast(body) == {**body, "msisdn": "+6281324434406"}
    assert TopupInSerializer.fast({**body, "amount": True}) is UNSURE
    assert TopupInSerializer.fast({**body, "channel": "pigeon"}) is UNSURE


def test_a_refusal_is_worded_by_the_serializer():
    from rest_framework.exceptions import ValidationError

    body = {"request_id": "r-1", "msisdn": "081324434406", "scope": "domestic", "category": "addon", "amount": "1"}
    assert PurchaseRequestSerializer.fast(body) is UNSURE
    with pytest.raises(ValidationError) as refused:
        validated(PurchaseRequestSerializer, body)
    assert set(refused.value.detail) == {"amount"}
