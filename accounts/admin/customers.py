"""Customers and billing accounts (SAMU)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.admin.base import IndexedSearchMixin, _customer_query
from accounts.forms import LineActivateForm
from accounts.models import BillingAccount, Customer, Line, MarketingConsent
from accounts.selectors import classify_query
from core.actions import action_submit
from core.admin_base import (
    AuditedAdminMixin,
    AuditReasonForm,
    HistoryInline,
    LargeTableAdmin,
    admin_confirm,
    admin_report,
    admin_selected,
)
from core.models import Channel
from core.verdicts import RuleViolation

# ---------------------------------------------------------------------------------------------------------------
# Customers and billing accounts
# ---------------------------------------------------------------------------------------------------------------


class CustomerForm(AuditReasonForm):
    class Meta:
        model = Customer
        fields = ["full_name", "birth_date", "address", "city", "jabodetabek", "contact_phone", "email", "language"]


class VerificationForm(forms.Form):
    status = forms.ChoiceField(label=_("Verification"), choices=Customer.Verification.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give a reason."))
        return reason


class MarketingConsentInline(HistoryInline):
    """ACC-11: the consent history, read-only (agents record it on the customer page, through the service)."""

    model = MarketingConsent
    fields = ["recorded_at", "granted", "channel", "recorded_by", "note"]
    related = ("recorded_by",)
    max_num = 0
    ordering = ["-recorded_at", "-id"]


class BillingAccountInline(admin.TabularInline):
    model = BillingAccount
    fields = ["number", "payment_method", "bill_cycle_day", "status", "opened_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    max_num = 0

    def has_add_permission(self, request, obj=None):
        return False


class CustomerLineInline(admin.TabularInline):
    model = Line
    fk_name = "customer"
    fields = ["msisdn", "kind", "status", "billing_account", "activated_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("billing_account")


@admin.register(Customer)
class CustomerAdmin(AuditedAdminMixin, IndexedSearchMixin, LargeTableAdmin):
    """Contact details are edited here (audited); identity and verification go through services."""

    form = CustomerForm
    list_display = ["full_name", "kind", "id_type", "masked_id", "verification", "city", "registered_at"]
    list_filter = ["verification", "kind", "id_type", "jabodetabek", "registered_at"]
    list_select_related = ["registered_at"]
    sortable_by = ["full_name"]
    search_fields = ["full_name"]  # enables the box and autocomplete; the lookup is get_search_results
    readonly_fields = ["kind", "id_type", "masked_id", "verification", "registered_at", "created_at", "workspace",
                       "marketing_consent"]
    fieldsets = [
        (_("Identity"), {"fields": ["workspace", "kind", "full_name", "id_type", "masked_id", "birth_date",
                                    "verification"]}),
        (_("Contact"), {"fields": ["address", "city", "jabodetabek", "contact_phone", "email", "language",
                                   "marketing_consent"]}),
        (_("Registration"), {"fields": ["registered_at", "created_at"]}),
        (_("Audit"), {"fields": ["audit_reason"]}),
    ]
    inlines = [BillingAccountInline, CustomerLineInline, MarketingConsentInline]
    actions = ["set_verification"]

    @admin.display(description=_("document number"))
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("agent workspace"))
    def workspace(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("accounts:customer_detail", args=[obj.pk]),
                           _("Open the customer page (actions, timeline)"))

    def build_search_filter(self, term):
        return _customer_query(term)

    def has_add_permission(self, request):
        return False  # customers are registered in the agent workspace (customer_register)

    @admin.action(description=_("Set identity verification of the selected customers…"),
                  permissions=["change"])
    def set_verification(self, request, queryset):
        rows = admin_selected(self, request, queryset)
        if rows is None:
            return None
        form = VerificationForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return admin_confirm(self, request, rows, action="set_verification", form=form,
                            title=gettext("Set identity verification"))
        done, refused = 0, []
        for customer in rows:
            try:
                services.customer_set_verification(customer=customer, status=form.cleaned_data["status"],
                                                   actor=request.user, reason=form.cleaned_data["reason"])
                done += 1
            except RuleViolation as refusal:
                refused.append(f"{customer}: {refusal}")
        admin_report(self, request, done, refused, gettext("Verification set for %(count)d customers."))
        return None


class BillCycleDayFilter(admin.SimpleListFilter):
    """The days 1–28 without `SELECT DISTINCT` over every account."""

    title = _("bill cycle day")
    parameter_name = "cycle_day"

    def lookups(self, request, model_admin):
        return [(str(day), str(day)) for day in range(1, 29)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(bill_cycle_day=int(self.value()))
        return queryset


class BillingAccountForm(AuditReasonForm):
    class Meta:
        model = BillingAccount
        fields = ["payment_method", "bill_cycle_day"]


class AccountLineInline(CustomerLineInline):
    fk_name = "billing_account"
    fields = ["msisdn", "kind", "status", "customer", "activated_on"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer")


@admin.register(BillingAccount)
class BillingAccountAdmin(AuditedAdminMixin, IndexedSearchMixin, LargeTableAdmin):
    """Postpaid accounts; several lines on one account is SAMU (ACC-03)."""

    form = BillingAccountForm
    list_display = ["number", "customer", "payment_method", "bill_cycle_day", "status", "opened_on"]
    list_filter = ["status", "payment_method", BillCycleDayFilter]
    list_select_related = ["customer"]
    sortable_by = ["number"]
    search_fields = ["number"]
    readonly_fields = ["number", "customer", "status", "opened_on", "subscribe"]
    fields = ["number", "customer", "payment_method", "bill_cycle_day", "status", "opened_on", "subscribe",
              "audit_reason"]
    inlines = [AccountLineInline]

    @admin.display(description=_("new postpaid line"))
    def subscribe(self, obj):
        if obj.pk is None or obj.status != BillingAccount.Status.OPEN:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:accounts_billingaccount_subscribe", args=[obj.pk]),
                           _("Subscribe a postpaid line on this account"))

    def get_urls(self):
        return [path("<int:object_id>/subscribe/", self.admin_site.admin_view(self.subscribe_view),
                     name="accounts_billingaccount_subscribe"), *super().get_urls()]

    def subscribe_view(self, request, object_id):
        """ACC-08, LIM-12 in the admin: a postpaid line on this account with its basic package and initial domestic
        limit, through the same service as the agent workspace (accounts.services.line_activate, audited with the
        admin channel); the apps' notes (LIM-06 suggestion, LIM-09 range, the prorated first fee) and refusals are
        shown before submitting. Admin URLs need the second factor (security.middleware)."""
        account = get_object_or_404(BillingAccount.objects.select_related("customer"), pk=object_id)
        if not (self.has_change_permission(request, account) and request.user.has_perm("accounts.add_line")):
            raise PermissionDenied
        data = None
        if request.method == "POST":
            data = request.POST.copy()
            data.update({"kind": Line.Kind.POSTPAID, "billing_account": str(account.pk)})
        form = LineActivateForm(data, customer=account.customer,
                                initial={"kind": Line.Kind.POSTPAID, "billing_account": account.pk})
        for name in ("kind", "billing_account"):
            form.fields[name].widget = forms.HiddenInput()
        done = action_submit(request, form, lambda cleaned: services.line_activate(
            customer=account.customer, msisdn=cleaned["msisdn"], iccid=cleaned["iccid"], imsi=cleaned["imsi"],
            kind=Line.Kind.POSTPAID, billing_account=account, actor=request.user, channel=Channel.ADMIN,
            params=form.params))
        if done:
            self.message_user(request, gettext("Line %(number)s activated.")
                              % {"number": done.result.msisdn_national}, messages.SUCCESS)
            return redirect("admin:accounts_line_change", done.result.pk)
        # the verdict for what is typed (a GET with ?package=…&domestic_limit=… previews without a form to submit)
        preview = form if request.method == "POST" else LineActivateForm(request.GET, customer=account.customer)
        verdict = services.activation_eligibility(customer=account.customer, kind=Line.Kind.POSTPAID,
                                                  billing_account=account, params=preview.preview_params())
        context = {**self.admin_site.each_context(request), "title": gettext("Subscribe a postpaid line"),
                   "form": form, "verdict": verdict, "opts": self.model._meta, "original": account,
                   "media": self.media + form.media}
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/accounts/billingaccount/subscribe.html", context)

    def build_search_filter(self, term):
        if classify_query(term) == "account":
            return Q(number="".join(term.split()))
        condition = _customer_query(term)
        return None if condition is None else Q(customer__in=Customer.objects.filter(condition).values("pk"))

    def has_add_permission(self, request):
        return False  # opened in the agent workspace (billing_account_open)


