"""Issue 14: the fast MSISDN check (a regex from phonenumbers' own metadata) agrees with phonenumbers on every number
it recognises, and normalize_msisdn gives the same answers with it as phonenumbers alone."""

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from core.identifiers import MOBILE_TYPES, msisdn_fast, normalize_msisdn


def phonenumbers_says(raw: str) -> str | None:
    """E.164 if phonenumbers calls it a valid Indonesian mobile number, else None."""
    try:
        number = phonenumbers.parse(raw if raw.startswith(("0", "+")) else "+" + raw, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in MOBILE_TYPES:
        return None
    if phonenumbers.region_code_for_number(number) != "ID":
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


numbers = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(["08", "628", "+628", "8", "+62", "0", "62"]),
    st.text(alphabet="0123456789", min_size=0, max_size=14),
)


@settings(max_examples=3000, deadline=None)
@given(numbers)
def test_the_fast_check_never_accepts_what_phonenumbers_refuses(raw):
    fast = msisdn_fast(raw)
    if fast is not None:
        assert fast == phonenumbers_says(raw)


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(["08", "628", "+628"]), st.text(alphabet="0123456789", min_size=8, max_size=11))
def test_every_valid_mobile_number_takes_the_fast_path(prefix, rest):
    raw = prefix + rest
    if phonenumbers_says(raw) is not None:
        assert msisdn_fast(raw) == phonenumbers_says(raw)


def test_the_boundaries_of_the_pattern():
    assert msisdn_fast("081324434406") == "+6281324434406"
    assert msisdn_fast("6281324434406") == msisdn_fast("+6281324434406") == "+6281324434406"
    assert msisdn_fast("0812345678") == "+62812345678"  # 9 national digits: the shortest mobile number
    assert msisdn_fast("081234567") is None  # 8: too short
    assert msisdn_fast("0812345678901") == "+62812345678901"  # 12: the longest
    assert msisdn_fast("08123456789012") is None  # 13
    assert msisdn_fast("0841234567") is None  # 84 is not a mobile prefix
    assert msisdn_fast("0800123456") is None  # toll-free
    assert msisdn_fast("0813-2443-4406") is None  # not digits only: normalize_msisdn strips the dashes first
    assert msisdn_fast("081٣24434406") is None  # a non-ASCII digit


def test_normalize_msisdn_answers_as_before_for_numbers_off_the_fast_path():
    assert normalize_msisdn("0813-2443-4406") == "+6281324434406"
    assert normalize_msisdn("+62 813 2443 4406") == "+6281324434406"
