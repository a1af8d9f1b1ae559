from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("jobs/", views.jobs, name="jobs"),
]
