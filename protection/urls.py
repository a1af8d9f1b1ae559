from django.urls import path

from protection import views

app_name = "protection"

urlpatterns = [
    path("lines/<int:pk>/device/", views.device_set, name="device_set"),
    path("lines/<int:pk>/enroll/", views.enroll, name="enroll"),
    path("lines/<int:pk>/enrollments/<int:enrollment_id>/claim/", views.claim_new, name="claim_new"),
    path("lines/<int:pk>/enrollments/<int:enrollment_id>/terminate/", views.terminate, name="terminate"),
    path("lines/<int:pk>/claims/<int:claim_id>/", views.claim_update, name="claim_update"),
]
