from django.urls import path

from prepaid import views

app_name = "prepaid"

urlpatterns = [
    path("lines/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("lines/<int:pk>/card/", views.card_create, name="card_create"),
    path("lines/<int:pk>/activate/", views.activate, name="activate"),
    path("lines/<int:pk>/topup/", views.topup, name="topup"),
    path("lines/<int:pk>/purchase/", views.purchase, name="purchase"),
    path("lines/<int:pk>/sim/", views.sim_replace, name="sim_replace"),
    path("lines/<int:pk>/block/", views.block, name="block"),
    path("lines/<int:pk>/unblock/", views.unblock, name="unblock"),
    path("lines/<int:pk>/app-pass/", views.app_pass, name="app_pass"),
    path("lines/<int:pk>/prime/", views.prime_join, name="prime_join"),
    path("lines/<int:pk>/prime/cancel/", views.prime_cancel, name="prime_cancel"),
]
