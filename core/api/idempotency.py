"""`@idempotent` on a write view method: the client's `request_id` makes the request safe to replay.

Replaying a request_id returns the first response; the same request_id with a different body (or on another
endpoint) is a 409. The ApiRequest row is written in the same transaction as the view's work, so a request that
crashed left nothing behind and may be retried; two concurrent requests with one request_id serialise on the
unique (client, request_id) index and the second replays the first.
"""

import datetime as dt
import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer

from core.api.errors import ApiError, api_exception_handler
from core.api.exceptions import request_id_reused
from core.api.parsers import hostile_text
from core.api.request_ids import REQUEST_ID_MAX_LENGTH
from core.models import ApiRequest, ChannelClient

NOT_STORED = {400, 401, 403, 405, 406, 415, 429}  # input refused before the endpoint acted: nothing to remember


def api_requests_purge(*, older_than_days: int, chunk: int = 10_000) -> int:
    """Delete replay rows past the replay window, in chunks (each its own short statement). A request replayed
    after the window is decided again; money endpoints keep their own unique keys for ever."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    deleted = 0
    while True:
        ids = list(ApiRequest.objects.filter(created_at__lt=cutoff).order_by("created_at")
                   .values_list("id", flat=True)[:chunk])
        if not ids:
            return deleted
        deleted += ApiRequest.objects.filter(id__in=ids).delete()[0]


def body_hash(method: str, path: str, data) -> str:
    payload = json.dumps({"method": method, "path": path, "body": data}, sort_keys=True, default=str,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _request_data(request):
    data = request.data
    if hasattr(data, "dict"):  # QueryDict (form posts)
        data = {key: data.getlist(key) if len(data.getlist(key)) > 1 else data.get(key) for key in data}
    return data


def _replay(record: ApiRequest, digest: str) -> HttpResponse:
    if record.body_hash != digest:
        raise request_id_reused()
    response = HttpResponse(record.response_body, status=record.response_status, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def _rendered(response) -> tuple[HttpResponse, str]:
    """The view's answer rendered once: the same bytes go to this client now and to every replay."""
    body = JSONRenderer().render(response.data).decode("utf-8")
    rendered = HttpResponse(body, status=response.status_code, content_type="application/json")
    for header, value in response.items():
        if header.lower() != "content-type":
            rendered[header] = value
    return rendered, body


def idempotent(view_method):
    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        client = request.auth
        if not isinstance(client, ChannelClient):
            raise exceptions.NotAuthenticated()
        data = _request_data(request)
        request_id = data.get("request_id") if isinstance(data, dict) else None
        if not isinstance(request_id, str) or not request_id.strip():
            raise ApiError(400, "invalid", _("Invalid input."),
                           fields={"request_id": [_("A unique request_id is required for every write.")]})
        request_id = str(request_id).strip()
        # Validated before the first query: PostgreSQL refuses NUL in text (a 500, not a 400, if it got there).
        problem = hostile_text(request_id)
        if problem:
            raise ApiError(400, "invalid", _("Invalid input."), fields={"request_id": [problem]})
        if len(request_id) > REQUEST_ID_MAX_LENGTH:
            raise ApiError(400, "invalid", _("Invalid input."),
                           fields={"request_id": [_("At most %(n)d characters.") % {"n": REQUEST_ID_MAX_LENGTH}]})
        digest = body_hash(request.method, request.path, data)

        record = ApiRequest.objects.filter(client=client, request_id=request_id).first()
        if record is not None:
            return _replay(record, digest)
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        response = view_method(self, request, *args, **kwargs)
                        if response.status_code >= 400:
                            transaction.set_rollback(True)
                except Exception as exc:  # a refusal (RuleViolation, ApiError …) is a response to remember too
                    response = api_exception_handler(exc, {"view": self, "request": request})
                    if response is None:
                        raise
                if response.status_code >= 500 or response.status_code in NOT_STORED:
                    return response
                response, body = _rendered(response)
                ApiRequest.objects.create(
                    client=client, request_id=request_id, method=request.method, path=request.path[:255],
                    body_hash=digest, response_status=response.status_code, response_body=body,
                )
                return response
        except IntegrityError:
            # A concurrent request with this request_id committed first: replay it.
            record = ApiRequest.objects.filter(client=client, request_id=request_id).first()
            if record is None:
                raise
            return _replay(record, digest)

    return wrapper
