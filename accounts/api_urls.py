"""Accounts routes under /api/v1/."""

from django.urls import path

from accounts import api

urlpatterns = [
    path("lines/<str:msisdn>", api.LineDetailView.as_view(), name="api-line-detail"),
    path("lines/<str:msisdn>/marketing-consent", api.MarketingConsentView.as_view(), name="api-marketing-consent"),
]
