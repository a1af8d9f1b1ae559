"""Bills (BIL-01..08): the account's billing profile, bills, their line items and payments."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from billing.models.catalogue import Scope
from core.append_only import AppendOnlyModel
from core.models import Channel


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

    # No index of its own: bill_account_status leads with it.
    billing_account = models.ForeignKey("accounts.BillingAccount", verbose_name=_("billing account"),
                                        on_delete=models.PROTECT, related_name="bills", db_index=False)
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

    # No index of its own: charge_account_pending leads with it.
    billing_account = models.ForeignKey("accounts.BillingAccount", verbose_name=_("billing account"),
                                        on_delete=models.PROTECT, related_name="+", db_index=False)
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
