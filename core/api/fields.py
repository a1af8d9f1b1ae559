"""Serializer fields shared by every app's API."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.parsers import hostile_text
from core.api.request_ids import REQUEST_ID_MAX_LENGTH
from core.identifiers import normalize_msisdn


@extend_schema_field({"type": "string", "example": "081234567890",
                      "description": "Indonesian mobile number: 08…, 628… or +628… (ACC-02)."})
class MsisdnField(serializers.CharField):
    """Accepts `08…`, `628…`, `+628…` (ACC-02) and gives the E.164 `+628…` form."""

    default_error_messages = {"invalid": _("Invalid mobile number.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and (hostile_text(data) or len(data) > self.max_length):
            # Refused before normalising, so the message never echoes an unprintable value.
            self.fail("invalid")

        value = super().to_internal_value(data)
        try:
            return normalize_msisdn(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code or "invalid")


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": REQUEST_ID_MAX_LENGTH,
                      "description": "The client's idempotency key: a replay returns the first answer."})
class RequestIdField(serializers.CharField):
    """A client's `request_id` (or a channel's `record_id`): 1 to REQUEST_ID_MAX_LENGTH characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", REQUEST_ID_MAX_LENGTH)
        super().__init__(**kwargs)


@extend_schema_field({"type": "integer"})
class WholeNumberField(serializers.IntegerField):
    """Every money (rupiah) and count field of the API: a JSON integer only — not "10000", 10000.0, 1e4 or true."""

    default_error_messages = {"whole_number": _("A whole number (a JSON integer) is required.")}

    def to_internal_value(self, data):
        if not isinstance(data, int) or isinstance(data, bool):
            self.fail("whole_number")
        return super().to_internal_value(data)


class DateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, except that a time which cannot be placed in the time zone (a naive 0001-01-01T00:00 read
    in WIB falls before the first UTC datetime) is refused as out of range: DRF raised OverflowError (a 500)."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")
