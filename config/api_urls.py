"""Everything under /api/v1/. Each app owns its own api_urls module."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from billing import api_urls as billing_api_urls
from core.api.errors import error_body
from prepaid import api_urls as prepaid_api_urls


@csrf_exempt
def api_not_found(request, path=""):
    """Unknown API paths answer in the API's JSON error shape (any method: no HTML CSRF 403 for a POST)."""
    return JsonResponse(error_body("not_found", _("No such API endpoint.")), status=404)


urlpatterns = [
    # The charging system's endpoints (authorization, usage, top-ups) first, and in this list itself rather than
    # behind an include: the resolver tries patterns in order, and each include is one level more per request.
    *billing_api_urls.urlpatterns,
    *prepaid_api_urls.urlpatterns,
    path("", include("core.api_urls")),
    path("", include("accounts.api_urls")),
    path("", include("protection.api_urls")),
    path("", include("visits.api_urls")),
    re_path(r"^(?P<path>.*)$", api_not_found),
]
