"""Each client kind reaches only its endpoints: `permission_classes = [client_kind("charging", "app")]`."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from core.models import ChannelClient


class HasChannelClient(BasePermission):
    message = _("Authentication credentials were not provided.")

    def has_permission(self, request, view):
        return isinstance(request.auth, ChannelClient)


def client_kind(*kinds: str) -> type[BasePermission]:
    valid = set(ChannelClient.Kind.values)
    unknown = set(kinds) - valid
    if unknown:
        raise ValueError(f"unknown channel client kinds: {sorted(unknown)}")

    class ClientKind(HasChannelClient):
        allowed_kinds = frozenset(kinds)
        message = _("This client may not use this endpoint.")

        def has_permission(self, request, view):
            return isinstance(request.auth, ChannelClient) and request.auth.kind in self.allowed_kinds

    ClientKind.__name__ = "ClientKind_" + "_".join(sorted(kinds))
    return ClientKind
