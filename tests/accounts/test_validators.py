"""Identifier checks at every boundary: wrong length, bad checksum, letters, empty (ACC-01, ACC-02, TP-05)."""

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import (
    looks_like_msisdn,
    national_msisdn,
    normalize_msisdn,
    validate_driving_licence,
    validate_iccid,
    validate_imei,
    validate_imsi,
    validate_nik,
    validate_npwp,
    validate_passport,
)


def _code(validator, value) -> str:
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value.code


# MSISDN (ACC-02) ------------------------------------------------------------------------------------------------


@pytest.mark.rule("ACC-02")
@pytest.mark.parametrize(("value", "expected"), [
    ("081234567890", "+6281234567890"),
    ("6281234567890", "+6281234567890"),
    ("+6281234567890", "+6281234567890"),
    ("0812 3456 7890", "+6281234567890"),
    ("0812-3456-7890", "+6281234567890"),
    ("0811234567", "+62811234567"),  # 10 digits: the shortest accepted
    ("0812345678901", "+62812345678901"),  # 13 digits: the longest accepted
])
def test_msisdn_is_stored_e164(value, expected):
    assert normalize_msisdn(value) == expected


@pytest.mark.rule("ACC-02")
@pytest.mark.parametrize(("value", "code"), [
    ("", "msisdn_empty"),
    ("   ", "msisdn_empty"),
    ("081234567", "msisdn_invalid"),  # 9 digits: one too short
    ("08123456789012", "msisdn_invalid"),  # 14 digits: one too long
    ("0812345678O", "msisdn_format"),  # a letter O
    ("62812abc", "msisdn_format"),
    ("021555123", "msisdn_format"),  # a Jakarta landline
    ("+15551234567", "msisdn_format"),  # not Indonesian
    ("812345678", "msisdn_format"),  # no leading 0 / 62
])
def test_msisdn_rejects(value, code):
    assert _code(normalize_msisdn, value) == code


@pytest.mark.rule("ACC-02")
def test_msisdn_message_names_the_input():
    with pytest.raises(ValidationError) as info:
        normalize_msisdn("021555123")
    assert "021555123" in info.value.messages[0]


@pytest.mark.rule("ACC-02")
@pytest.mark.parametrize(("value", "expected"), [
    ("081234", True), ("6281", True), ("+6281", True), ("+62 812", True), ("021", False), ("+1555", False),
    ("Budi", False), ("", False), ("6221", False),
])
def test_looks_like_msisdn(value, expected):
    assert looks_like_msisdn(value) is expected


@pytest.mark.rule("ACC-02")
def test_national_msisdn():
    assert national_msisdn("+6281234567890") == "081234567890"
    assert national_msisdn("+15551234567") == "+15551234567"


# NIK (ACC-01) ---------------------------------------------------------------------------------------------------


@pytest.mark.rule("ACC-01")
@pytest.mark.parametrize("value", [
    "3171010101900001",  # male, born 1 Jan 1990
    "3171014101900001",  # female: day + 40
    "3171017101900001",  # female, born 31 Jan (day 71)
    "3171 0141 0190 0001",
])
def test_nik_accepts(value):
    assert validate_nik(value) == "".join(value.split())


@pytest.mark.rule("ACC-01")
@pytest.mark.parametrize(("value", "code"), [
    ("", "nik_length"),
    ("317101410190000", "nik_length"),  # 15 digits
    ("31710141019000011", "nik_length"),  # 17 digits
    ("31710141019A0001", "nik_length"),  # a letter
    ("3171017201900001", "nik_invalid"),  # day 72 → 32 January
    ("3171010113900001", "nik_invalid"),  # month 13
    ("9999010101900001", "nik_invalid"),  # unknown region
])
def test_nik_rejects(value, code):
    assert _code(validate_nik, value) == code


# Other identity documents (ACC-01) ------------------------------------------------------------------------------


@pytest.mark.rule("ACC-01")
@pytest.mark.parametrize(("value", "valid"), [
    ("12345", False), ("123456", True), ("ab12cd", True), ("123456789012", True), ("1234567890123", False),
    ("", False), ("AB-12-34", True), ("AB 12/34", False),
])
def test_passport_is_6_to_12_letters_and_digits(value, valid):
    if valid:
        assert validate_passport(value) == value.replace("-", "").upper()
    else:
        assert _code(validate_passport, value) == "passport_invalid"


@pytest.mark.rule("ACC-01")
@pytest.mark.parametrize(("value", "valid"), [
    ("12345678901", False), ("123456789012", True), ("1234567890123456", True), ("12345678901234567", False),
    ("", False), ("12345678901A", False),
])
def test_driving_licence_is_12_to_16_digits(value, valid):
    if valid:
        assert validate_driving_licence(value) == value
    else:
        assert _code(validate_driving_licence, value) == "sim_invalid"


@pytest.mark.rule("ACC-01")
def test_npwp():
    assert validate_npwp("01.312.166.0-091.000") == "013121660091000"
    assert _code(validate_npwp, "013121661091000") == "npwp_invalid"  # check digit
    assert _code(validate_npwp, "") == "npwp_invalid"
    assert _code(validate_npwp, "01312166009100") == "npwp_invalid"  # 14 digits


# ICCID, IMSI (ACC-02) and IMEI (TP-05) --------------------------------------------------------------------------


@pytest.mark.rule("ACC-02")
@pytest.mark.parametrize(("value", "code"), [
    ("8962100000000000002", None),  # 19 digits
    ("89621000000000000015", None),  # 20 digits
    ("896210000000000000", "iccid_length"),  # 18
    ("896210000000000000155", "iccid_length"),  # 21
    ("", "iccid_length"),
    ("896210000000000000A", "iccid_length"),
    ("1962100000000000002", "iccid_prefix"),
    ("8962100000000000003", "iccid_checksum"),
])
def test_iccid(value, code):
    if code is None:
        assert validate_iccid(value) == value
    else:
        assert _code(validate_iccid, value) == code


@pytest.mark.rule("ACC-02")
@pytest.mark.parametrize(("value", "code"), [
    ("510101234567890", None),
    ("51010123456789", "imsi_length"),
    ("5101012345678901", "imsi_length"),
    ("", "imsi_length"),
    ("51010123456789X", "imsi_length"),
    ("310101234567890", "imsi_country"),
])
def test_imsi(value, code):
    if code is None:
        assert validate_imsi(value) == value
    else:
        assert _code(validate_imsi, value) == code


@pytest.mark.rule("TP-05")
@pytest.mark.parametrize(("value", "code"), [
    ("490154203237518", None),
    ("490154203237519", "imei_checksum"),
    ("49015420323751", "imei_length"),
    ("4901542032375180", "imei_length"),
    ("", "imei_length"),
    ("49015420323751X", "imei_length"),
])
def test_imei(value, code):
    if code is None:
        assert validate_imei(value) == value
    else:
        assert _code(validate_imei, value) == code
