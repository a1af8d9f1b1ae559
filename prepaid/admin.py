"""Supervisors' admin: the catalogue is editable; cards, ledgers and their history are read-only (services write)."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_base import AuditedAdmin, LargeTableMixin, MsisdnSearchMixin, ReadOnlyAdmin
from core.money import format_rupiah
from prepaid.models import (
    ActivationArea,
    AppPass,
    Card,
    Denomination,
    LedgerEntry,
    Package,
    PackagePurchase,
    PassApp,
    PriceChange,
    PrimeSubscription,
    PrimeTier,
    SimReplacement,
    SmsHourCounter,
    SmsUsageRecord,
    TariffDay,
    VoucherDraw,
    VoucherWin,
)
from prepaid.rules import price_change_eligibility
from prepaid.services import price_change_schedule


@admin.register(ActivationArea)
class ActivationAreaAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Denomination)
class DenominationAdmin(AuditedAdmin):
    list_display = ["amount", "validity_days", "is_active"]


@admin.register(Package)
class PackageAdmin(AuditedAdmin):
    # The name in both languages, not the code (the code stays searchable and on the edit page).
    list_display = ["name", "name_en", "price", "prime_price", "validity_days", "monthly_data", "unlimited",
                    "is_active", "order"]
    list_filter = ["monthly_data", "unlimited", "is_active"]
    search_fields = ["code", "name", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        # PRE-08: an existing package's prices change only through a scheduled, announced price change.
        return ["price", "prime_price"] if obj is not None else []


class PriceChangeForm(forms.ModelForm):
    class Meta:
        model = PriceChange
        fields = ["package", "new_price", "new_prime_price", "effective_on", "reason"]

    def clean(self):
        data = super().clean()
        package = data.get("package")
        if package is not None and not self.errors:
            verdict = price_change_eligibility(
                package=package, new_price=data.get("new_price"), new_prime_price=data.get("new_prime_price"),
                effective_on=data.get("effective_on"), today=timezone.localdate())
            for reason in verdict.reasons:
                field = "effective_on" if reason.code in ("notice_too_short", "already_scheduled") else None
                self.add_error(field, reason.message)
        return data


@admin.register(PriceChange)
class PriceChangeAdmin(admin.ModelAdmin):
    """PRE-08: a supervisor schedules a package's new prices; the date must respect the announcement lead time."""

    form = PriceChangeForm
    list_display = ["package", "new_price", "new_prime_price", "effective_on", "scheduled_on", "scheduled_by",
                    "announced_at", "announced_count", "applied_at"]
    list_filter = ["package"]
    list_select_related = ["package", "scheduled_by"]
    readonly_fields = ["scheduled_on", "scheduled_by", "announced_at", "announced_count", "applied_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        scheduled = price_change_schedule(
            package=data["package"], new_price=data["new_price"], new_prime_price=data["new_prime_price"],
            effective_on=data["effective_on"], reason=data["reason"], actor=request.user)
        obj.pk, obj.scheduled_on, obj.scheduled_by = scheduled.pk, scheduled.scheduled_on, scheduled.scheduled_by
        obj._state.adding = False


@admin.register(TariffDay)
class TariffDayAdmin(AuditedAdmin):
    list_display = ["date", "name", "price_percent"]
    date_hierarchy = "date"


@admin.register(PrimeTier)
class PrimeTierAdmin(AuditedAdmin):
    list_display = ["code", "name", "monthly_fee", "min_average_spend", "voucher_draw"]


@admin.register(PassApp)
class PassAppAdmin(AuditedAdmin):
    list_display = ["name", "is_active", "order"]


class LedgerInline(admin.TabularInline):
    model = LedgerEntry
    fields = ["created_at", "kind", "reference", "amount", "balance_after", "channel", "actor", "note"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Card)
class CardAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    list_display = ["line", "state", "balance_display", "active_until", "grace_until", "activation_area"]
    list_filter = ["state", "activation_area"]
    search_fields = ["=line__iccid"]
    list_select_related = ["line", "activation_area"]
    raw_id_fields = ["line"]
    inlines = [LedgerInline]

    @admin.display(description=_("balance"), ordering="balance")
    def balance_display(self, obj):
        return format_rupiah(obj.balance)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    msisdn_field = "card__line__msisdn"
    list_display = ["created_at", "card", "kind", "note", "amount", "balance_after", "channel"]
    list_filter = ["kind", "channel"]
    search_fields = ["=reference"]  # the internal reference: searchable and on the detail page, not a column
    list_select_related = ["card__line"]
    ordering = ["-created_at", "-id"]  # the ledger_time index


@admin.register(PackagePurchase)
class PackagePurchaseAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    msisdn_field = "card__line__msisdn"
    list_display = ["purchased_at", "card", "package", "price", "valid_until", "rollover"]
    list_filter = ["package", "rollover"]
    search_fields = ["=reference"]
    list_select_related = ["card__line", "package"]


@admin.register(SimReplacement)
class SimReplacementAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    list_display = ["created_at", "card", "reason", "old_iccid", "new_iccid", "fee", "free_with_prime", "actor"]
    list_filter = ["reason", "free_with_prime"]
    search_fields = ["=old_iccid", "=new_iccid"]
    msisdn_field = "card__line__msisdn"
    list_select_related = ["card__line", "actor"]


@admin.register(PrimeSubscription)
class PrimeSubscriptionAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    msisdn_field = "card__line__msisdn"
    list_display = ["card", "tier", "status", "started_on", "renews_on", "periods_charged", "ended_on", "end_reason"]
    list_filter = ["status", "tier", "end_reason"]
    search_fields = ["=card__line__iccid"]
    list_select_related = ["card__line", "tier"]


@admin.register(AppPass)
class AppPassAdmin(MsisdnSearchMixin, LargeTableMixin, ReadOnlyAdmin):
    msisdn_field = "card__line__msisdn"
    list_display = ["card", "claimed_at", "valid_until", "channel"]
    search_fields = ["=reference"]
    list_select_related = ["card__line"]


class VoucherWinInline(admin.TabularInline):
    model = VoucherWin
    fields = ["card", "subscription", "voucher_code"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(VoucherDraw)
class VoucherDrawAdmin(ReadOnlyAdmin):
    list_display = ["draw_date", "seed", "eligible_count", "winners_wanted", "voucher_amount"]
    inlines = [VoucherWinInline]


@admin.register(SmsUsageRecord)
class SmsUsageRecordAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["record_id", "card", "occurred_at", "count"]
    search_fields = ["=record_id"]


@admin.register(SmsHourCounter)
class SmsHourCounterAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["card", "day", "hour", "count"]
    list_filter = ["day"]
