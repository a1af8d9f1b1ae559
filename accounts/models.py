from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.identifiers import national_msisdn
from core.models import AuditEvent, Channel


class Outlet(models.Model):
    """A GraPARI walk-in service centre."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    city = models.CharField(_("city"), max_length=80)
    jabodetabek = models.BooleanField(_("in Jabodetabek"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("outlet (GraPARI)")
        verbose_name_plural = _("outlets (GraPARI)")
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """An agent or supervisor. Roles are the groups `Agent` and `Supervisor`."""

    class Language(models.TextChoices):
        INDONESIAN = "id", "Bahasa Indonesia"
        ENGLISH = "en", "English"

    outlet = models.ForeignKey(Outlet, verbose_name=_("outlet"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="staff")
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.INDONESIAN)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_supervisor(self) -> bool:
        return self.is_superuser or self.groups.filter(name="Supervisor").exists()


class Customer(models.Model):
    """An individual or an organisation, registered with one identity document (ACC-01)."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        ORGANISATION = "organisation", _("Organisation")

    class IdType(models.TextChoices):
        KTP = "ktp", _("KTP (NIK)")
        DRIVING_LICENCE = "sim", _("Driving licence (SIM)")
        PASSPORT = "passport", _("Passport")
        NPWP = "npwp", _("NPWP (organisation tax number)")

    class Verification(models.TextChoices):
        PENDING = "pending", _("Pending")
        VERIFIED = "verified", _("Verified")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    full_name = models.CharField(_("name"), max_length=150)
    id_type = models.CharField(_("identity document"), max_length=10, choices=IdType.choices)
    id_number = models.CharField(_("document number"), max_length=20)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    jabodetabek = models.BooleanField(_("lives in Jabodetabek"), null=True, blank=True,
                                      help_text=_("Unknown: the registering outlet's region applies."))
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    verification = models.CharField(_("verification"), max_length=10, choices=Verification.choices,
                                    default=Verification.PENDING)
    registered_at = models.ForeignKey(Outlet, verbose_name=_("registered at"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    language = models.CharField(_("SMS language"), max_length=5, choices=User.Language.choices,
                                default=User.Language.INDONESIAN)
    # ACC-11: the current state; its history (date, channel, by whom) is MarketingConsent. Decision: the terms the
    # customer signed include offers, so consent holds until it is withdrawn.
    marketing_consent = models.BooleanField(_("accepts marketing offers"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("reveal_identity", _("Can show a customer's full identity number"))]
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number"], name="customer_document_unique"),
            models.CheckConstraint(
                condition=Q(kind="organisation", id_type="npwp") | (Q(kind="individual") & ~Q(id_type="npwp")),
                name="customer_document_matches_kind",
            ),
            models.CheckConstraint(condition=~Q(full_name=""), name="customer_name_not_empty"),
        ]
        indexes = [models.Index(fields=["full_name"], name="customer_name")]

    def __str__(self):
        return self.full_name

    @property
    def customer_id(self) -> int:
        """A customer is on their own timeline (core.audit reads `subject.customer_id`)."""
        return self.pk

    @property
    def masked_id_number(self) -> str:
        return "•" * max(len(self.id_number) - 4, 0) + self.id_number[-4:]


class BillingAccount(models.Model):
    """A postpaid account; several lines on one account is SAMU (ACC-03)."""

    class PaymentMethod(models.TextChoices):
        CASH = "cash", _("Cash / ATM")
        TRANSFER = "transfer", _("Bank transfer")
        DIRECT_DEBIT = "direct_debit", _("Bank direct debit")
        CREDIT_CARD = "credit_card", _("Credit card autodebit")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("account number"), max_length=12, unique=True)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="billing_accounts")
    payment_method = models.CharField(_("payment method"), max_length=15, choices=PaymentMethod.choices,
                                      default=PaymentMethod.CASH)
    bill_cycle_day = models.PositiveSmallIntegerField(_("bill cycle day"), default=1)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("opened on"))

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")
        constraints = [
            models.CheckConstraint(condition=Q(bill_cycle_day__gte=1, bill_cycle_day__lte=28),
                                   name="account_cycle_day_1_28"),
            models.CheckConstraint(condition=Q(number__regex=r"^[1-5][0-9]{9}$"), name="account_number_format"),
        ]

    def __str__(self):
        return self.number


class Line(models.Model):
    """A subscription: one MSISDN, one SIM, prepaid or postpaid (ACC-02)."""

    class Kind(models.TextChoices):
        PREPAID = "prepaid", _("Prepaid")
        POSTPAID = "postpaid", _("Postpaid (KartuHalo)")

    class Status(models.TextChoices):
        INACTIVE = "inactive", _("Not activated")
        ACTIVE = "active", _("Active")
        TERMINATED = "terminated", _("Terminated (number in quarantine)")
        RECYCLED = "recycled", _("Number recycled")

    msisdn = models.CharField(_("MSISDN"), max_length=16)
    iccid = models.CharField(_("ICCID"), max_length=20)
    imsi = models.CharField(_("IMSI"), max_length=15)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INACTIVE)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="lines")
    billing_account = models.ForeignKey(BillingAccount, verbose_name=_("billing account"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="lines")
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    quarantine_until = models.DateField(_("quarantine until"), null=True, blank=True)
    termination_reference = models.CharField(_("termination request reference"), max_length=60, blank=True, default="",
                                             help_text=_("The customer's written request."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        constraints = [
            models.UniqueConstraint(fields=["msisdn"], condition=~Q(status="recycled"), name="line_msisdn_in_use"),
            models.UniqueConstraint(fields=["iccid"], condition=~Q(status="recycled"), name="line_iccid_in_use"),
            models.UniqueConstraint(fields=["imsi"], condition=~Q(status="recycled"), name="line_imsi_in_use"),
            models.CheckConstraint(condition=Q(msisdn__regex=r"^\+628[0-9]{7,11}$"), name="line_msisdn_e164"),
            models.CheckConstraint(condition=Q(iccid__regex=r"^89[0-9]{17,18}$"), name="line_iccid_format"),
            models.CheckConstraint(condition=Q(imsi__regex=r"^510[0-9]{12}$"), name="line_imsi_format"),
            models.CheckConstraint(
                condition=Q(kind="postpaid", billing_account__isnull=False)
                | Q(kind="prepaid", billing_account__isnull=True),
                name="line_account_only_postpaid",
            ),
            models.CheckConstraint(
                condition=Q(status="inactive") | Q(activated_on__isnull=False), name="line_activated_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["terminated", "recycled"]) | Q(terminated_on__isnull=False),
                name="line_terminated_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["msisdn"], name="line_msisdn"),
            models.Index(fields=["iccid"], name="line_iccid"),
        ]

    def __str__(self):
        return national_msisdn(self.msisdn)

    @property
    def line_id(self) -> int:
        """A line is on its own timeline (core.audit reads `subject.line_id`)."""
        return self.pk

    @property
    def msisdn_national(self) -> str:
        return national_msisdn(self.msisdn)


class Block(models.Model):
    """A dated blocking state on a line (ACC-04, BIL-05, PRE-04). Blocked while an open block exists."""

    class Scope(models.TextChoices):
        ALL = "all", _("All service")
        OUTGOING = "outgoing", _("Outgoing calls, SMS and data")
        PURCHASES = "purchases", _("Purchases")

    class Reason(models.TextChoices):
        CUSTOMER_REQUEST = "customer_request", _("Customer request (bar)")
        LOST_SIM = "lost_sim", _("Lost SIM reported")
        UNPAID_BILL = "unpaid_bill", _("Bill unpaid by its due date")
        EARLY_SETTLEMENT_UNMET = "early_settlement_unmet", _("Early settlement demand not met")
        VERIFICATION_LIMIT = "verification_limit", _("Usage limit reached while verification pending or failed")
        CREDIT_LIMIT = "credit_limit", _("Credit limit reached")
        SYSTEM_HOLD = "system_hold", _("System hold")
        ILLEGAL_ACTIVITY = "illegal_activity", _("Suspected illegal activity")
        FALSE_DATA = "false_data", _("False or misleading data")
        BREACH_OF_TERMS = "breach_of_terms", _("Breach of the terms")
        BANKRUPTCY = "bankruptcy", _("Bankruptcy or guardianship")
        DEATH = "death", _("Customer deceased")
        VIOLATION_OF_LAW = "violation_of_law", _("Violation of law")
        FORCE_MAJEURE = "force_majeure", _("Force majeure for 6 months in a row")
        SMS_FAIR_USAGE = "sms_fair_usage", _("SMS beyond fair usage")
        INSTITUTION_REQUEST = "institution_request", _("Authorised institution's request")
        MISUSE = "misuse", _("Misuse of the card")
        TERMINATION = "termination", _("Terminated at the customer's written request")

    # No index of its own: block_line_open leads with it.
    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.PROTECT, related_name="blocks",
                             db_index=False)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.ALL)
    reason = models.CharField(_("reason"), max_length=25, choices=Reason.choices)
    permanent = models.BooleanField(_("permanent"), default=False)
    reference = models.CharField(_("reference"), max_length=60, blank=True,
                                 help_text=_("Loss statement or institution letter number."))
    note = models.TextField(_("note"), blank=True)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("blocked by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lifted by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    end_note = models.TextField(_("why lifted"), blank=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ["-started_at"]
        permissions = [("block_any_reason", _("Can set and lift blocks of every reason"))]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                                   name="block_ends_after_start"),
            models.CheckConstraint(condition=Q(permanent=False) | Q(ended_at__isnull=True),
                                   name="block_permanent_never_ends"),
            models.CheckConstraint(condition=~Q(reason="institution_request") | ~Q(reference=""),
                                   name="block_institution_has_reference"),
            models.UniqueConstraint(fields=["line", "reason"], condition=Q(ended_at__isnull=True),
                                    name="block_one_open_per_reason"),
        ]
        indexes = [models.Index(fields=["line", "ended_at"], name="block_line_open")]

    def __str__(self):
        return f"{self.line} · {self.get_reason_display()}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class TransferApproval(models.Model):
    """The operator's written approval to hand a line to a third party (ACC-06)."""

    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.PROTECT, related_name="transfers")
    from_customer = models.ForeignKey(Customer, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+")
    to_customer = models.ForeignKey(Customer, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")
    letter_number = models.CharField(_("approval letter number"), max_length=60, unique=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("transfer approval")
        verbose_name_plural = _("transfer approvals")
        ordering = ["-approved_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_customer=models.F("to_customer")),
                                   name="transfer_to_another_customer"),
        ]

    def __str__(self):
        return f"{self.line}: {self.letter_number}"


class MarketingConsent(models.Model):
    """ACC-11: every grant or withdrawal of a customer's consent to marketing offers, with date and channel."""

    # No index of its own: consent_customer_time leads with it.
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="marketing_consents", db_index=False)
    granted = models.BooleanField(_("consent given"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("marketing consent")
        verbose_name_plural = _("marketing consents")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["customer", "-recorded_at"], name="consent_customer_time")]

    def __str__(self):
        return f"{self.customer}: {self.granted} ({self.recorded_at:%Y-%m-%d})"


class IdentityCheck(models.Model):
    """An identity check of a customer at the counter (ACC-10): how, with which result, by whom, during which visit.

    Recorded before a SIM replacement (inline, with the line) and before the other sensitive actions (NIK reveal,
    transfer, termination: `accounts.identity`), whatever its result."""

    class Method(models.TextChoices):
        KTP_NIK = "ktp_nik", _("Original KTP shown, NIK matched")
        NIK_MATCHED = "nik_matched", _("NIK matched (no original document)")
        QUESTIONS = "questions", _("Validation questions answered")
        PASSPORT = "passport", _("Original passport shown, number matched")
        DRIVING_LICENCE = "driving_licence", _("Original driving licence shown, number matched")
        ORGANISATION_LETTER = "organisation_letter", _("Organisation's letter and NPWP matched")

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    # No index of its own: identity_check_customer leads with it.
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="identity_checks", db_index=False)
    # No index of its own: identity_check_line leads with it.
    line = models.ForeignKey(Line, verbose_name=_("line"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="identity_checks", db_index=False)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    result = models.CharField(_("result"), max_length=6, choices=Result.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT,
                                   related_name="+")
    checked_at = models.DateTimeField(_("checked at"))
    # The counter visit it was recorded during (core.audit.current_interaction); no foreign key: accounts knows no
    # visits app.
    interaction_id = models.BigIntegerField(_("visit"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("identity check")
        verbose_name_plural = _("identity checks")
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["line", "-checked_at"], name="identity_check_line"),
            models.Index(fields=["customer", "checked_by", "-checked_at"], name="identity_check_customer"),
        ]

    def __str__(self):
        return f"{self.customer} · {self.get_method_display()} · {self.get_result_display()}"


class IdentityReveal(AuditEvent):
    """The audit events of full identity numbers shown to agents, for the supervisors' list (admin, read-only)."""

    class Meta:
        proxy = True
        verbose_name = _("identity number shown")
        verbose_name_plural = _("identity numbers shown")


class SimChange(models.Model):
    """A new SIM on the same number after a passed identity check (ACC-10); the old SIM stops at once."""

    class Reason(models.TextChoices):
        LOST = "lost", _("Lost")
        DAMAGED = "damaged", _("Damaged")

    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.PROTECT, related_name="sim_changes")
    identity_check = models.OneToOneField(IdentityCheck, verbose_name=_("identity check"), on_delete=models.PROTECT,
                                          related_name="sim_change")
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    old_iccid = models.CharField(_("old ICCID (stopped)"), max_length=20)
    old_imsi = models.CharField(_("old IMSI"), max_length=15)
    new_iccid = models.CharField(_("new ICCID"), max_length=20)
    new_imsi = models.CharField(_("new IMSI"), max_length=15)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("SIM change")
        verbose_name_plural = _("SIM changes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(old_iccid=models.F("new_iccid")), name="simchange_new_iccid"),
            models.CheckConstraint(condition=~Q(old_imsi=models.F("new_imsi")), name="simchange_new_imsi"),
        ]

    def __str__(self):
        return f"{self.line}: {self.old_iccid} → {self.new_iccid}"
