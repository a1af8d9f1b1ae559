"""Core routes under /api/v1/."""

from django.urls import path

from core.api import views

urlpatterns = [
    path("lines/<str:msisdn>", views.LineDetailView.as_view(), name="api-line-detail"),
    path("ussd", views.UssdView.as_view(), name="api-ussd"),
    path("sms/delivery-report", views.SmsDeliveryReportView.as_view(), name="api-sms-dlr"),
]
