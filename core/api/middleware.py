"""Every answer under /api/ is JSON: the error shape `{"error": {"code", "message", "fields"}}`, whatever failed.

First in MIDDLEWARE, so it also sees what the other middleware answered (a CSRF 403, a 400 for a body too large
read by another middleware) and what no view handled: a retryable database failure (a lock or statement timeout, a
dropped connection) is a 503 with Retry-After; any other unexpected exception a 500 `internal_error` whose id is
in the log line, so the channel can quote it.
"""

import logging
import uuid

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.api.errors import DEFAULT_CODES, RETRY_AFTER_SECONDS, error_body

logger = logging.getLogger("core.api")
API_PREFIX = "/api/"
RETRYABLE = (OperationalError, InterfaceError)


# What Django's own error pages say, in the API's languages (their reason phrase is English only).
STATUS_MESSAGES = {
    400: gettext_lazy("Bad request."),
    403: gettext_lazy("Forbidden."),
    404: gettext_lazy("No such API endpoint."),
    405: gettext_lazy("Method not allowed."),
    413: gettext_lazy("The request body is too large."),
    500: gettext_lazy("Internal error: the request was not completed."),
    502: gettext_lazy("Temporarily unavailable: retry shortly."),
    503: gettext_lazy("Temporarily unavailable: retry shortly."),
    504: gettext_lazy("Temporarily unavailable: retry shortly."),
}


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


JSON_API_PREFIX = "/api/v1/"  # the endpoints; /api/docs/ is a page and keeps the pages' policy
JSON_API_CSP = "default-src 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy on the pages. A JSON answer of the channel API is no document to run anything in: it gets
    a fixed policy that lets nothing load and nothing frame it (OWASP's advice for REST services), instead of the
    pages' policy, which django-csp builds anew twice per response (≈ 0.1 ms of the authorization's CPU)."""

    def process_request(self, request):
        if not request.path_info.startswith(JSON_API_PREFIX):
            super().process_request(request)

    def process_response(self, request, response):
        if request.path_info.startswith(JSON_API_PREFIX):
            if "Content-Security-Policy" not in response:
                response["Content-Security-Policy"] = JSON_API_CSP
            return response
        return super().process_response(request, response)


def unavailable_response() -> JsonResponse:
    response = JsonResponse(error_body("service_unavailable", _("Temporarily unavailable: retry shortly.")),
                            status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def internal_error_response(request, exc: BaseException) -> JsonResponse:
    error_id = uuid.uuid4().hex
    logger.error("API internal error %s on %s %s", error_id, request.method, request.path, exc_info=exc)
    body = error_body("internal_error", _("Internal error %(id)s: the request was not completed.") % {"id": error_id})
    body["error"]["id"] = error_id
    return JsonResponse(body, status=500)


def _too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit is not None and length > limit


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request):
            return self.get_response(request)
        if _too_large(request):
            return JsonResponse(error_body("body_too_large", _("The request body is larger than %(n)d bytes.") % {
                "n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}), status=413)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            # An answer from outside the API's views (Django's HTML error pages): the same status, as JSON.
            code = DEFAULT_CODES.get(response.status_code, "internal_error" if response.status_code >= 500
                                     else "error")
            message = STATUS_MESSAGES.get(response.status_code, response.reason_phrase)
            json_response = JsonResponse(error_body(code, message), status=response.status_code)
            for header in ("Retry-After", "Allow", "WWW-Authenticate"):
                if header in response:
                    json_response[header] = response[header]
            return json_response
        return response

    def process_exception(self, request, exc):
        if not is_api(request):
            return None
        if isinstance(exc, RETRYABLE):
            logger.warning("API retryable database error on %s %s: %s", request.method, request.path, exc)
            return unavailable_response()
        return internal_error_response(request, exc)
