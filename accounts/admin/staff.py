"""Outlets and staff users."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Outlet, User
from core.admin_base import AuditedAdminMixin, AuditReasonForm
from core.audit import audit_record
from core.models import Channel

# ---------------------------------------------------------------------------------------------------------------
# Outlets and users
# ---------------------------------------------------------------------------------------------------------------


class OutletForm(AuditReasonForm):
    class Meta:
        model = Outlet
        fields = ["code", "name", "city", "jabodetabek", "is_active"]


@admin.register(Outlet)
class OutletAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = OutletForm
    list_display = ["code", "name", "city", "jabodetabek", "is_active"]
    list_filter = ["jabodetabek", "is_active", "city"]
    search_fields = ["code", "name", "city"]
    ordering = ["name"]
    fields = ["code", "name", "city", "jabodetabek", "is_active", "audit_reason"]


class StaffChangeForm(UserChangeForm):
    audit_reason = AuditReasonForm.base_fields["audit_reason"]

    class Meta(UserChangeForm.Meta):
        model = User


class StaffCreationForm(UserCreationForm):
    audit_reason = AuditReasonForm.base_fields["audit_reason"]

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "first_name", "last_name", "outlet", "language"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    """Agents and supervisors. Roles are the groups Agent and Supervisor; only a superuser grants superuser."""

    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ["username", "first_name", "last_name", "outlet", "is_staff", "is_active", "last_login"]
    list_filter = ["groups", "outlet", "is_staff", "is_active", "language"]
    list_select_related = ["outlet"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["outlet"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email", "outlet", "language"]}),
        (_("Role"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
        (_("Audit"), {"fields": ["audit_reason"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "first_name", "last_name", "outlet", "language",
                                                "password1", "password2"]}),
        (_("Audit"), {"fields": ["audit_reason"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # A supervisor manages roles through groups; raising privileges is for a superuser.
            fields += ["is_superuser", "user_permissions"]
        return fields

    # Django's change and add views already run in one transaction: the save and its audit event commit together.

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if request.path.rstrip("/").endswith("/password"):
            audit_record(actor=request.user, channel=Channel.ADMIN, verb="user.password_set", subject=obj)
        return entry

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)


