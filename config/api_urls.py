"""Everything under /api/v1/. Each app owns its own api_urls module."""

from django.urls import include, path

urlpatterns = [
    path("", include("core.api_urls")),
    path("", include("accounts.api_urls")),
    path("", include("billing.api_urls")),
    path("", include("protection.api_urls")),
    path("", include("prepaid.api_urls")),
]
