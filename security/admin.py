"""Supervisors' admin for access to personal data, second factors and lockouts. Kept in this app's module so that
the shared admin base stays untouched."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin_base import LargeTableAdmin, ReadOnlyAdmin
from security.models import AccessLog, Anonymisation, DataExport


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin, LargeTableAdmin):
    """Per customer (`?customer__id__exact=`) and per agent (`?actor__id__exact=`): both indexed."""

    list_display = ["created_at", "kind", "customer_link", "line", "actor_link", "outlet"]
    list_filter = ["kind"]
    list_select_related = ["customer", "line", "actor", "outlet"]
    date_hierarchy = None
    ordering = ["-created_at", "-id"]
    search_fields = ["=customer__id", "=actor__username"]

    @admin.display(description=_("customer"))
    def customer_link(self, obj):
        url = reverse("admin:security_accesslog_changelist")
        return format_html('<a href="{}?customer__id__exact={}">{}</a>', url, obj.customer_id, obj.customer)

    @admin.display(description=_("by"))
    def actor_link(self, obj):
        url = reverse("admin:security_accesslog_changelist")
        return format_html('<a href="{}?actor__id__exact={}">{}</a>', url, obj.actor_id, obj.actor)


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "customer", "requested_by", "outlet", "check_method", "document_last_digits",
                    "records"]
    list_select_related = ["customer", "requested_by", "outlet"]
    list_filter = ["check_method"]


@admin.register(Anonymisation)
class AnonymisationAdmin(ReadOnlyAdmin):
    list_display = ["anonymised_at", "customer", "last_line_ended_on"]
    list_select_related = ["customer"]


# Second factors: no device is added, edited or deleted by hand (that would skip the audit); a supervisor resets a
# user's second factor with a reason instead.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(TOTPDevice)
class SecondFactorAdmin(ReadOnlyAdmin):
    list_display = ["user", "confirmed", "created_at", "last_used_at", "reset_link"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]

    @admin.display(description=_("reset"))
    def reset_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("security:mfa_reset", args=[obj.user_id]),
                           _("Reset the second factor"))


# Lockouts: unlocked on the supervisors' lockouts page, with a reason (audited), never deleted here.
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(AccessAttemptAdmin):
    actions = None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
