"""Supervisors' admin: the catalogue is editable; cards, ledgers and their history are read-only (services write)."""

from django.contrib import admin
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
    PrimeSubscription,
    PrimeTier,
    SimReplacement,
    SmsHourCounter,
    SmsUsageRecord,
    TariffDay,
    VoucherDraw,
    VoucherWin,
)


@admin.register(ActivationArea)
class ActivationAreaAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Denomination)
class DenominationAdmin(AuditedAdmin):
    list_display = ["amount", "validity_days", "is_active"]


@admin.register(Package)
class PackageAdmin(AuditedAdmin):
    list_display = ["code", "name", "price", "prime_price", "validity_days", "monthly_data", "unlimited", "is_active",
                    "order"]
    list_filter = ["monthly_data", "unlimited", "is_active"]
    search_fields = ["code", "name"]


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
    list_display = ["created_at", "card", "kind", "reference", "amount", "balance_after", "channel"]
    list_filter = ["kind", "channel"]
    search_fields = ["=reference"]
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
