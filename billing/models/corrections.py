"""What corrects or brings forward a bill: objections and credit notes (BIL-03, BIL-08), early settlement
demands (BIL-04)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from billing.models.bills import Bill
from core.models import Channel


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

    # No index of its own: early_settlement_once_per_cycle leads with it.
    billing_account = models.ForeignKey("accounts.BillingAccount", verbose_name=_("billing account"),
                                        on_delete=models.PROTECT, related_name="early_settlement_demands",
                                        db_index=False)
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
