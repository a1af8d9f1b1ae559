"""Prepaid cards: catalogue, card lifecycle, balance ledger, packages, SIM replacement and IM3 Prime (PRE-*, PRM-*)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.api.request_ids import KEY_MAX_LENGTH
from core.append_only import AppendOnlyModel
from core.bilingual import localized
from core.models import Channel

# ---------------------------------------------------------------------------------------------------- catalogue


class ActivationArea(models.Model):
    """The area printed on a starter pack; the card is only activated there (PRE-01)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("activation area")
        verbose_name_plural = _("activation areas")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Denomination(models.Model):
    """A top-up amount and the days it adds to the Active Period (PRE-02 Decision)."""

    amount = models.BigIntegerField(_("amount (Rp)"), unique=True)
    validity_days = models.PositiveIntegerField(_("validity (days)"))
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("top-up denomination")
        verbose_name_plural = _("top-up denominations")
        ordering = ["amount"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="denomination_amount_positive"),
            models.CheckConstraint(condition=Q(validity_days__gt=0), name="denomination_validity_positive"),
        ]

    def __str__(self):
        from core.money import format_rupiah

        return f"{format_rupiah(self.amount)} · {self.validity_days} d"


class Package(models.Model):
    """A quota package. Monthly data packages roll over for Prime subscribers (PRM-04)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=255, blank=True)
    price = models.BigIntegerField(_("price (Rp)"))
    prime_price = models.BigIntegerField(_("Prime special price (Rp)"), null=True, blank=True,
                                         help_text=_("Price for IM3 Prime subscribers; empty: none."))  # PRM-04
    validity_days = models.PositiveIntegerField(_("validity (days)"), default=30)
    monthly_data = models.BooleanField(_("monthly data package"), default=False)
    unlimited = models.BooleanField(_("unlimited"), default=False)
    is_active = models.BooleanField(_("on sale"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["order", "price"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="package_price_positive"),
            models.CheckConstraint(
                condition=Q(prime_price__isnull=True) | Q(prime_price__gt=0, prime_price__lte=F("price")),
                name="package_prime_price_at_most_price",
            ),
            models.CheckConstraint(condition=Q(validity_days__gt=0), name="package_validity_positive"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")  # the active language's (core.bilingual)

    @property
    def display_description(self) -> str:
        return localized(self, "description")


class TariffDay(models.Model):
    """A special day with its own tariff (PRE-06). Weekends use the `prepaid_weekend_price_percent` parameter."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    price_percent = models.PositiveIntegerField(_("price (% of the normal price)"), default=100)

    class Meta:
        verbose_name = _("special tariff day")
        verbose_name_plural = _("special tariff days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=Q(price_percent__gte=1, price_percent__lte=500),
                                   name="tariffday_percent_range"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name} ({self.price_percent} %)"


class PrimeTier(models.Model):
    """IM3 Prime tiers with their monthly fee and the 3-month average spend that earns them (PRM-01, PRM-02)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    monthly_fee = models.BigIntegerField(_("monthly fee (Rp)"))
    min_average_spend = models.BigIntegerField(_("minimum 3-month average spend (Rp)"), unique=True)
    voucher_draw = models.BooleanField(_("in the Wednesday e-voucher draw"), default=False)

    class Meta:
        verbose_name = _("Prime tier")
        verbose_name_plural = _("Prime tiers")
        ordering = ["min_average_spend"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_fee__gt=0), name="primetier_fee_positive"),
            models.CheckConstraint(condition=Q(min_average_spend__gte=0), name="primetier_threshold_not_negative"),
        ]

    def __str__(self):
        return self.name


class PassApp(models.Model):
    """An app in the Prime 3-day unlimited pass (PRM-04)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    is_active = models.BooleanField(_("in the pass"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("app in the unlimited pass")
        verbose_name_plural = _("apps in the unlimited pass")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------------------------------------------- cards


class Card(models.Model):
    """The prepaid side of a line: lifecycle state and balance (PRE-01, PRE-02)."""

    class State(models.TextChoices):
        INACTIVE = "inactive", _("Not activated")
        ACTIVE = "active", _("Active")
        GRACE = "grace", _("Grace period")
        INVALID = "invalid", _("Invalid")

    class Brand(models.TextChoices):
        """PRE-07: IM3 Prime is for IM3 cards."""

        IM3 = "im3", _("IM3 Ooredoo")
        MENTARI = "mentari", _("Mentari Ooredoo")

    line = models.OneToOneField("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                                related_name="prepaid_card")
    brand = models.CharField(_("brand"), max_length=8, choices=Brand.choices, default=Brand.IM3)
    activation_area = models.ForeignKey(ActivationArea, verbose_name=_("activation area"), on_delete=models.PROTECT,
                                        related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.INACTIVE)
    balance = models.BigIntegerField(_("balance (Rp)"), default=0)
    active_until = models.DateField(_("active until"), null=True, blank=True)
    grace_until = models.DateField(_("grace until"), null=True, blank=True)
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    invalid_since = models.DateField(_("invalid since"), null=True, blank=True)
    reminder_sent_for = models.DateField(_("reminder sent for"), null=True, blank=True,
                                         help_text=_("The active-until date the last expiry reminder was about."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("prepaid card")
        verbose_name_plural = _("prepaid cards")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="card_balance_not_negative"),
            models.CheckConstraint(condition=~Q(state="active") | Q(active_until__isnull=False),
                                   name="card_active_has_until"),
            models.CheckConstraint(condition=~Q(state="grace") | Q(grace_until__isnull=False),
                                   name="card_grace_has_until"),
            models.CheckConstraint(condition=~Q(state="invalid") | Q(balance=0), name="card_invalid_has_no_balance"),
            models.CheckConstraint(condition=Q(state="inactive") | Q(activated_on__isnull=False),
                                   name="card_activated_has_date"),
        ]
        indexes = [
            # The lifecycle job's two selections and the reminder's.
            models.Index(fields=["active_until", "id"], name="card_active_due", condition=Q(state="active")),
            models.Index(fields=["grace_until", "id"], name="card_grace_due", condition=Q(state="grace")),
        ]

    def __str__(self):
        return f"{self.line} ({self.get_state_display()})"


class LedgerEntry(AppendOnlyModel):
    """One change of a card's balance; a card's balance always equals the sum of its entries."""

    class Kind(models.TextChoices):
        TOPUP = "topup", _("Top-up")
        PACKAGE_PURCHASE = "package_purchase", _("Package purchase")
        PRIME_FEE = "prime_fee", _("IM3 Prime fee")
        SIM_REPLACEMENT_FEE = "sim_replacement_fee", _("SIM replacement fee")
        FORFEITURE = "forfeiture", _("Balance forfeited")
        ADJUSTMENT = "adjustment", _("Adjustment")

    # No index of its own: ledger_card_time leads with it.
    card = models.ForeignKey(Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="ledger",
                             db_index=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=KEY_MAX_LENGTH, unique=True)
    amount = models.BigIntegerField(_("amount (Rp)"))
    balance_after = models.BigIntegerField(_("balance after (Rp)"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.SYSTEM)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_index=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    # A top-up's Active Period end after it (PRE-02): the entry is the API top-up's idempotency record, and a
    # replay answers from it. Empty for other kinds and for top-ups recorded before the column.
    active_until = models.DateField(_("active until"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_after_not_negative"),
            models.CheckConstraint(
                condition=Q(kind="topup", amount__gt=0)
                | Q(kind__in=["package_purchase", "prime_fee", "sim_replacement_fee"], amount__lt=0)
                | Q(kind="forfeiture", amount__lte=0)
                | (Q(kind="adjustment") & ~Q(amount=0)),
                name="ledger_amount_sign_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["card", "-created_at", "-id"], name="ledger_card_time"),
            # The admin list over all cards (default ordering, newest first).
            models.Index(fields=["-created_at", "-id"], name="ledger_time"),
            # Channel and job entries have no actor: a partial index, which they add nothing to.
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="ledger_actor"),
        ]

    def __str__(self):
        return f"{self.reference} {self.amount}"


class LedgerReference(models.Model):
    """PostgreSQL: ledger entries are partitioned by month (core.partitions), where a unique reference cannot be;
    this narrow unpartitioned table keeps it unique over all months, and is what the package purchase's and SIM
    replacement's entry foreign keys point at (entry_id, unique). Written only by a trigger on each ledger insert."""

    reference = models.CharField(_("reference"), max_length=KEY_MAX_LENGTH, primary_key=True)
    entry_id = models.BigIntegerField(_("ledger entry"), unique=True)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        db_table = "prepaid_ledgerentry_key"
        verbose_name = _("ledger reference")
        verbose_name_plural = _("ledger references")

    def __str__(self):
        return self.reference


class PackagePurchase(models.Model):
    """A package bought from the balance (PRE-05). Rollover for Prime on monthly data packages (PRM-04)."""

    # No index of its own: purchase_card_time leads with it.
    card = models.ForeignKey(Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="purchases",
                             db_index=False)
    # No index of its own: purchase_package_time leads with it.
    package = models.ForeignKey(Package, verbose_name=_("package"), on_delete=models.PROTECT, related_name="+",
                                db_index=False)
    reference = models.CharField(_("reference"), max_length=KEY_MAX_LENGTH, unique=True)
    price = models.BigIntegerField(_("price paid (Rp)"))
    purchased_at = models.DateTimeField(_("bought at"), default=timezone.now)
    valid_until = models.DateField(_("valid until"))
    rollover = models.BooleanField(_("data rollover (Prime)"), default=False)
    # db_constraint=False: on PostgreSQL the foreign key points at LedgerReference.entry_id (ledger entries are
    # partitioned by month, core.partitions); SQLite keeps its own.
    entry = models.OneToOneField(LedgerEntry, verbose_name=_("ledger entry"), on_delete=models.PROTECT,
                                 related_name="purchase", db_constraint=False)

    class Meta:
        verbose_name = _("package purchase")
        verbose_name_plural = _("package purchases")
        ordering = ["-purchased_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(price__gt=0), name="purchase_price_positive")]
        indexes = [
            models.Index(fields=["card", "-purchased_at"], name="purchase_card_time"),
            models.Index(fields=["package", "purchased_at"], name="purchase_package_time"),  # PRE-08 audience
        ]

    def __str__(self):
        return f"{self.card.line} · {self.package}"


class SimReplacement(models.Model):
    """A new SIM on the same number; the old one is closed, the balance stays (PRE-03)."""

    class Reason(models.TextChoices):
        LOST = "lost", _("Lost")
        DAMAGED = "damaged", _("Damaged")

    card = models.ForeignKey(Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="sim_replacements")
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    old_iccid = models.CharField(_("old ICCID (closed)"), max_length=20)
    new_iccid = models.CharField(_("new ICCID"), max_length=20)
    fee = models.BigIntegerField(_("fee (Rp)"), default=0)
    free_with_prime = models.BooleanField(_("free with IM3 Prime"), default=False)
    entry = models.OneToOneField(LedgerEntry, verbose_name=_("ledger entry"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="sim_replacement",
                                 db_constraint=False)  # as PackagePurchase.entry
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("SIM replacement")
        verbose_name_plural = _("SIM replacements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(fee__gte=0), name="simreplacement_fee_not_negative"),
            models.CheckConstraint(condition=~Q(old_iccid=F("new_iccid")), name="simreplacement_new_sim"),
            models.CheckConstraint(condition=Q(fee=0) | Q(entry__isnull=False), name="simreplacement_fee_in_ledger"),
        ]

    def __str__(self):
        return f"{self.card.line}: {self.old_iccid} → {self.new_iccid}"


# ---------------------------------------------------------------------------------------------------- IM3 Prime


class PrimeSubscription(models.Model):
    """IM3 Prime on a card: the tier's fee is taken every calendar month from the start (PRM-01..03)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISABLED = "disabled", _("Disabled")

    class EndReason(models.TextChoices):
        LOW_BALANCE = "low_balance", _("Balance too low at renewal")
        CARD_NOT_ACTIVE = "card_not_active", _("Card not active at renewal")
        LINE_ENDED = "line_ended", _("The card became invalid or the line ended")
        CUSTOMER_REQUEST = "customer_request", _("Customer request")

    card = models.ForeignKey(Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="prime")
    tier = models.ForeignKey(PrimeTier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField(_("started on"))
    periods_charged = models.PositiveIntegerField(_("months charged"), default=0)
    renews_on = models.DateField(_("renews on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=EndReason.choices, blank=True)
    tier_reviewed_for = models.DateField(_("tier reviewed for month"), null=True, blank=True,
                                         help_text=_("First day of the month whose tier review ran."))  # PRM-01
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("IM3 Prime subscription")
        verbose_name_plural = _("IM3 Prime subscriptions")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["card"], condition=Q(status="active"), name="prime_one_active_per_card"),
            models.CheckConstraint(condition=Q(status="active") | Q(ended_on__isnull=False),
                                   name="prime_disabled_has_end"),
            models.CheckConstraint(condition=Q(renews_on__gt=F("started_on")), name="prime_renews_after_start"),
        ]
        indexes = [models.Index(fields=["renews_on", "id"], name="prime_due", condition=Q(status="active"))]

    def __str__(self):
        return f"{self.card.line} · {self.tier}"


class AppPass(models.Model):
    """The Prime 3-day unlimited pass for the listed apps, domestic only, one at a time (PRM-04)."""

    # No index of its own: apppass_card_until leads with it.
    card = models.ForeignKey(Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="app_passes",
                             db_index=False)
    reference = models.CharField(_("reference"), max_length=KEY_MAX_LENGTH, unique=True)
    claimed_at = models.DateTimeField(_("claimed at"))
    valid_until = models.DateTimeField(_("valid until"))
    apps = models.CharField(_("apps"), max_length=500)
    domestic_only = models.BooleanField(_("domestic only"), default=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.APP)

    class Meta:
        verbose_name = _("unlimited app pass")
        verbose_name_plural = _("unlimited app passes")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gt=F("claimed_at")), name="apppass_ends_after_claim"),
        ]
        indexes = [models.Index(fields=["card", "-valid_until"], name="apppass_card_until")]

    def __str__(self):
        return f"{self.card.line} · {self.claimed_at:%Y-%m-%d}"


class VoucherDraw(models.Model):
    """The Wednesday e-voucher draw among Prime Joy and Prime First (PRM-04): reproducible from its seed."""

    draw_date = models.DateField(_("draw date"), unique=True)
    seed = models.BigIntegerField(_("random seed"))
    eligible_count = models.PositiveIntegerField(_("eligible subscribers"), default=0)
    eligible = models.JSONField(_("eligible subscription ids"), default=list,
                                help_text=_("In draw order: with the seed they reproduce the winners."))
    winners_wanted = models.PositiveIntegerField(_("winners wanted"), default=0)
    voucher_amount = models.BigIntegerField(_("voucher value (Rp)"), default=0)
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-voucher draw")
        verbose_name_plural = _("e-voucher draws")
        ordering = ["-draw_date"]

    def __str__(self):
        return f"{self.draw_date:%Y-%m-%d}"


class VoucherWin(models.Model):
    # No index of its own: voucherwin_once_per_draw leads with it.
    draw = models.ForeignKey(VoucherDraw, verbose_name=_("draw"), on_delete=models.PROTECT, related_name="winners",
                             db_index=False)
    subscription = models.ForeignKey(PrimeSubscription, verbose_name=_("subscription"), on_delete=models.PROTECT,
                                     related_name="voucher_wins")
    card = models.ForeignKey(Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="voucher_wins")
    voucher_code = models.CharField(_("voucher code"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("e-voucher winner")
        verbose_name_plural = _("e-voucher winners")
        constraints = [models.UniqueConstraint(fields=["draw", "card"], name="voucherwin_once_per_draw")]

    def __str__(self):
        return f"{self.draw} · {self.card.line}"


# ---------------------------------------------------------------------------------------------------- SMS fair usage


class SmsUsageRecord(models.Model):
    """An SMS usage record from the charging system, counted once by its record id (PRE-04)."""

    record_id = models.CharField(_("record id"), max_length=KEY_MAX_LENGTH, unique=True)
    card = models.ForeignKey(Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("at"))
    count = models.PositiveIntegerField(_("SMS count"), default=1)

    class Meta:
        verbose_name = _("SMS usage record")
        verbose_name_plural = _("SMS usage records")
        constraints = [models.CheckConstraint(condition=Q(count__gt=0), name="smsrecord_count_positive")]

    def __str__(self):
        return self.record_id


class SmsHourCounter(models.Model):
    """SMS sent by a card in one hour (local time); the fair-usage job sums them per hour and per day."""

    # No index of its own: smscounter_one_per_hour leads with it.
    card = models.ForeignKey(Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="+", db_index=False)
    day = models.DateField(_("day"))
    hour = models.PositiveSmallIntegerField(_("hour"))
    count = models.PositiveIntegerField(_("SMS count"), default=0)

    class Meta:
        verbose_name = _("SMS hourly counter")
        verbose_name_plural = _("SMS hourly counters")
        constraints = [
            models.UniqueConstraint(fields=["card", "day", "hour"], name="smscounter_one_per_hour"),
            models.CheckConstraint(condition=Q(hour__gte=0, hour__lte=23), name="smscounter_hour_range"),
        ]
        indexes = [models.Index(fields=["day", "card"], name="smscounter_day")]

    def __str__(self):
        return f"{self.card_id} {self.day} {self.hour:02d}h: {self.count}"


# ---------------------------------------------------------------------------------------------------- price changes


class PriceChange(models.Model):
    """PRE-08: a package's new prices from a stated date, announced to the customers it affects before then.

    Until `effective_on` the package's current prices hold; from that day these do: prices are read by date, so no
    job has to run at midnight; the job later copies them into the package (`applied_at`). The announcement is a
    legal notice: it goes whatever the marketing consent says (ACC-11)."""

    # No index of its own: pricechange_one_per_package_day leads with it.
    package = models.ForeignKey(Package, verbose_name=_("package"), on_delete=models.PROTECT,
                                related_name="price_changes", db_index=False)
    new_price = models.BigIntegerField(_("new price (Rp)"))
    new_prime_price = models.BigIntegerField(_("new Prime special price (Rp)"), null=True, blank=True,
                                             help_text=_("Empty: no Prime special price from that date."))
    effective_on = models.DateField(_("effective from"))
    scheduled_on = models.DateField(_("scheduled on"))
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("scheduled by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=255)
    announced_at = models.DateTimeField(_("announcement queued at"), null=True, blank=True)
    announced_count = models.PositiveIntegerField(_("customers notified"), default=0)
    announce_cursor = models.BigIntegerField(_("announced up to customer id"), default=0)
    applied_at = models.DateTimeField(_("written to the package at"), null=True, blank=True,
                                      help_text=_("On its date the job copies the prices into the package."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("package price change")
        verbose_name_plural = _("package price changes")
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["package", "effective_on"], name="pricechange_one_per_package_day"),
            models.CheckConstraint(condition=Q(new_price__gt=0), name="pricechange_price_positive"),
            models.CheckConstraint(
                condition=Q(new_prime_price__isnull=True)
                | Q(new_prime_price__gt=0, new_prime_price__lte=F("new_price")),
                name="pricechange_prime_price_at_most_price",
            ),
            models.CheckConstraint(condition=Q(effective_on__gt=F("scheduled_on")),
                                   name="pricechange_after_scheduling"),
        ]
        indexes = [models.Index(fields=["announced_at", "effective_on"], name="pricechange_to_announce")]

    def __str__(self):
        return f"{self.package} → {self.new_price} ({self.effective_on:%Y-%m-%d})"
