from django.urls import path

from security import views

app_name = "security"

urlpatterns = [
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("users/<int:user_id>/mfa-reset/", views.mfa_reset, name="mfa_reset"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("customers/<int:pk>/export/", views.customer_export, name="customer_export"),
]
