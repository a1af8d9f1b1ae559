"""The charging system's hot endpoints without DRF's per-request machinery (issue 14).

A `HotPathView` answers the common request itself: a `Token` key found by the per-process key cache, a client of
one of the endpoint's kinds, a JSON object that the serializer's `fast` check accepts (core.api.validation). It then
runs the throttle and the endpoint's `answer()`, and renders the answer or its error exactly as DRF would. Anything
else (no key or a bad one, another kind, another method or content type, a body the fast check is unsure of) goes
through DRF's dispatch unchanged, which words every refusal. Nothing is counted or written before that choice, so
a request falls back at most once and is throttled once.

What it skips is DRF's Request wrapper, its negotiation, authentication, permission and throttle classes, and the
response's finalisation: an authorization's CPU in-process went from 1.25 to 0.81 ms (bench/README.md).
tests/api/test_hot_path.py holds the two paths to each other, answer for answer.
"""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from core.api import validation as check
from core.api.auth import client_for_key
from core.api.errors import api_exception_handler
from core.api.exceptions import ApiError
from core.api.parsers import parse_json
from core.api.throttling import throttle_wait

_RENDERER = JSONRenderer()


def json_response(data, status: int = 200) -> HttpResponse:
    """The bytes and content type DRF's JSONRenderer gives `data` (the API's only renderer)."""
    return HttpResponse(_RENDERER.render(data), status=status, content_type=_RENDERER.media_type)


def _token(request) -> str | None:
    """The key of an `Authorization: Token <key>` header as ChannelClientAuthentication reads it, or None."""
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) != 2 or parts[0].lower() != "token" or not parts[1].isascii():
        return None
    return parts[1]


class HotPathView(APIView):
    """A POST endpoint whose common request skips DRF. Subclasses set `permission_classes = [client_kind(…)]` and
    `serializer_class` (with a `fast` staticmethod), and write `answer(client, data, request)`, which returns the
    HttpResponse (json_response) or raises as a DRF view's handler would. The DRF path calls the same `answer`."""

    serializer_class = None
    hot_path = True  # the tests turn it off to compare the two paths

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        (permission,) = cls.permission_classes  # exactly one: client_kind(…), whose kinds the hot path checks
        cls.hot_kinds = permission.allowed_kinds

    def answer(self, client, data: dict, request) -> HttpResponse:
        raise NotImplementedError

    def post(self, request):
        return self.answer(request.auth, check.validated(self.serializer_class, request.data), request)

    def dispatch(self, request, *args, **kwargs):
        if self.hot_path and request.method == "POST":
            response = self._hot(request)
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)

    def _hot(self, request) -> HttpResponse | None:
        """The answer, or None to let DRF's dispatch take the request."""
        key = _token(request)
        client = client_for_key(key) if key else None
        if client is None or client.kind not in self.hot_kinds or request.content_type != "application/json":
            return None
        try:
            document = parse_json(request.body)
        except (ApiError, SuspiciousOperation, OSError):  # DRF reads and refuses it again, in its own words
            return None
        data = self.serializer_class.fast(document) if isinstance(document, dict) else check.UNSURE
        if data is check.UNSURE:
            return None
        request.user, request.auth = None, client  # as DRF's Request leaves them
        try:
            wait = throttle_wait(client)
            if wait is not None:
                raise exceptions.Throttled(wait)
            response = self.answer(client, data, request)
        except Exception as exc:  # noqa: BLE001 (the API's exception handler decides; what it leaves is re-raised)
            response = self._error(exc, request)
        for header, value in self.default_response_headers.items():
            response[header] = value
        return response

    def _error(self, exc: Exception, request) -> HttpResponse:
        handled = api_exception_handler(exc, {"view": self, "request": request, "args": (), "kwargs": {}})
        if handled is None:
            raise exc
        response = json_response(handled.data, status=handled.status_code)
        for header, value in handled.items():
            if header != "Content-Type":  # a DRF Response gets its type when rendered; this one is JSON already
                response[header] = value
        return response
