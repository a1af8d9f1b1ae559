"""Everything under /api/v1/. Each app owns its own api_urls module."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _

from core.api.errors import error_body


def api_not_found(request, path=""):
    """Unknown API paths answer in the API's JSON error shape, not with an HTML page."""
    return JsonResponse(error_body("not_found", _("No such API endpoint.")), status=404)


urlpatterns = [
    path("", include("core.api_urls")),
    path("", include("accounts.api_urls")),
    path("", include("billing.api_urls")),
    path("", include("protection.api_urls")),
    path("", include("prepaid.api_urls")),
    re_path(r"^(?P<path>.*)$", api_not_found),
]
