"""Per-client throttling: each ChannelClient has its own bucket, at its own rate or its kind's default."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.models import ChannelClient


class ChannelClientThrottle(SimpleRateThrottle):
    scope = "channel_client"

    def allow_request(self, request, view):
        client = request.auth
        if not isinstance(client, ChannelClient):
            return True  # unauthenticated requests are refused before they cost anything
        self.rate = self.client_rate(client)
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def __init__(self):
        # The rate depends on the client: resolved in allow_request, not here.
        pass

    def client_rate(self, client: ChannelClient) -> str | None:
        if client.throttle_rate:
            return client.throttle_rate
        rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        return rates.get(f"channel_{client.kind}", rates.get(self.scope))

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": f"client-{request.auth.pk}"}
