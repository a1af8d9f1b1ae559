"""Supervisors' admin for billing: the catalogue is editable; money and history rows are read-only and change only
through services (limit override, objection resolution, goodwill credit), each audited with a reason."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import line_by_msisdn
from billing import services
from billing.models import (
    BasicPackage,
    Bill,
    BillCharge,
    BillingProfile,
    CreditNote,
    EarlySettlementDemand,
    LimitChange,
    LinePackage,
    Objection,
    Payment,
    Purchase,
    ServiceCategory,
    SpendingCycle,
    SpendingLimit,
    SuggestedLimit,
    UsageRecord,
)
from core.admin_base import AuditedAdmin, LargeTableMixin, MsisdnSearchMixin, ReadOnlyAdmin
from core.identifiers import normalize_msisdn
from core.money import format_rupiah
from core.verdicts import RuleViolation


def _form_page(request, admin_site, *, title, form, intro=""):
    context = {**admin_site.each_context(request), "title": title, "form": form, "intro": intro}
    return TemplateResponse(request, "billing/admin_form.html", context)


# --- catalogue ----------------------------------------------------------------------------------------------------


@admin.register(BasicPackage)
class BasicPackageAdmin(AuditedAdmin):
    list_display = ["name", "name_en", "monthly_fee", "regular_customer_policy", "is_active"]  # no code (a key)
    search_fields = ["name", "name_en", "code"]


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(AuditedAdmin):
    list_display = ["code", "name", "name_en", "scope", "counts_against_limit", "renewal_days"]
    list_filter = ["scope"]


@admin.register(SuggestedLimit)
class SuggestedLimitAdmin(AuditedAdmin):
    list_display = ["max_tariff", "cash_limit", "card_limit"]


@admin.register(BillingProfile)
class BillingProfileAdmin(AuditedAdmin):
    list_display = ["billing_account", "block_only_line"]
    raw_id_fields = ["billing_account", "block_only_line"]
    search_fields = ["billing_account__number"]


# --- limits -------------------------------------------------------------------------------------------------------


class OverrideForm(forms.Form):
    new_amount = forms.IntegerField(label=gettext_lazy("New limit (Rp)"), min_value=0, max_value=10**12)
    reason = forms.CharField(label=gettext_lazy("Reason for the exception"), widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=gettext_lazy("I confirm this exception to the limit rules"))


@admin.register(SpendingLimit)
class SpendingLimitAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    list_display = ["line", "scope", "amount", "used", "settled", "cycle_start", "cycle_end", "warn_notified",
                    "full_notified", "override_link"]
    list_filter = ["scope", "warn_notified", "full_notified"]
    search_fields = ["=line__msisdn"]
    list_select_related = ["line"]

    @admin.display(description=gettext_lazy("Override"))
    def override_link(self, obj):
        url = reverse("admin:billing_spendinglimit_override", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Override…"))

    def get_urls(self):
        return [path("<int:pk>/override/", self.admin_site.admin_view(self.override_view),
                     name="billing_spendinglimit_override"), *super().get_urls()]

    def override_view(self, request, pk):
        """A supervisor sets a limit outside LIM-07/08/09, with a reason (audited)."""
        if not request.user.has_perm("billing.override_limit"):
            raise PermissionDenied
        limit = get_object_or_404(SpendingLimit.objects.select_related("line"), pk=pk)
        form = OverrideForm(request.POST or None, initial={"new_amount": limit.amount})
        if request.method == "POST" and form.is_valid():
            try:
                services.spending_limit_override(line=limit.line, scope=limit.scope, actor=request.user,
                                                 new_amount=form.cleaned_data["new_amount"],
                                                 reason=form.cleaned_data["reason"])
            except RuleViolation as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Limit overridden."))
                return redirect("admin:billing_spendinglimit_changelist")
        intro = _("%(line)s, %(scope)s limit %(amount)s, usage %(usage)s.") % {
            "line": limit.line, "scope": limit.get_scope_display(), "amount": format_rupiah(limit.amount),
            "usage": format_rupiah(limit.counted)}
        return _form_page(request, self.admin_site, title=_("Override a spending limit"), form=form, intro=intro)


@admin.register(LimitChange)
class LimitChangeAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    list_display = ["created_at", "line", "scope", "kind", "old_amount", "new_amount", "channel", "actor_label"]
    list_filter = ["kind", "channel", "scope"]
    search_fields = ["=line__msisdn"]
    list_select_related = ["line"]


@admin.register(Purchase)
class PurchaseAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    list_display = ["created_at", "line", "scope", "category_label", "amount", "decision", "reason"]
    list_filter = ["decision", "reason", "scope"]
    search_fields = ["=request_id"]  # the channel's request id: searchable and on the detail page, not a column
    list_select_related = ["line", "category"]

    @admin.display(description=gettext_lazy("category"))
    def category_label(self, obj):
        """The category's name, not its code."""
        return obj.category.display_name if obj.category_id else obj.category_code


@admin.register(UsageRecord)
class UsageRecordAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    list_display = ["occurred_at", "record_id", "line", "scope", "category", "amount", "counted"]
    list_filter = ["scope", "counted"]
    search_fields = ["=record_id"]
    list_select_related = ["line", "category"]


@admin.register(SpendingCycle)
class SpendingCycleAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    list_display = ["line", "scope", "cycle_start", "cycle_end", "amount", "used", "settled"]
    search_fields = ["=line__msisdn"]
    list_select_related = ["line"]


@admin.register(LinePackage)
class LinePackageAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    list_display = ["line", "package", "since", "next_package", "next_from"]
    list_filter = ["package"]
    search_fields = ["=line__msisdn"]
    list_select_related = ["line", "package", "next_package"]


# --- bills --------------------------------------------------------------------------------------------------------


class BillChargeInline(admin.TabularInline):
    model = BillCharge
    fields = ["line", "source", "description", "amount", "charged_on", "usage_cycle_start", "source_ref"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ["billing_account", "period_start", "issued_on", "due_date", "ppn", "total", "paid", "status",
                    "overdue_blocked_on"]
    list_filter = ["status"]
    search_fields = ["billing_account__number"]
    list_select_related = ["billing_account"]
    inlines = [BillChargeInline]


@admin.register(BillCharge)
class BillChargeAdmin(ReadOnlyAdmin):
    list_display = ["charged_on", "billing_account", "line", "source", "description", "amount", "bill"]
    list_filter = ["source"]
    search_fields = ["source_ref", "billing_account__number"]
    list_select_related = ["billing_account", "line", "bill"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["paid_on", "reference", "billing_account", "bill", "line", "method", "amount", "recorded_by"]
    list_filter = ["method"]
    search_fields = ["reference", "billing_account__number"]
    list_select_related = ["billing_account", "bill", "line", "recorded_by"]


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=[
        ("upheld", gettext_lazy("Uphold: credit note on the next bill")), ("rejected", gettext_lazy("Reject"))])
    credit_amount = forms.IntegerField(label=gettext_lazy("Credit (Rp)"), min_value=1, max_value=10**12,
                                       required=False, help_text=gettext_lazy("Empty: the disputed amount."))
    resolution = forms.CharField(label=gettext_lazy("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=gettext_lazy("I confirm"))


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["filed_on", "bill", "amount", "status", "resolved_by", "credit_amount", "resolve_link"]
    list_filter = ["status"]
    search_fields = ["bill__billing_account__number"]
    list_select_related = ["bill__billing_account", "resolved_by"]

    @admin.display(description=gettext_lazy("Resolve"))
    def resolve_link(self, obj):
        if obj.status != Objection.Status.OPEN:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("admin:billing_objection_resolve", args=[obj.pk]),
                           _("Resolve…"))

    def get_urls(self):
        return [path("<int:pk>/resolve/", self.admin_site.admin_view(self.resolve_view),
                     name="billing_objection_resolve"), *super().get_urls()]

    def resolve_view(self, request, pk):
        """BIL-03: a supervisor upholds (credit note) or rejects an objection."""
        if not request.user.has_perm("billing.resolve_objection"):
            raise PermissionDenied
        objection = get_object_or_404(Objection.objects.select_related("bill"), pk=pk)
        form = ResolveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.objection_resolve(objection=objection, upheld=data["decision"] == "upheld",
                                           resolution=data["resolution"], actor=request.user,
                                           credit_amount=data["credit_amount"])
            except RuleViolation as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Objection resolved."))
                return redirect("admin:billing_objection_changelist")
        intro = _("Bill %(bill)s, disputed %(amount)s: %(text)s") % {
            "bill": objection.bill, "amount": format_rupiah(objection.amount), "text": objection.description}
        return _form_page(request, self.admin_site, title=_("Resolve an objection"), form=form, intro=intro)


class GoodwillForm(forms.Form):
    msisdn = forms.CharField(label=gettext_lazy("Line (MSISDN)"), max_length=20)
    amount = forms.IntegerField(label=gettext_lazy("Amount (Rp)"), min_value=1, max_value=10**12)
    reason = forms.CharField(label=gettext_lazy("The operator's fault"), widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=gettext_lazy("I confirm"))

    def clean_msisdn(self):
        try:
            number = normalize_msisdn(self.cleaned_data["msisdn"])
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        line = line_by_msisdn(number)
        if line is None:
            raise forms.ValidationError(_("No line holds this number."))
        return line


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ["created_on", "billing_account", "line", "kind", "amount", "created_by"]
    list_filter = ["kind"]
    search_fields = ["billing_account__number"]
    list_select_related = ["billing_account", "line", "created_by"]
    change_list_template = "billing/admin_creditnote_changelist.html"

    def get_urls(self):
        return [path("goodwill/", self.admin_site.admin_view(self.goodwill_view), name="billing_creditnote_goodwill"),
                *super().get_urls()]

    def goodwill_view(self, request):
        """BIL-08: a goodwill credit for the operator's proven fault, at most 3 months' subscription fee."""
        if not request.user.has_perm("billing.add_creditnote"):
            raise PermissionDenied
        form = GoodwillForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.goodwill_credit_grant(line=data["msisdn"], amount=data["amount"], reason=data["reason"],
                                               actor=request.user)
            except RuleViolation as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Goodwill credit granted."))
                return redirect("admin:billing_creditnote_changelist")
        return _form_page(request, self.admin_site, title=_("Grant a goodwill credit"), form=form,
                          intro=_("At most 3 months of the line's subscription fee."))  # BIL-08


@admin.register(EarlySettlementDemand)
class EarlySettlementDemandAdmin(ReadOnlyAdmin):
    list_display = ["demanded_on", "billing_account", "amount", "average", "settle_by", "status", "settled_on"]
    list_filter = ["status"]
    search_fields = ["billing_account__number"]
    list_select_related = ["billing_account"]
