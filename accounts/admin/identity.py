"""Supervisors' lists of the identity checks and of the identity numbers shown to agents (read-only, ACC-10)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import IdentityCheck, IdentityReveal
from core.admin_base import LargeTableMixin, ReadOnlyAdmin


@admin.register(IdentityCheck)
class IdentityCheckAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["checked_at", "customer", "line", "method", "result", "checked_by", "outlet", "interaction_id"]
    list_filter = ["result", "method", "checked_by__outlet", "checked_at"]
    search_fields = ["=checked_by__username", "=customer__id"]
    list_select_related = ["customer", "line", "checked_by", "checked_by__outlet"]
    raw_id_fields = ["customer", "line"]
    ordering = ["-checked_at", "-id"]

    @admin.display(description=_("outlet"))
    def outlet(self, obj):
        return obj.checked_by.outlet


@admin.register(IdentityReveal)
class IdentityRevealAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["created_at", "customer", "actor_label", "outlet", "reason", "interaction_id"]
    list_filter = ["outlet", "created_at"]
    search_fields = ["=actor_label", "=customer__id"]
    list_select_related = ["customer", "outlet"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(verb="customer.identity_shown")
