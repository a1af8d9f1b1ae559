"""`Authorization: Token <key>` → request.auth is the ChannelClient (request.user stays anonymous/None).

Keys are resolved from a per-process cache for API_KEY_CACHE_SECONDS (no query per request on the hot path). A
revoke, a deactivated client or a changed rate clears this process's cache at once (signals below); other web
processes stop accepting a revoked key within the TTL.
"""

import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.api.keys import key_hash
from core.models import ChannelApiKey, ChannelClient


class ChannelClient401(exceptions.AuthenticationFailed):
    pass


_cache: dict[str, tuple[float, object]] = {}  # key hash → (valid until, monotonic; client or None)
_cache_lock = threading.Lock()


def key_cache_clear(**_kwargs) -> None:
    with _cache_lock:
        _cache.clear()


def _client_from_database(digest: str):
    api_key = (ChannelApiKey.objects.select_related("client")
               .filter(key_hash=digest, revoked_at__isnull=True).first())
    if api_key is None or not api_key.client.active:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        # At most one write a minute per key, not one per request.
        ChannelApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key.client


def client_for_key(key: str):
    digest = key_hash(key)
    now = time.monotonic()
    cached = _cache.get(digest)
    if cached is not None and cached[0] > now:
        return cached[1]
    client = _client_from_database(digest)
    ttl = settings.API_KEY_CACHE_SECONDS
    if ttl > 0 and client is not None:  # unknown keys are not cached: a flood of random keys cannot fill memory
        with _cache_lock:
            _cache[digest] = (now + ttl, client)
    return client


for _model in (ChannelApiKey, ChannelClient):
    post_save.connect(key_cache_clear, sender=_model, dispatch_uid=f"key_cache_clear_save_{_model.__name__}")
    post_delete.connect(key_cache_clear, sender=_model, dispatch_uid=f"key_cache_clear_delete_{_model.__name__}")


class ChannelClientAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header: expected 'Token <key>'."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        client = client_for_key(key)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        return (None, client)

    def authenticate_header(self, request):
        return self.keyword


class QueryKeyAuthentication(ChannelClientAuthentication):
    """For gateways that cannot send headers (Jasmin's delivery-report URL): `?key=<key>`, else the header."""

    def authenticate(self, request):
        key = request.query_params.get("key")
        if not key:
            return super().authenticate(request)
        client = client_for_key(key)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        return (None, client)


class ChannelClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.auth.ChannelClientAuthentication"
    name = "channelToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>`: the key printed by `manage.py create_channel_client`."}


class QueryKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.auth.QueryKeyAuthentication"
    name = "channelKeyQuery"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "query", "name": "key",
                "description": "The API key in the URL, for gateways without headers (or the Token header)."}
