"""Identifier checks (ACC-01, ACC-02, TP-05), pure functions every app uses. Each raises a ValidationError with a
message an agent can read out."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import imei as stdnum_imei
from stdnum import imsi as stdnum_imsi
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def _digits(value: str) -> str:
    return "".join((value or "").split()).replace("-", "").replace(".", "")


# phonenumbers' own pattern for Indonesian mobile numbers (its metadata, read once). No other number type of region ID
# starts with 8 and a second digit this pattern allows, so a national number it matches is what phonenumbers calls a
# valid MOBILE number (tests/core/test_msisdn_fast.py compares the two on generated numbers).
_ID_MOBILE = re.compile(phonenumbers.PhoneMetadata.metadata_for_region("ID").mobile.national_number_pattern)


def msisdn_fast(value: str) -> str | None:
    """E.164 for a plain `08…`, `628…` or `+628…` mobile number (digits only), else None: the channel API's hot path
    (phonenumbers' parse costs ≈ 60 µs). None says nothing about validity: ask normalize_msisdn."""
    if value.startswith("08"):
        national = value[1:]
    elif value.startswith("628"):
        national = value[2:]
    elif value.startswith("+628"):
        national = value[3:]
    else:
        return None
    if national.isdigit() and national.isascii() and _ID_MOBILE.fullmatch(national):
        return "+62" + national
    return None


def normalize_msisdn(value: str) -> str:
    """`08…`, `628…` or `+628…` → E.164 `+628…` (ACC-02)."""
    raw = _digits(value)
    if not raw:
        raise ValidationError(_("Enter a mobile number."), code="msisdn_empty")
    if raw.startswith("62"):
        raw = "+" + raw
    if not (raw.startswith("08") or raw.startswith("+628")) or not raw.lstrip("+").isdigit():
        raise ValidationError(
            _("%(value)s is not an Indonesian mobile number (08…, 628… or +628…)."), code="msisdn_format",
            params={"value": value},
        )
    fast = msisdn_fast(raw)
    if fast is not None:
        return fast
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("%(value)s is not a valid mobile number."), code="msisdn_invalid",
                              params={"value": value}) from None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationError(_("%(value)s is not a valid mobile number."), code="msisdn_invalid",
                              params={"value": value})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_msisdn(value: str) -> bool:
    raw = _digits(value)
    return raw.lstrip("+").isdigit() and (raw.startswith("08") or raw.lstrip("+").startswith("628"))


def national_msisdn(e164: str) -> str:
    """+6281234567890 → 081234567890, the form agents and customers say aloud."""
    return "0" + e164[3:] if e164.startswith("+62") else e164


def validate_nik(value: str) -> str:
    """KTP number: 16 digits with a valid region and birth date (ACC-01)."""
    raw = _digits(value)
    if not raw.isdigit() or len(raw) != 16:
        raise ValidationError(_("A NIK has exactly 16 digits."), code="nik_length")
    try:
        return stdnum_nik.validate(raw)
    except StdnumError:
        raise ValidationError(_("This NIK is not valid (region or birth date)."), code="nik_invalid") from None


def validate_npwp(value: str) -> str:
    raw = _digits(value)
    try:
        return stdnum_npwp.compact(stdnum_npwp.validate(raw))
    except StdnumError:
        raise ValidationError(_("This NPWP (tax number) is not valid."), code="npwp_invalid") from None


def validate_passport(value: str) -> str:
    raw = _digits(value).upper()
    if not (6 <= len(raw) <= 12) or not raw.isalnum():
        raise ValidationError(_("A passport number has 6 to 12 letters and digits."), code="passport_invalid")
    return raw


def validate_driving_licence(value: str) -> str:
    raw = _digits(value)
    if not raw.isdigit() or not (12 <= len(raw) <= 16):
        raise ValidationError(_("A driving licence (SIM) number has 12 to 16 digits."), code="sim_invalid")
    return raw


def validate_iccid(value: str) -> str:
    """SIM serial: 19–20 digits starting 89, Luhn check digit (ACC-02)."""
    raw = _digits(value)
    if not raw.isdigit() or not (19 <= len(raw) <= 20):
        raise ValidationError(_("An ICCID has 19 or 20 digits."), code="iccid_length")
    if not raw.startswith("89"):
        raise ValidationError(_("An ICCID starts with 89."), code="iccid_prefix")
    if not luhn.is_valid(raw):
        raise ValidationError(_("This ICCID's check digit is wrong."), code="iccid_checksum")
    return raw


def validate_imsi(value: str) -> str:
    """15 digits on an Indonesian network: MCC 510 (ACC-02)."""
    raw = _digits(value)
    if not raw.isdigit() or len(raw) != 15:
        raise ValidationError(_("An IMSI has exactly 15 digits."), code="imsi_length")
    if not raw.startswith("510"):
        raise ValidationError(_("An IMSI here starts with 510 (Indonesia)."), code="imsi_country")
    try:
        stdnum_imsi.validate(raw)
    except StdnumError:
        raise ValidationError(_("This IMSI is not valid."), code="imsi_invalid") from None
    return raw


def validate_imei(value: str) -> str:
    """15 digits with a Luhn check digit (TP-05)."""
    raw = _digits(value)
    if not raw.isdigit() or len(raw) != 15:
        raise ValidationError(_("An IMEI has exactly 15 digits."), code="imei_length")
    if not luhn.is_valid(raw) or not stdnum_imei.is_valid(raw):
        raise ValidationError(_("This IMEI's check digit is wrong."), code="imei_checksum")
    return raw
