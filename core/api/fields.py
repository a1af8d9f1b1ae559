"""Serializer fields shared by every app's API."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "example": "081234567890",
                      "description": "Indonesian mobile number: 08…, 628… or +628… (ACC-02)."})
class MsisdnField(serializers.CharField):
    """Accepts `08…`, `628…`, `+628…` (ACC-02) and gives the E.164 `+628…` form."""

    default_error_messages = {"invalid": "Invalid mobile number."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        from core.identifiers import normalize_msisdn

        value = super().to_internal_value(data)
        try:
            return normalize_msisdn(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code or "invalid")

