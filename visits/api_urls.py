"""Visits routes under /api/v1/."""

from django.urls import path

from visits import api

urlpatterns = [
    path("visits/tickets", api.TicketIssueView.as_view(), name="api-visit-tickets"),
]
