"""TecProtec routes under /api/v1/."""

from django.urls import path

from protection import api

urlpatterns = [
    path("lines/<str:msisdn>/device", api.LineDeviceView.as_view(), name="api-line-device"),
    path("lines/<str:msisdn>/protection", api.LineProtectionView.as_view(), name="api-line-protection"),
    path("claims/<int:claim_id>/events", api.ClaimEventView.as_view(), name="api-claim-events"),
]
