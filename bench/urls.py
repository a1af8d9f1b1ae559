"""The project's URLs plus the bench baseline, under /api/ like the endpoints it is compared with (so the same
middleware branches run). Only bench.settings uses this module."""

from django.urls import include, path

from bench.views import one_select

urlpatterns = [
    path("api/v1/bench/one-select", one_select, name="bench-one-select"),
    path("", include("config.urls")),
]
