from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.counter, name="counter"),
    path("counter/", views.counter_take, name="counter_take"),
    path("call-next/", views.call_next, name="call_next"),
    path("tickets/new/", views.ticket_issue, name="ticket_issue"),
    path("<int:pk>/", views.visit_detail, name="visit_detail"),
    path("<int:pk>/identify/", views.visit_identify, name="visit_identify"),
    path("<int:pk>/no-show/", views.visit_no_show, name="visit_no_show"),
    path("<int:pk>/transfer/", views.visit_transfer, name="visit_transfer"),
    path("<int:pk>/wrap-up/", views.visit_wrap_up, name="visit_wrap_up"),
    path("kiosk/<slug:outlet>/", views.kiosk, name="kiosk"),
    path("queues/", views.queues, name="queues"),
    path("queues/live/", views.queues_live, name="queues_live"),
]
