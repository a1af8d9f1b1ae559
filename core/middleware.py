import logging

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


class UserLanguageMiddleware:
    """An agent's chosen language follows them to every page and every workstation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "language", ""):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class DatabaseBusyMiddleware:
    """A page whose database work timed out (lock_timeout, statement_timeout) or lost its connection answers a
    short 503 page with Retry-After instead of Django's 500: the agent can simply try again. The channel API under
    /api/ maps these errors itself (its JSON error shape)."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError

        if request.path.startswith("/api/") or not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database busy or unreachable on %s: %s", request.path, exception)
        html = render_to_string("503.html", {"retry_after": self.RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
