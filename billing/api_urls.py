"""Billing routes under /api/v1/."""

from django.urls import path

from billing import api

urlpatterns = [
    path("purchases/authorize", api.PurchaseAuthorizeView.as_view(), name="api-purchase-authorize"),
    path("usage-records", api.UsageRecordsView.as_view(), name="api-usage-records"),
    path("lines/<str:msisdn>/spending", api.LineSpendingView.as_view(), name="api-line-spending"),
    path("lines/<str:msisdn>/bills", api.LineBillsView.as_view(), name="api-line-bills"),
]
