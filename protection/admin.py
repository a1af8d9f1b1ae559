"""Supervisors' admin for TecProtec. The catalogue is edited here; every other change goes through a service."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.dates import local_today
from core.models import Channel
from core.verdicts import RuleViolation
from protection import selectors, services
from protection.forms import ClaimAdvanceForm
from protection.models import Claim, Enrollment, Installment, LineDevice, Product, Reimbursement
from protection.rules import claim_events_allowed


class ReadOnlyMixin:
    """History is written by services only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "monthly_price", "upfront_price", "claim_limit", "claim_fee", "updated_at"]
    readonly_fields = ["code", "updated_at"]
    fieldsets = [
        (None, {"fields": ["code", "name", "is_active"]}),
        (gettext_lazy("Price and period"), {"fields": ["monthly_price", "installment_count", "upfront_price",
                                                           "period_months"]}),
        (gettext_lazy("Claims"), {"fields": ["waiting_days", "claims_per_period", "claim_limit",
                                                            "claim_fee", "max_device_age_months",
                                                            "receipt_max_kb"]}),
        (gettext_lazy("Partner service"), {"fields": ["sla_days_jabodetabek", "sla_days_elsewhere",
                                                                     "reimbursement_working_days", "partner_name",
                                                                     "partner_call_centre"]}),
        (None, {"fields": ["updated_at"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        old = {name: form.initial.get(name) for name in form.changed_data}
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, verb="protection.product_changed", subject=obj, channel=Channel.ADMIN,
                     old=old, new={name: form.cleaned_data.get(name) for name in form.changed_data})


@admin.register(LineDevice)
class LineDeviceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["line", "imei", "seen_at", "source"]
    search_fields = ["imei", "line__msisdn"]
    list_select_related = ["line"]


class InstallmentInline(admin.TabularInline):
    model = Installment
    extra = 0
    can_delete = False
    fields = ["month_index", "due_on", "amount", "charged_at", "bill_ref"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["line", "imei", "status", "payment_option", "channel", "start_date", "end_date",
                    "installments_charged"]
    list_filter = ["status", "payment_option", "channel"]
    search_fields = ["imei", "line__msisdn", "receipt_number"]
    list_select_related = ["line"]
    date_hierarchy = "start_date"
    inlines = [InstallmentInline]
    actions = ["terminate"]

    @admin.action(description=gettext_lazy("Terminate the selected subscriptions (no claim made)"),
                  permissions=["terminate"])
    def terminate(self, request, queryset):
        reason = _("Terminated by a supervisor in the admin")
        done = 0
        for enrollment in queryset.order_by("pk"):
            try:
                services.enrollment_terminate(enrollment=enrollment, actor=request.user, reason=reason,
                                              channel=Channel.ADMIN)
                done += 1
            except RuleViolation as exc:
                self.message_user(request, f"{enrollment}: {exc}", messages.WARNING)
        if done:
            self.message_user(request, _("%(n)s subscriptions terminated.") % {"n": done}, messages.SUCCESS)

    def has_terminate_permission(self, request):
        return request.user.has_perm("protection.change_enrollment")


SLA_LABELS = {
    "ok": gettext_lazy("on time"), "due_today": gettext_lazy("due today"), "breached": gettext_lazy("breached"),
    "not_started": gettext_lazy("not picked up"), "done": gettext_lazy("returned in time"),
}


class SlaFilter(admin.SimpleListFilter):
    """TP-10: open claims by their SLA status."""

    title = gettext_lazy("SLA")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [("breached", gettext_lazy("Breached")), ("due_soon", gettext_lazy("Due within 2 days")),
                ("not_started", gettext_lazy("Not picked up yet"))]

    def queryset(self, request, queryset):
        if self.value():
            ids = selectors.open_claims(sla=self.value(), today=local_today()).values("pk")
            return queryset.filter(pk__in=ids)
        return queryset


class ReimbursementInline(admin.StackedInline):
    model = Reimbursement
    extra = 0
    can_delete = False
    readonly_fields = ["amount", "requested_on", "due_on", "status", "overdue", "paid_on", "reference"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "line", "status", "filed_on", "sla_due_on", "sla_badge", "repair_cost", "customer_excess",
                    "update_link"]
    list_filter = [SlaFilter, "status", "sla_breached"]
    search_fields = ["id", "imei", "line__msisdn"]
    list_select_related = ["line", "reimbursement"]
    ordering = ["sla_due_on", "id"]
    inlines = [ReimbursementInline]

    @admin.display(description=gettext_lazy("SLA"))
    def sla_badge(self, claim):
        status = selectors.claim_sla_status(claim, local_today())
        colour = {"breached": "#c00", "due_today": "#d80", "ok": "#080"}.get(status, "#666")
        return format_html('<span style="color:{}">{}</span>', colour, SLA_LABELS.get(status, status))

    @admin.display(description=gettext_lazy("Insurer's update"))
    def update_link(self, claim):
        if not claim_events_allowed(claim):
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:protection_claim_event", args=[claim.pk]),
                           _("Record"))

    def get_urls(self):
        return [path("<int:claim_id>/event/", self.admin_site.admin_view(self.event_view),
                     name="protection_claim_event"), *super().get_urls()]

    def event_view(self, request, claim_id):
        """Supervisors record the insurer's updates (picked up, repaired with cost, rejected, reimbursed)."""
        if not request.user.has_perm("protection.change_claim"):
            raise PermissionDenied
        claim = get_object_or_404(Claim.objects.select_related("line", "enrollment", "reimbursement"), pk=claim_id)
        events = claim_events_allowed(claim)
        form = ClaimAdvanceForm(request.POST or None, events=events)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.claim_advance(claim=claim, event=data["event"], actor=request.user, channel=Channel.ADMIN,
                                       on=data.get("on"), repair_cost=data.get("repair_cost"),
                                       reason=data.get("reason", ""), amount=data.get("amount"),
                                       reference=data.get("reference", ""))
            except RuleViolation as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                self.message_user(request, _("Claim %(id)s updated.") % {"id": claim.pk}, messages.SUCCESS)
                return redirect("admin:protection_claim_change", claim.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "claim": claim, "form": form,
                   "events": events, "title": _("Insurer's update on claim %(id)s") % {"id": claim.pk}}
        return TemplateResponse(request, "protection/admin_claim_event.html", context)


@admin.register(Reimbursement)
class ReimbursementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["claim", "amount", "requested_on", "due_on", "status", "overdue", "paid_on"]
    list_filter = ["status", "overdue"]
    list_select_related = ["claim__line"]


@admin.register(Installment)
class InstallmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["enrollment", "month_index", "due_on", "amount", "bill_ref", "charged_at"]
    list_select_related = ["enrollment__line"]
    search_fields = ["enrollment__line__msisdn", "bill_ref"]
