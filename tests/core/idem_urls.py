"""A small write endpoint used to test the idempotency decorator (urls for @pytest.mark.urls)."""

from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns
from core.api.idempotency import idempotent
from core.api.permissions import client_kind
from core.models import Holiday
from core.verdicts import RuleViolation


class HolidayIn(serializers.Serializer):
    request_id = serializers.CharField(max_length=100)
    date = serializers.DateField()
    name = serializers.CharField(max_length=120)


class HolidayCreate(APIView):
    permission_classes = [client_kind("partner", "app")]

    @idempotent
    def post(self, request):
        data = HolidayIn(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["date"].weekday() == 6:
            Holiday.objects.create(date=data.validated_data["date"], name="written then rolled back")
            raise RuleViolation.single("sunday", "Sundays are already days off.")
        holiday = Holiday.objects.create(date=data.validated_data["date"], name=data.validated_data["name"])
        return Response({"id": holiday.pk, "date": str(holiday.date), "name": holiday.name}, status=201)


urlpatterns = [path("api/v1/test-holidays", HolidayCreate.as_view()), *project_urlpatterns]
