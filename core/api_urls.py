"""Core routes under /api/v1/ (the line lookup is accounts')."""

from django.urls import path

from core.api import views

urlpatterns = [
    path("ussd", views.UssdView.as_view(), name="api-ussd"),
    path("sms/delivery-report", views.SmsDeliveryReportView.as_view(), name="api-sms-dlr"),
]
