from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("lines/<int:pk>/limit/", views.limit_change, name="limit_change"),
    path("lines/<int:pk>/pay-usage/", views.payment_current, name="payment_current"),
    path("bills/<int:bill_id>/", views.bill_detail, name="bill_detail"),
    path("bills/<int:bill_id>/statement/resend/", views.statement_resend, name="statement_resend"),
    path("bills/<int:bill_id>/pay/", views.payment_record, name="payment_record"),
    path("bills/<int:bill_id>/objection/", views.objection_file, name="objection_file"),
]
