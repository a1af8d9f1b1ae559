"""The error responses in the OpenAPI schema: every operation declares what it can answer besides 200."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def error_responses(*statuses: int) -> dict:
    """The statuses an endpoint answers besides the common ones that `common_errors_hook` adds to every one."""
    return {status: OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS.get(status, ""))
            for status in statuses}


DESCRIPTIONS = {
    400: "Invalid input (the `fields` say which).",
    401: "No, a wrong or a revoked API key.",
    403: "This client's kind may not use this endpoint.",
    404: "Unknown number, claim or path.",
    409: "The request_id was used with another body, or the workflow does not allow this now.",
    413: "The request body is too large.",
    422: "A business rule refused it (the code says which).",
    429: "Throttled: too many requests from this client.",
    500: "Internal error; the message carries an id that is in the log.",
    503: "Temporarily unavailable (a timeout or the database): retry after `Retry-After` seconds.",
}
COMMON = (401, 403, 429, 500, 503)
WITH_BODY = (400, 413)


def common_errors_hook(result, generator, request, public):
    """drf-spectacular postprocessing: the statuses every operation can answer, all in the error shape."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    ref = {"$ref": "#/components/schemas/Error"}
    if "Error" not in components:
        return result
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            statuses = COMMON + (WITH_BODY if "requestBody" in operation or operation.get("parameters") else ())
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(str(status), {
                    "content": {"application/json": {"schema": ref}}, "description": DESCRIPTIONS[status]})
    return result
