"""/api/schema/ and /api/docs/: open in development, a staff login or a channel key in production
(API_DOCS_REQUIRE_AUTH)."""

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from core.api.auth import ChannelClientAuthentication


class StaffOrChannelClient(BasePermission):
    def has_permission(self, request, view):
        if not settings.API_DOCS_REQUIRE_AUTH or request.auth is not None:
            return True
        # A session user has passed the second factor already (security.middleware).
        user = request.user
        return bool(user is not None and user.is_authenticated and user.is_staff)


class SchemaView(SpectacularAPIView):
    authentication_classes = [ChannelClientAuthentication, SessionAuthentication]
    permission_classes = [StaffOrChannelClient]


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = [ChannelClientAuthentication, SessionAuthentication]
    permission_classes = [StaffOrChannelClient]
