"""Prepaid routes under /api/v1/."""

from django.urls import path

from prepaid import api

urlpatterns = [
    path("prepaid/packages", api.PackageListView.as_view(), name="api-prepaid-packages"),
    path("prepaid/topups", api.TopupView.as_view(), name="api-prepaid-topups"),
    path("prepaid/purchases", api.PurchaseView.as_view(), name="api-prepaid-purchases"),
    path("prepaid/sms-usage", api.SmsUsageView.as_view(), name="api-prepaid-sms-usage"),
    path("prepaid/<str:msisdn>/app-pass", api.AppPassView.as_view(), name="api-prepaid-app-pass"),
    path("prepaid/<str:msisdn>", api.CardView.as_view(), name="api-prepaid-card"),
]
