"""Supervisors' admin for the counter: counters are edited (audited, ACC-07); tickets and visits are history,
written by the counter's services only."""

from django.contrib import admin

from core.admin_base import AuditedAdmin, HistoryInline, LargeTableMixin, ReadOnlyAdmin
from visits.models import Counter, Ticket, Visit, WrapUpItem


@admin.register(Counter)
class CounterAdmin(AuditedAdmin):
    list_display = ["outlet", "number", "is_active", "staffed_by"]
    list_filter = ["outlet", "is_active"]
    list_select_related = ["outlet", "staffed_by"]
    fieldsets = [(None, {"fields": ["outlet", "number", "is_active"]})]


@admin.register(Ticket)
class TicketAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["number", "service_day", "outlet", "reason", "channel", "status", "counter", "issued_at",
                    "called_at", "ended_at"]
    list_filter = ["status", "reason", "channel", "outlet"]
    search_fields = ["=number"]
    list_select_related = ["outlet", "counter"]
    ordering = ["-issued_at", "-id"]


class WrapUpItemInline(HistoryInline):
    model = WrapUpItem
    fields = ["reason", "resolution", "note", "line", "bill", "claim", "card"]
    related = ("line", "bill", "claim", "card")


@admin.register(Visit)
class VisitAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["ticket", "agent", "counter", "customer", "started_at", "ended_at", "outcome"]
    list_filter = ["outcome", "ticket__outlet", "ticket__reason"]
    search_fields = ["=ticket__number", "=agent__username"]
    list_select_related = ["ticket", "agent", "counter", "customer"]
    raw_id_fields = ["customer"]
    ordering = ["-started_at", "-id"]
    inlines = [WrapUpItemInline]
