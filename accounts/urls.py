from django.urls import path

from accounts import consent_views, identity_views, views

app_name = "accounts"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("customers/new/", views.customer_register, name="customer_register"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/identity/", views.customer_identity, name="customer_identity"),
    path("customers/<int:pk>/identity-check/", identity_views.identity_check, name="identity_check"),
    path("customers/<int:pk>/marketing-consent/", consent_views.marketing_consent, name="marketing_consent"),
    path("customers/<int:pk>/verification/", views.customer_verification, name="customer_verification"),
    path("customers/<int:pk>/accounts/new/", views.account_open, name="account_open"),
    path("customers/<int:pk>/lines/new/", views.line_activate, name="line_activate"),
    path("customers/<int:pk>/lines/new/preview/", views.line_activate_preview, name="line_activate_preview"),
    path("lines/<int:pk>/", views.line_detail, name="line_detail"),
    path("lines/<int:pk>/package/", views.line_package_change, name="line_package_change"),
    path("lines/<int:pk>/package/preview/", views.line_package_preview, name="line_package_preview"),
    path("lines/<int:pk>/sim/", views.line_sim_replace, name="line_sim_replace"),
    path("lines/<int:pk>/terminate/", views.line_terminate, name="line_terminate"),
    path("lines/<int:pk>/tabs/<slug:key>/", views.line_tab_view, name="line_tab"),
    path("lines/<int:pk>/block/", views.line_block, name="line_block"),
    path("lines/<int:pk>/blocks/<int:block_id>/unblock/", views.line_unblock, name="line_unblock"),
    path("lines/<int:pk>/lost/", views.line_report_lost, name="line_report_lost"),
    path("lines/<int:pk>/transfer/", views.line_transfer, name="line_transfer"),
]
