"""`Authorization: Token <key>` → request.auth is the ChannelClient (request.user stays anonymous/None)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.api.keys import key_hash
from core.models import ChannelApiKey


class ChannelClient401(exceptions.AuthenticationFailed):
    pass


def client_for_key(key: str):
    api_key = (ChannelApiKey.objects.select_related("client")
               .filter(key_hash=key_hash(key), revoked_at__isnull=True).first())
    if api_key is None or not api_key.client.active:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        # At most one write a minute per key, not one per request.
        ChannelApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key.client


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
