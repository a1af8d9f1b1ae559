"""Views under /api/ that fail on purpose (urls for @pytest.mark.urls), for the "every API failure is JSON" tests."""

from django.db import OperationalError
from django.urls import path
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns
from core.api.permissions import client_kind


class Boom(APIView):
    permission_classes = [client_kind("charging")]

    def get(self, request):
        raise RuntimeError("a bug in a view")


class DatabaseGone(APIView):
    permission_classes = [client_kind("charging")]

    def get(self, request):
        raise OperationalError("server closed the connection unexpectedly")


def plain_django_view(request):
    raise ValueError("a bug outside DRF")


urlpatterns = [
    path("api/v1/test-boom", Boom.as_view()),
    path("api/v1/test-db-gone", DatabaseGone.as_view()),
    path("api/v1/test-plain", plain_django_view),
    *project_urlpatterns,
]
