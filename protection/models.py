"""TecProtec device protection: catalogue, line devices, enrollments, installments, claims (TP-01..12)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import Channel

PRODUCT_CODE = "tecprotec"
# The channels through which each arrives (one Channel enum, core.models): a subscription over UMB *500*777# or at
# GraPARI (TP-02); a claim at GraPARI, through the partner's call centre or the partner's API (TP-07).
ENROLLMENT_CHANNELS = (Channel.UMB, Channel.GRAPARI)
CLAIM_CHANNELS = (Channel.GRAPARI, Channel.PARTNER, Channel.API)


class Product(models.Model):
    """The TecProtec catalogue row: every number of TP-03..TP-11, editable by a supervisor in the admin."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    is_active = models.BooleanField(_("on sale"), default=True)
    # The rule each number carries: TP-03 prices, TP-04 period, TP-07 waiting, TP-08 claims, TP-09 fee,
    # TP-06 device age, TP-10 repair SLA, TP-11 reimbursement.
    monthly_price = models.BigIntegerField(_("monthly price (Rp)"),
                                           help_text=_("Charged to the postpaid bill every month."))
    installment_count = models.PositiveSmallIntegerField(_("monthly instalments"),
                                                         help_text=_("Monthly charges renewed automatically."))
    upfront_price = models.BigIntegerField(_("upfront price (Rp)"), help_text=_("Paid once for the whole period."))
    period_months = models.PositiveSmallIntegerField(
        _("protection period (months)"), help_text=_("Calendar months of cover from the subscription date."))
    waiting_days = models.PositiveSmallIntegerField(_("waiting period (days)"),
                                                    help_text=_("No claim within this many days of registration."))
    claims_per_period = models.PositiveSmallIntegerField(_("claims per period"),
                                                         help_text=_("Most claims in one protection period."))
    claim_limit = models.BigIntegerField(_("claim limit (Rp)"), help_text=_("Most the insurer pays for one claim."))
    claim_fee = models.BigIntegerField(_("claim processing fee (Rp)"),
                                       help_text=_("Paid to the insurance partner during the claim."))
    max_device_age_months = models.PositiveSmallIntegerField(
        _("maximum device age (months)"), help_text=_("Counted from the purchase date on the receipt."))
    sla_days_jabodetabek = models.PositiveSmallIntegerField(_("repair SLA in Jabodetabek (days)"),
                                                            help_text=_("Days from the claim to the phone's return."))
    sla_days_elsewhere = models.PositiveSmallIntegerField(_("repair SLA elsewhere (days)"),
                                                          help_text=_("Days from the claim to the phone's return."))
    reimbursement_working_days = models.PositiveSmallIntegerField(
        _("shipping reimbursement (working days)"),
        help_text=_("Working days the partner has to refund the customer's shipping."))
    receipt_max_kb = models.PositiveIntegerField(_("largest receipt upload (KB)"), default=5120)
    partner_name = models.CharField(_("insurance partner"), max_length=120)
    partner_call_centre = models.CharField(_("partner call centre"), max_length=30)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("protection product")
        verbose_name_plural = _("protection products")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_price__gt=0, upfront_price__gt=0, claim_limit__gt=0, claim_fee__gte=0),
                name="protection_product_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(installment_count__gte=1, period_months__gte=1, claims_per_period__gte=1,
                            max_device_age_months__gte=1, sla_days_jabodetabek__gte=1, sla_days_elsewhere__gte=1,
                            reimbursement_working_days__gte=1, receipt_max_kb__gte=1),
                name="protection_product_counts_positive",
            ),
        ]

    def __str__(self):
        return self.name


class LineDevice(models.Model):
    """The IMEI the network last saw on a line (TP-05). One row per line, updated in place; history is audited."""

    line = models.OneToOneField("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                                related_name="device")
    imei = models.CharField(_("IMEI"), max_length=15)
    seen_at = models.DateTimeField(_("last seen"))
    source = models.CharField(_("source"), max_length=150, blank=True,
                              help_text=_("The network client or agent that reported it."))

    class Meta:
        verbose_name = _("line device")
        verbose_name_plural = _("line devices")
        constraints = [
            models.CheckConstraint(condition=Q(imei__regex=r"^[0-9]{15}$"), name="protection_device_imei_15_digits"),
        ]
        indexes = [models.Index(fields=["imei"], name="protection_device_imei")]

    def __str__(self):
        return f"{self.line}: {self.imei}"


class Enrollment(models.Model):
    """A TecProtec subscription on one postpaid line covering one IMEI for one period (TP-01, TP-04, TP-05)."""

    class PaymentOption(models.TextChoices):
        MONTHLY = "monthly", _("Monthly (Bulanan)")
        UPFRONT = "upfront", _("Six months upfront (6 Bulan)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        TERMINATED = "terminated", _("Terminated")
        EXPIRED = "expired", _("Expired")

    # No index of its own: protection_enr_line leads with it.
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                             related_name="protection_enrollments", db_index=False)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="enrollments")
    imei = models.CharField(_("covered IMEI"), max_length=15)
    payment_option = models.CharField(_("payment option"), max_length=8, choices=PaymentOption.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)  # ENROLLMENT_CHANNELS
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), help_text=_("The first day no longer covered."))
    claims_from = models.DateField(_("claims accepted from"), help_text=_("End of the waiting period."))  # TP-07
    # The terms in force when the customer subscribed.
    installment_amount = models.BigIntegerField(_("instalment amount (Rp)"))
    installment_count = models.PositiveSmallIntegerField(_("number of instalments"))
    claim_limit = models.BigIntegerField(_("claim limit (Rp)"))
    claim_fee = models.BigIntegerField(_("claim fee (Rp)"))
    claims_allowed = models.PositiveSmallIntegerField(_("claims allowed"))
    max_device_age_months = models.PositiveSmallIntegerField(_("maximum device age (months)"))
    # Instalment progress: the job charges while next_charge_on is due (TP-03).
    installments_charged = models.PositiveSmallIntegerField(_("instalments charged"), default=0)
    next_charge_on = models.DateField(_("next charge on"), null=True, blank=True)
    # Device age (TP-06): entered at GraPARI, or at the first claim for UMB subscriptions.
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=60, blank=True)
    receipt = models.FileField(_("receipt"), upload_to="protection/receipts/%Y/%m/", blank=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("enrolled by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("termination reason"), blank=True)
    expired_on = models.DateField(_("expired on"), null=True, blank=True)

    class Meta:
        verbose_name = _("protection enrollment")
        verbose_name_plural = _("protection enrollments")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["line"], condition=Q(status="active"),
                                    name="protection_one_active_per_line"),
            models.UniqueConstraint(fields=["imei"], condition=Q(status="active"),
                                    name="protection_imei_covered_once"),
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="protection_end_after_start"),
            models.CheckConstraint(condition=Q(claims_from__gte=F("start_date")),
                                   name="protection_claims_after_start"),
            models.CheckConstraint(condition=Q(imei__regex=r"^[0-9]{15}$"), name="protection_enrollment_imei"),
            models.CheckConstraint(condition=Q(installments_charged__lte=F("installment_count")),
                                   name="protection_installments_within_count"),
            models.CheckConstraint(condition=~Q(status="terminated") | Q(terminated_on__isnull=False),
                                   name="protection_terminated_has_date"),
            models.CheckConstraint(condition=Q(status="active") | Q(next_charge_on__isnull=True),
                                   name="protection_only_active_charged"),
            models.CheckConstraint(condition=Q(installment_amount__gt=0), name="protection_installment_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "next_charge_on"], name="protection_enr_charge_due"),
            models.Index(fields=["status", "end_date"], name="protection_enr_expiry"),
            models.Index(fields=["line", "-start_date"], name="protection_enr_line"),
        ]

    def __str__(self):
        return f"TecProtec {self.line} ({self.start_date:%Y-%m-%d})"

    @property
    def last_covered_day(self) -> dt.date:
        """TP-04: the day before end_date (end_date is the first day not covered): 31 Aug → 27 Feb."""
        return self.end_date - dt.timedelta(days=1)

    @property
    def customer_id(self):  # lets audit_record find the customer without a query
        return getattr(self.line, "customer_id", None)


class Installment(models.Model):
    """One charge of the subscription to the postpaid bill; at most one per enrollment and month (TP-03)."""

    # No index of its own: protection_installment_once leads with it.
    enrollment = models.ForeignKey(Enrollment, verbose_name=_("enrollment"), on_delete=models.PROTECT,
                                   related_name="installments", db_index=False)
    month_index = models.PositiveSmallIntegerField(_("month"))
    amount = models.BigIntegerField(_("amount (Rp)"))
    due_on = models.DateField(_("due on"))
    charged_at = models.DateTimeField(_("charged at"), auto_now_add=True)
    bill_ref = models.CharField(_("bill reference"), max_length=60, blank=True,
                                help_text=_("The postpaid bill item it was posted to."))

    class Meta:
        verbose_name = _("protection instalment")
        verbose_name_plural = _("protection instalments")
        ordering = ["enrollment", "month_index"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "month_index"], name="protection_installment_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="protection_installment_amount_positive"),
            models.CheckConstraint(condition=Q(month_index__gte=1), name="protection_installment_month_from_1"),
        ]

    def __str__(self):
        return f"{self.enrollment} #{self.month_index}"

    @property
    def source_ref(self) -> str:
        return f"protection:installment:{self.enrollment_id}:{self.month_index}"


class Claim(models.Model):
    """A repair claim on an enrollment, moved through the insurer's workflow (TP-06..TP-10)."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        FEE_PAID = "fee_paid", _("Fee paid")
        PICKED_UP = "picked_up", _("Picked up")
        AT_REPAIR = "at_repair", _("At repair")
        RETURNED = "returned", _("Returned")
        REJECTED = "rejected", _("Rejected by the insurer")
        CLOSED = "closed", _("Closed")

    # No index of its own: protection_claim_enrollment leads with it.
    enrollment = models.ForeignKey(Enrollment, verbose_name=_("enrollment"), on_delete=models.PROTECT,
                                   related_name="claims", db_index=False)
    # No index of its own: protection_claim_line leads with it.
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                             related_name="protection_claims", db_index=False)
    imei = models.CharField(_("IMEI"), max_length=15)
    damage = models.TextField(_("damage description"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FILED)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices,  # CLAIM_CHANNELS
                               default=Channel.GRAPARI)
    filed_on = models.DateField(_("filed on"))
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    fee_amount = models.BigIntegerField(_("processing fee (Rp)"))
    fee_paid_at = models.DateTimeField(_("fee paid at"), null=True, blank=True)
    picked_up_on = models.DateField(_("picked up on"), null=True, blank=True)
    jabodetabek = models.BooleanField(_("Jabodetabek SLA"), null=True, blank=True)
    sla_days = models.PositiveSmallIntegerField(_("SLA (days)"), null=True, blank=True)
    sla_due_on = models.DateField(_("return due on"), null=True, blank=True)
    sla_breached = models.BooleanField(_("SLA breached"), default=False)
    at_repair_at = models.DateTimeField(_("at repair since"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    repair_cost = models.BigIntegerField(_("repair cost (Rp)"), null=True, blank=True)
    covered_amount = models.BigIntegerField(_("covered (Rp)"), null=True, blank=True)
    customer_excess = models.BigIntegerField(_("customer pays (Rp)"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("insurer's reason"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("protection claim")
        verbose_name_plural = _("protection claims")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(imei__regex=r"^[0-9]{15}$"), name="protection_claim_imei"),
            models.CheckConstraint(condition=Q(fee_amount__gte=0), name="protection_claim_fee_not_negative"),
            models.CheckConstraint(condition=Q(repair_cost__isnull=True) | Q(repair_cost__gte=0),
                                   name="protection_claim_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(repair_cost__isnull=True)
                | Q(covered_amount__isnull=False, customer_excess__isnull=False,
                    covered_amount__gte=0, customer_excess__gte=0,
                    repair_cost=F("covered_amount") + F("customer_excess")),
                name="protection_claim_cost_split",
            ),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                                   name="protection_claim_rejection_has_reason"),
            models.CheckConstraint(condition=Q(picked_up_on__isnull=True) | Q(sla_due_on__isnull=False),
                                   name="protection_claim_pickup_has_due_date"),
        ]
        indexes = [
            models.Index(fields=["status", "sla_due_on"], name="protection_claim_sla"),
            models.Index(fields=["enrollment", "status"], name="protection_claim_enrollment"),
            models.Index(fields=["line", "-filed_at"], name="protection_claim_line"),
        ]

    def __str__(self):
        return _("Claim %(id)s on %(line)s") % {"id": self.pk, "line": self.line}

    @property
    def customer_id(self):
        return getattr(self.line, "customer_id", None)

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.RETURNED, self.Status.REJECTED, self.Status.CLOSED)


# Claims still in the insurer's hands: the TP-10 clock runs for them from the filing.
OPEN_CLAIM_STATUSES = (Claim.Status.FILED, Claim.Status.FEE_PAID, Claim.Status.PICKED_UP, Claim.Status.AT_REPAIR)


class Reimbursement(models.Model):
    """Shipping paid by the customer, reimbursed by the partner within N working days (TP-11)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")

    claim = models.OneToOneField(Claim, verbose_name=_("claim"), on_delete=models.PROTECT,
                                 related_name="reimbursement")
    amount = models.BigIntegerField(_("shipping cost (Rp)"))
    requested_on = models.DateField(_("requested on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    overdue = models.BooleanField(_("overdue"), default=False)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    reference = models.CharField(_("partner's payment reference"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("shipping reimbursement")
        verbose_name_plural = _("shipping reimbursements")
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="protection_reimbursement_positive"),
            models.CheckConstraint(condition=Q(due_on__gte=F("requested_on")), name="protection_reimbursement_due"),
            models.CheckConstraint(condition=Q(status="pending") | Q(paid_on__isnull=False),
                                   name="protection_reimbursement_paid_has_date"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="protection_reimb_due")]

    def __str__(self):
        return f"{self.claim}: {self.amount}"

    @property
    def line_id(self):
        return getattr(self.claim, "line_id", None)
