"""KartuHalo postpaid: catalogue, spending limits (LIM-01..11), purchases, usage, bills and payments (BIL-01..08)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.api.request_ids import KEY_MAX_LENGTH
from core.append_only import AppendOnlyModel
from core.bilingual import localized
from core.models import Channel


class Scope(models.TextChoices):
    """The two spending limits of a postpaid line (LIM-01)."""

    DOMESTIC = "domestic", _("Domestic")
    INTERNATIONAL = "international", _("International roaming")


# ---------------------------------------------------------------------------------------------------------------------
# Catalogue (supervisor-editable; seeded by a data migration with DOMAIN.md's figures)
# ---------------------------------------------------------------------------------------------------------------------


class BasicPackage(models.Model):
    """A KartuHalo basic package: its monthly tariff drives the suggested limit (LIM-06)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=255, blank=True)
    monthly_fee = models.BigIntegerField(_("monthly tariff (Rp)"))
    regular_customer_policy = models.BooleanField(
        _("regular-customer policy applies"), default=False,
        help_text=_("Limit upgrades also need no late payment in the recent bill cycles."),  # LIM-07
    )
    is_active = models.BooleanField(_("sold"), default=True)

    class Meta:
        verbose_name = _("basic package")
        verbose_name_plural = _("basic packages")
        ordering = ["monthly_fee", "name"]
        constraints = [models.CheckConstraint(condition=Q(monthly_fee__gte=0), name="package_fee_not_negative")]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")  # the active language's (core.bilingual)

    @property
    def display_description(self) -> str:
        return localized(self, "description")


class ServiceCategory(models.Model):
    """What a purchase or usage record is for, and whether it counts against its scope's limit (LIM-03)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(_("scope"), max_length=13, choices=Scope.choices)
    counts_against_limit = models.BooleanField(_("counts against the limit"), default=True)
    renewal_days = models.PositiveSmallIntegerField(_("renewed every (days)"), null=True, blank=True)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["scope", "code"]

    def __str__(self):
        return self.name


class SuggestedLimit(models.Model):
    """LIM-06: the suggested domestic limit for packages whose tariff is at most `max_tariff`.

    A tariff between rows takes the next higher row (Decision); above the last row, the last row applies.
    """

    max_tariff = models.BigIntegerField(_("package tariff up to (Rp)"), unique=True)
    cash_limit = models.BigIntegerField(_("limit for cash / ATM payers (Rp)"))
    card_limit = models.BigIntegerField(_("limit for credit-card autodebit payers (Rp)"))

    class Meta:
        verbose_name = _("suggested limit")
        verbose_name_plural = _("suggested limits")
        ordering = ["max_tariff"]
        constraints = [
            models.CheckConstraint(condition=Q(max_tariff__gte=0, cash_limit__gte=0, card_limit__gte=0),
                                   name="suggested_limit_not_negative"),
        ]

    def __str__(self):
        return f"≤ {self.max_tariff}: {self.cash_limit} / {self.card_limit}"


# ---------------------------------------------------------------------------------------------------------------------
# Per line
# ---------------------------------------------------------------------------------------------------------------------


class LinePackage(models.Model):
    """The basic package of a postpaid line."""

    line = models.OneToOneField("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                                related_name="package")
    package = models.ForeignKey(BasicPackage, verbose_name=_("basic package"), on_delete=models.PROTECT,
                                related_name="lines")
    since = models.DateField(_("since"))
    next_package = models.ForeignKey(BasicPackage, verbose_name=_("next basic package"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    next_from = models.DateField(_("next package from"), null=True, blank=True,
                                 help_text=_("A package change takes effect at the next cycle start."))

    class Meta:
        verbose_name = _("line package")
        verbose_name_plural = _("line packages")
        constraints = [
            models.CheckConstraint(condition=Q(next_package__isnull=True, next_from__isnull=True)
                                   | Q(next_package__isnull=False, next_from__isnull=False),
                                   name="line_package_change_has_date"),
        ]

    def __str__(self):
        return f"{self.line}: {self.package}"


class SpendingLimit(models.Model):
    """A line's limit in one scope and its usage in the current bill cycle (LIM-01).

    `used` is the cycle's usage that counts against the limit; `settled` is what the customer paid against it
    during the cycle (LIM-11), so the usage counted against the limit is `used - settled`.
    """

    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                             related_name="spending_limits")
    scope = models.CharField(_("scope"), max_length=13, choices=Scope.choices)
    amount = models.BigIntegerField(_("limit (Rp)"))
    used = models.BigIntegerField(_("usage this cycle (Rp)"), default=0)
    settled = models.BigIntegerField(_("paid during the cycle (Rp)"), default=0)
    cycle_start = models.DateField(_("cycle start"))
    cycle_end = models.DateField(_("cycle end"))
    warn_notified = models.BooleanField(_("80 % SMS sent this cycle"), default=False)
    full_notified = models.BooleanField(_("100 % SMS sent this cycle"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("spending limit")
        verbose_name_plural = _("spending limits")
        ordering = ["line", "scope"]
        permissions = [("override_limit", _("Can set a spending limit outside the rules (supervisor override)"))]
        constraints = [
            models.UniqueConstraint(fields=["line", "scope"], name="spending_limit_one_per_scope"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spending_limit_amount_not_negative"),
            models.CheckConstraint(condition=Q(used__gte=0, settled__gte=0), name="spending_limit_usage_not_negative"),
            models.CheckConstraint(condition=Q(settled__lte=F("used")), name="spending_limit_settled_within_usage"),
            models.CheckConstraint(condition=Q(cycle_end__gte=F("cycle_start")), name="spending_limit_cycle_dates"),
        ]
        indexes = [models.Index(fields=["cycle_end"], name="spending_limit_cycle_end")]

    def __str__(self):
        return f"{self.line} {self.get_scope_display()}: {self.counted} / {self.amount}"

    @property
    def counted(self) -> int:
        return self.used - self.settled

    @property
    def percent(self) -> int:
        if not self.amount:
            return 100 if self.counted else 0
        return self.counted * 100 // self.amount


class SpendingCycle(models.Model):
    """A closed bill cycle of one line and scope, kept as history when the cycle closes."""

    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("scope"), max_length=13, choices=Scope.choices)
    cycle_start = models.DateField(_("cycle start"))
    cycle_end = models.DateField(_("cycle end"))
    amount = models.BigIntegerField(_("limit (Rp)"))
    used = models.BigIntegerField(_("usage (Rp)"))
    settled = models.BigIntegerField(_("paid during the cycle (Rp)"))
    closed_at = models.DateTimeField(_("closed"), auto_now_add=True)

    class Meta:
        verbose_name = _("closed spending cycle")
        verbose_name_plural = _("closed spending cycles")
        ordering = ["-cycle_start"]
        constraints = [
            models.UniqueConstraint(fields=["line", "scope", "cycle_start"], name="spending_cycle_once"),
        ]

    def __str__(self):
        return f"{self.line} {self.scope} {self.cycle_start}"


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class DeclineReason(models.TextChoices):
    """Exactly one per declined purchase (LIM-02, LIM-05)."""

    LIMIT_EXCEEDED = "limit_exceeded", _("Spending limit would be exceeded")
    UNPAID_BILL = "unpaid_bill", _("A bill is unpaid past its due date")
    CUSTOMER_BAR = "customer_bar", _("The customer asked for a bar")
    SYSTEM_HOLD = "system_hold", _("A system hold is set")
    LINE_BLOCKED = "line_blocked", _("The line is blocked")
    NOT_POSTPAID = "not_postpaid", _("Not a postpaid line")
    UNKNOWN_CATEGORY = "unknown_category", _("Unknown service category")


class Purchase(AppendOnlyModel):
    """Every purchase authorization request with its decision. `request_id` makes replays return the first one."""

    # Unique by a constraint, not unique=True: no second (varchar_pattern_ops "_like") index that no query uses.
    request_id = models.CharField(_("request id"), max_length=KEY_MAX_LENGTH)
    # No index of its own: purchase_line_cycle and purchase_line_time start with it.
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                             related_name="purchases", db_index=False)
    scope = models.CharField(_("scope"), max_length=13, choices=Scope.choices)
    category_code = models.CharField(_("category"), max_length=40)
    category = models.ForeignKey(ServiceCategory, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("amount (Rp)"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.API)
    client = models.CharField(_("client"), max_length=150, blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    reason = models.CharField(_("decline reason"), max_length=20, choices=DeclineReason.choices, blank=True)
    counted = models.BooleanField(_("counted against the limit"), default=False)
    usage_after = models.BigIntegerField(_("usage after (Rp)"), null=True, blank=True)
    limit_amount = models.BigIntegerField(_("limit (Rp)"), null=True, blank=True)
    cycle_start = models.DateField(_("cycle start"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request_id"], name="purchase_request_id_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="purchase_amount_positive"),
            models.CheckConstraint(
                condition=Q(decision="approved", reason="") | (Q(decision="declined") & ~Q(reason="")),
                name="purchase_one_reason_when_declined",
            ),
        ]
        indexes = [
            models.Index(fields=["line", "cycle_start", "decision"], name="purchase_line_cycle"),
            models.Index(fields=["line", "-created_at"], name="purchase_line_time"),
        ]

    def __str__(self):
        return f"{self.request_id} {self.decision}"


class UsageRecord(AppendOnlyModel):
    """Rated usage the network already delivered; idempotent by `record_id`. Counts even past the limit."""

    record_id = models.CharField(_("record id"), max_length=KEY_MAX_LENGTH, unique=True)
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                             related_name="usage_records")
    scope = models.CharField(_("scope"), max_length=13, choices=Scope.choices)
    category = models.ForeignKey(ServiceCategory, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="+")
    amount = models.BigIntegerField(_("amount (Rp)"))
    occurred_at = models.DateTimeField(_("occurred"))
    counted = models.BooleanField(_("counted against the limit"))
    cycle_start = models.DateField(_("cycle start"), help_text=_("The cycle whose bill charges it."))
    late_cycle_start = models.DateField(
        _("rated late for the cycle starting"), null=True, blank=True,
        help_text=_("Set when the usage belongs to a cycle already closed when it arrived."))
    client = models.CharField(_("client"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        ordering = ["-occurred_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="usage_amount_not_negative")]
        indexes = [models.Index(fields=["line", "cycle_start"], name="usage_line_cycle")]

    def __str__(self):
        return self.record_id


class LimitChange(models.Model):
    """Every change of a spending limit, with its channel and actor (LIM-08, LIM-10)."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial limit")
        CHANGE = "change", _("Change")
        OVERRIDE = "override", _("Supervisor override")

    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                             related_name="limit_changes")
    scope = models.CharField(_("scope"), max_length=13, choices=Scope.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CHANGE)
    old_amount = models.BigIntegerField(_("old limit (Rp)"), null=True, blank=True)
    new_amount = models.BigIntegerField(_("new limit (Rp)"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("by (label)"), max_length=150, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changed_on = models.DateField(_("changed on"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("limit change")
        verbose_name_plural = _("limit changes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(new_amount__gte=0), name="limit_change_not_negative"),
            models.CheckConstraint(condition=~Q(kind="override") | ~Q(reason=""), name="limit_override_has_reason"),
        ]
        indexes = [models.Index(fields=["line", "changed_on"], name="limit_change_line_day")]

    def __str__(self):
        return f"{self.line} {self.scope}: {self.old_amount} → {self.new_amount}"


# ---------------------------------------------------------------------------------------------------------------------
# Bills (BIL-01..08)
# ---------------------------------------------------------------------------------------------------------------------


class BillingProfile(models.Model):
    """Billing settings of one account. BIL-06: a SAMU account may be blocked on one line instead of all."""

    billing_account = models.OneToOneField("accounts.BillingAccount", verbose_name=_("billing account"),
                                           on_delete=models.PROTECT, related_name="billing_profile")
    block_only_line = models.ForeignKey(
        "accounts.Line", verbose_name=_("block only this line"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("Empty: an unpaid or unsettled bill blocks every line of the account."),  # BIL-06
    )

    class Meta:
        verbose_name = _("billing profile")
        verbose_name_plural = _("billing profiles")

    def __str__(self):
        return str(self.billing_account)


class Bill(models.Model):
    """One bill per billing account and cycle (BIL-01). Outstanding = total − paid."""

    class Status(models.TextChoices):
        OPEN = "open", _("Unpaid")
        PAID = "paid", _("Paid")

    billing_account = models.ForeignKey("accounts.BillingAccount", verbose_name=_("billing account"),
                                        on_delete=models.PROTECT, related_name="bills")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    issued_on = models.DateField(_("processed on"))
    due_date = models.DateField(_("due date"))
    total = models.BigIntegerField(_("total (Rp)"))
    paid = models.BigIntegerField(_("paid (Rp)"), default=0)
    status = models.CharField(_("status"), max_length=4, choices=Status.choices, default=Status.OPEN)
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)
    overdue_blocked_on = models.DateField(_("overdue block set on"), null=True, blank=True)
    # BIL-10: the VAT line. total = the charges + ppn.
    taxable_amount = models.BigIntegerField(_("taxable charges (Rp)"), default=0)
    ppn_percent = models.PositiveSmallIntegerField(_("PPN rate (%)"), default=0)
    ppn = models.BigIntegerField(_("PPN (Rp)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-period_start", "-id"]
        permissions = [("resend_statement", _("Can send a bill's statement SMS again"))]
        constraints = [
            models.UniqueConstraint(fields=["billing_account", "period_start"], name="bill_once_per_cycle"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="bill_paid_not_negative"),
            models.CheckConstraint(condition=Q(paid__lte=F("total")) | Q(paid=0), name="bill_not_overpaid"),
            models.CheckConstraint(condition=Q(due_date__gte=F("issued_on")), name="bill_due_after_issue"),
            models.CheckConstraint(condition=Q(status="open", paid_on__isnull=True) | Q(status="paid",
                                   paid_on__isnull=False), name="bill_paid_has_date"),
            # BIL-10: PPN has the sign of its base and is never more than the rate gives.
            models.CheckConstraint(condition=Q(ppn__gte=0, taxable_amount__gte=0) | Q(ppn__lte=0, taxable_amount__lt=0),
                                   name="bill_ppn_sign_of_base"),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="bill_status_due"),
            models.Index(fields=["billing_account", "status", "due_date"], name="bill_account_status"),
        ]

    def __str__(self):
        return f"{self.billing_account} {self.period_start:%Y-%m}"

    @property
    def outstanding(self) -> int:
        return max(self.total - self.paid, 0)

    @property
    def subtotal(self) -> int:
        """The charges before PPN (BIL-10)."""
        return self.total - self.ppn


class BillCharge(models.Model):
    """A line item. Charges are written pending (no bill) and attached to the account's next bill.

    Other apps add charges through `billing.services.bill_charge_add(...)`: e.g. TecProtec installments with
    source `tecprotec` and a unique `source_ref`, so a re-run never charges twice.
    """

    class Source(models.TextChoices):
        USAGE = "usage", _("Usage")
        PURCHASE = "purchase", _("Purchases")
        TECPROTEC = "tecprotec", _("TecProtec")
        CREDIT_NOTE = "credit_note", _("Credit note")
        ADVANCE_PAYMENT = "advance_payment", _("Paid during the cycle")
        ADJUSTMENT = "adjustment", _("Adjustment")

    billing_account = models.ForeignKey("accounts.BillingAccount", verbose_name=_("billing account"),
                                        on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    bill = models.ForeignKey(Bill, verbose_name=_("bill"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="charges")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=200)
    amount = models.BigIntegerField(_("amount (Rp)"), help_text=_("Negative for a credit."))
    charged_on = models.DateField(_("charged on"))
    # BIL-11: usage rated after its cycle closed is charged on a later bill, marked with the cycle it belongs to.
    usage_cycle_start = models.DateField(_("usage of the cycle starting"), null=True, blank=True)
    usage_cycle_end = models.DateField(_("usage of the cycle ending"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("bill charge")
        verbose_name_plural = _("bill charges")
        ordering = ["charged_on", "id"]
        indexes = [models.Index(fields=["billing_account", "bill", "charged_on"], name="charge_account_pending")]
        constraints = [
            models.CheckConstraint(
                condition=Q(usage_cycle_start__isnull=True, usage_cycle_end__isnull=True)
                | Q(usage_cycle_start__isnull=False, usage_cycle_end__gte=F("usage_cycle_start")),
                name="charge_late_usage_cycle_dates",
            ),
        ]

    def __str__(self):
        return f"{self.description}: {self.amount}"

    @property
    def label(self) -> str:
        """The line's text in the reader's language; late usage names the cycle it belongs to (BIL-11)."""
        if self.usage_cycle_start is None:
            return self.description
        from django.utils.translation import gettext

        return gettext("%(description)s (usage of the period %(start)s – %(end)s, rated late)") % {
            "description": self.description, "start": self.usage_cycle_start.strftime("%d-%m-%Y"),
            "end": self.usage_cycle_end.strftime("%d-%m-%Y")}


# BIL-10 Decision: PPN is due on the telecommunication service and its corrections; TecProtec is an insurance
# premium (not subject to PPN) and a payment during the cycle is not a charge.
TAXABLE_SOURCES = (BillCharge.Source.USAGE, BillCharge.Source.PURCHASE, BillCharge.Source.CREDIT_NOTE,
                   BillCharge.Source.ADJUSTMENT)


class Payment(AppendOnlyModel):
    """A payment of a bill (partial payments allowed) or, during a cycle, of its current usage (LIM-11)."""

    class Method(models.TextChoices):
        """BIL-02."""

        CASH = "cash", _("Cash / ATM")
        TRANSFER = "transfer", _("Bank transfer")
        DIRECT_DEBIT = "direct_debit", _("Bank direct debit")
        CREDIT_CARD = "credit_card", _("Credit card")

    billing_account = models.ForeignKey("accounts.BillingAccount", verbose_name=_("billing account"),
                                        on_delete=models.PROTECT, related_name="payments")
    bill = models.ForeignKey(Bill, verbose_name=_("bill"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="payments")
    line = models.ForeignKey("accounts.Line", verbose_name=_("line (current usage)"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("scope"), max_length=13, choices=Scope.choices, blank=True)
    method = models.CharField(_("method"), max_length=15, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    amount = models.BigIntegerField(_("amount (Rp)"))
    paid_on = models.DateField(_("paid on"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.GRAPARI)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(bill__isnull=False, line__isnull=True, scope="")
                | (Q(bill__isnull=True, line__isnull=False) & ~Q(scope="")),
                name="payment_bill_or_current_usage",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.amount}"


class Objection(models.Model):
    """An objection to a bill, filed within 2 months of processing; it does not move the due date (BIL-03)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld (credit note)")
        REJECTED = "rejected", _("Rejected")

    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.PROTECT, related_name="objections")
    filed_on = models.DateField(_("filed on"))
    amount = models.BigIntegerField(_("disputed amount (Rp)"))
    description = models.TextField(_("what the customer disputes"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.GRAPARI)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    credit_amount = models.BigIntegerField(_("credited (Rp)"), null=True, blank=True)

    class Meta:
        verbose_name = _("bill objection")
        verbose_name_plural = _("bill objections")
        ordering = ["-filed_on", "-id"]
        permissions = [("resolve_objection", _("Can uphold or reject a bill objection"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="objection_amount_positive"),
            models.CheckConstraint(condition=Q(status="open") | Q(resolved_at__isnull=False),
                                   name="objection_resolved_has_time"),
        ]
        indexes = [models.Index(fields=["status", "filed_on"], name="objection_status")]

    def __str__(self):
        return f"{self.bill}: {self.amount}"


class CreditNote(models.Model):
    """A credit for an upheld objection (BIL-03) or goodwill for the operator's fault (BIL-08).

    It reaches the customer as a negative charge on the account's next bill.
    """

    class Kind(models.TextChoices):
        OBJECTION = "objection", _("Upheld objection")
        GOODWILL = "goodwill", _("Goodwill (operator's fault)")

    billing_account = models.ForeignKey("accounts.BillingAccount", verbose_name=_("billing account"),
                                        on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    objection = models.OneToOneField(Objection, verbose_name=_("objection"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="credit_note")
    amount = models.BigIntegerField(_("amount (Rp)"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_on = models.DateField(_("issued on"))

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-created_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_amount_positive"),
            models.CheckConstraint(condition=~Q(kind="objection") | Q(objection__isnull=False),
                                   name="credit_note_objection_linked"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.amount}"


class EarlySettlementDemand(models.Model):
    """BIL-04: the current cycle's usage is far above the account's average; settle it before a date."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Settled")
        UNMET = "unmet", _("Not settled (blocked)")

    billing_account = models.ForeignKey("accounts.BillingAccount", verbose_name=_("billing account"),
                                        on_delete=models.PROTECT, related_name="early_settlement_demands")
    cycle_start = models.DateField(_("cycle start"))
    amount = models.BigIntegerField(_("amount demanded (Rp)"))
    average = models.BigIntegerField(_("average of recent bills (Rp)"))
    demanded_on = models.DateField(_("demanded on"))
    settle_by = models.DateField(_("settle by"))
    status = models.CharField(_("status"), max_length=5, choices=Status.choices, default=Status.OPEN)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)

    class Meta:
        verbose_name = _("early settlement demand")
        verbose_name_plural = _("early settlement demands")
        ordering = ["-demanded_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["billing_account", "cycle_start"], name="early_settlement_once_per_cycle"),
            models.CheckConstraint(condition=Q(settle_by__gte=F("demanded_on")), name="early_settlement_dates"),
        ]
        indexes = [models.Index(fields=["status", "settle_by"], name="early_settlement_due")]

    def __str__(self):
        return f"{self.billing_account} {self.cycle_start}: {self.amount}"
