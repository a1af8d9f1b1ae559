"""Every API error is JSON `{"error": {"code", "message", "fields"}}` with 400/401/403/404/409/413/422/429, 503 for
a retryable database failure; bad input never becomes a 500 (core.api.middleware answers what escapes the views)."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback as drf_set_rollback

from core.api.exceptions import ApiError
from core.verdicts import RuleViolation

logger = logging.getLogger("core.api")
RETRY_AFTER_SECONDS = 1  # a lock or statement timeout clears within a second or two


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail) -> dict:
    """DRF's nested error detail → {"field": ["message", …]} with dotted paths for nested fields."""
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            if all(not isinstance(item, dict | list) for item in value):
                fields.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in value)
            else:
                for index, inner in enumerate(value):
                    walk(f"{prefix}.{index}" if prefix else str(index), inner)
        else:
            fields.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return fields


DEFAULT_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    422: "rule_violation",
    413: "body_too_large",
    429: "throttled",
    500: "internal_error",
    503: "service_unavailable",
}


def api_exception_handler(exc, context):
    if isinstance(exc, ApiError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, RuleViolation):
        code = exc.codes[0] if exc.codes else "rule_violation"
        return Response(error_body(code, "; ".join(exc.messages)), status=422)
    if isinstance(exc, OperationalError | InterfaceError):
        # Retryable (a lock or statement timeout, a dropped connection): nothing was committed.
        logger.warning("API retryable database error: %s", exc, exc_info=exc)
        response = Response(error_body("service_unavailable", _("Temporarily unavailable: retry shortly.")),
                            status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        drf_set_rollback()
        return response
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(error_body("invalid", _("Invalid input."), fields), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django log it and answer 500
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _("Invalid input."), _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
        code = getattr(detail, "code", None) or DEFAULT_CODES.get(response.status_code, "error")
        if isinstance(detail, dict | list):
            body = error_body(code, _("Invalid request."), _flatten(detail))
        else:
            body = error_body(code, str(detail))
    response.data = body
    return response
