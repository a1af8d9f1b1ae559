import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.api.request_ids import CLIENT_NAME_MAX_LENGTH, REQUEST_ID_MAX_LENGTH
from core.append_only import AppendOnlyModel


class Channel(models.TextChoices):
    """Where an action came from (LIM-10, TP-02, ACC-07)."""

    GRAPARI = "grapari", _("GraPARI")
    CALL_CENTRE_188 = "call_centre_188", _("Call centre 188")
    SOCIAL_MEDIA = "social_media", _("Social media")
    UMB = "umb", _("UMB (USSD)")
    APP = "app", _("Customer app")
    API = "api", _("Channel API")
    PARTNER = "partner", _("Partner")  # e.g. the insurer's call centre filing a TecProtec claim (TP-07)
    ADMIN = "admin", _("Supervisor admin")
    SYSTEM = "system", _("System job")


class AuditEvent(AppendOnlyModel):
    """Append-only record of every change: who, when, where, what (old → new) and why (ACC-07)."""
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True,
                                   help_text=_("The channel client or job when there is no user."))
    outlet = models.ForeignKey("accounts.Outlet", verbose_name=_("outlet"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", db_index=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.GRAPARI)
    verb = models.CharField(_("verb"), max_length=60)
    subject_type = models.CharField(_("subject type"), max_length=60)
    subject_id = models.CharField(_("subject id"), max_length=40)
    subject_repr = models.CharField(_("subject"), max_length=200)
    # No index of their own: audit_line_time and audit_customer_time lead with them.
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="audit_events", db_index=False)
    customer = models.ForeignKey("accounts.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="audit_events", db_index=False)
    old = models.JSONField(_("old value"), null=True, blank=True)
    new = models.JSONField(_("new value"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # The counter visit (an app's interaction row) the action was done during; no foreign key: core knows no app.
    interaction_id = models.BigIntegerField(_("visit"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["line", "-created_at"], name="audit_line_time"),
            models.Index(fields=["customer", "-created_at"], name="audit_customer_time"),
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject"),
            # Most events are a channel's or a job's, with no actor, outlet or visit: partial indexes, so those
            # events add nothing to them (an equality lookup, a PROTECT check on delete, still uses them).
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="audit_actor"),
            models.Index(fields=["outlet"], condition=Q(outlet__isnull=False), name="audit_outlet"),
            models.Index(fields=["interaction_id"], condition=Q(interaction_id__isnull=False),
                         name="audit_interaction"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb} {self.subject_repr}"


class Holiday(models.Model):
    """Public holidays: working-day arithmetic skips them (TP-11)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class Parameter(models.Model):
    """A business number that a supervisor may change in the admin (DOMAIN.md's Decisions)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    value = models.BigIntegerField(_("value"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    description = models.CharField(_("description"), max_length=255)
    rule = models.CharField(_("rule"), max_length=40, blank=True, help_text=_("The DOMAIN.md rule ID."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("rule parameter")
        verbose_name_plural = _("rule parameters")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=models.Q(value__gte=0), name="parameter_value_not_negative")]

    def __str__(self):
        return f"{self.code} = {self.value} {self.unit_shown}".strip()

    # The defaults are stored in English (data, marked with gettext_noop where they are declared) and read in the
    # active language; a description a supervisor wrote has no catalogue entry and shows as written.
    @property
    def description_shown(self) -> str:
        return gettext(self.description) if self.description else ""

    @property
    def unit_shown(self) -> str:
        return gettext(self.unit) if self.unit else ""


# --- Platform: job runs, SMS outbox, channel clients and API idempotency (issue 3) ---------------------------------


class JobRun(models.Model):
    """One run of a scheduled job for one period: opened, fed chunk by chunk, closed. Unique per (job, period)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        STALE = "stale", _("Stale (no progress, re-queued)")

    job = models.CharField(_("job"), max_length=80)
    period_key = models.CharField(_("period"), max_length=40, help_text=_("e.g. 2026-11-22 (daily) or 2026-11."))
    task_name = models.CharField(_("task"), max_length=200, blank=True)
    task_kwargs = models.JSONField(_("task arguments"), default=dict, blank=True,
                                   help_text=_("What the watchdog sends again when the run goes stale."))
    task_queue = models.CharField(_("task queue"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    forced = models.BooleanField(_("forced"), default=False)
    chunks = models.PositiveIntegerField(_("chunks"), default=0)
    selected = models.PositiveBigIntegerField(_("selected"), default=0)
    changed = models.PositiveBigIntegerField(_("changed"), default=0)
    skipped = models.PositiveBigIntegerField(_("skipped"), default=0)
    failed = models.PositiveBigIntegerField(_("failed"), default=0)
    total = models.PositiveBigIntegerField(_("expected rows"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period_key"], name="jobrun_once_per_period"),
            models.CheckConstraint(condition=models.Q(status="running") | models.Q(finished_at__isnull=False),
                                   name="jobrun_finished_has_time"),
        ]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_job_time")]

    def __str__(self):
        return f"{self.job} {self.period_key} ({self.get_status_display()})"

    @property
    def processed(self) -> int:
        return self.changed + self.skipped + self.failed

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.processed * 100 / self.total))

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class SmsTemplate(models.Model):
    """A customer SMS in both languages; `{variable}` placeholders must match the listed variables."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    text_id = models.TextField(_("text (Bahasa Indonesia)"))
    text_en = models.TextField(_("text (English)"))
    variables = models.CharField(_("variables"), max_length=255, blank=True,
                                 help_text=_("Comma-separated names used as {name} in both texts."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        ordering = ["code"]

    def __str__(self):
        return self.code

    @property
    def variable_list(self) -> list[str]:
        return [name.strip() for name in self.variables.split(",") if name.strip()]

    def text_for(self, language: str | None) -> str:
        return self.text_en if (language or "").startswith("en") else self.text_id

    def clean(self):
        from core.sms_templates import template_errors

        errors = template_errors(text_id=self.text_id, text_en=self.text_en, variables=self.variable_list)
        if errors:
            raise ValidationError(errors)


class OutboundSms(models.Model):
    """A customer SMS in the transactional outbox: written with the event, sent later by the dispatcher."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (will retry)")
        DEAD = "dead", _("Dead (gave up)")

    msisdn = models.CharField(_("MSISDN"), max_length=16)
    # No index of its own: sms_line_time leads with it.
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="sms_messages", db_index=False)
    template_code = models.CharField(_("template"), max_length=60)
    language = models.CharField(_("language"), max_length=5, default="id")
    text = models.TextField(_("text"))
    dedup_key = models.CharField(_("dedup key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    gateway_message_id = models.CharField(_("gateway message id"), max_length=100, blank=True)
    # While SENDING: the attempt that claimed the row and until when; an expired lease means that attempt died.
    attempt_id = models.UUIDField(_("attempt"), null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("outbound SMS")
        verbose_name_plural = _("outbound SMS")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["queued", "failed"]) | models.Q(next_attempt_at__isnull=False),
                name="sms_pending_has_next_attempt",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sending")
                | models.Q(lease_until__isnull=False, attempt_id__isnull=False),
                name="sms_sending_has_lease",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="sms_due"),
            models.Index(fields=["gateway_message_id"], name="sms_gateway_id"),
            models.Index(fields=["line", "-created_at"], name="sms_line_time"),
            models.Index(fields=["created_at"], name="sms_created"),  # the dashboard's SMS per day
        ]

    def __str__(self):
        return f"{self.msisdn} {self.template_code} ({self.get_status_display()})"

    @property
    def client_message_id(self) -> str:
        """The gateway idempotency key: the same for every attempt of this message, so a gateway that keeps
        client message ids recognises a resend (after a timeout or a lost lease) instead of sending a copy."""
        seed = f"{self.pk}:{self.dedup_key}:{self.created_at.isoformat() if self.created_at else ''}"
        return "bo-" + hashlib.sha256(seed.encode()).hexdigest()[:29]


class OutboundSmsKey(models.Model):
    """PostgreSQL: the outbox is partitioned by month (core.partitions), where a unique dedup key cannot be; this
    narrow unpartitioned table keeps it unique over all months and is what a delivery report's foreign key points
    at (sms_id, unique). Written only by a trigger on each outbox insert."""

    dedup_key = models.CharField(_("dedup key"), max_length=200, primary_key=True)
    sms_id = models.BigIntegerField(_("SMS"), unique=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        db_table = "core_outboundsms_key"
        verbose_name = _("SMS dedup key")
        verbose_name_plural = _("SMS dedup keys")

    def __str__(self):
        return self.dedup_key


class DeliveryReport(models.Model):
    """Every delivery report the gateway sent, kept as received. A report may arrive before the message's gateway
    id is committed (or for an id we never recorded): it is kept unmatched, matched when the id lands, and the
    unmatched ones are left for a supervisor to review in the admin."""

    gateway_message_id = models.CharField(_("gateway message id"), max_length=100)
    state = models.CharField(_("state"), max_length=40)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    # db_constraint=False: on PostgreSQL the foreign key points at OutboundSmsKey.sms_id (the outbox is
    # partitioned by month, core.partitions); SQLite keeps its own.
    sms = models.ForeignKey(OutboundSms, verbose_name=_("SMS"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="delivery_reports", db_constraint=False)
    matched_at = models.DateTimeField(_("matched"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery report")
        verbose_name_plural = _("delivery reports")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["gateway_message_id"], condition=models.Q(sms__isnull=True),
                                name="dlr_unmatched")]

    def __str__(self):
        return f"{self.gateway_message_id} {self.state}"


class ChannelClient(models.Model):
    """A system that calls the channel API: the charging system, the USSD gateway, the app, a partner."""

    class Kind(models.TextChoices):
        CHARGING = "charging", _("Charging system")
        USSD = "ussd", _("USSD gateway")
        APP = "app", _("Customer app")
        PARTNER = "partner", _("Partner")
        NETWORK = "network", _("Network")

    name = models.SlugField(_("name"), max_length=CLIENT_NAME_MAX_LENGTH, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    active = models.BooleanField(_("active"), default=True)
    throttle_rate = models.CharField(
        _("throttle rate"), max_length=20, blank=True,
        validators=[RegexValidator(r"^[1-9][0-9]{0,6}/(s|sec|m|min|h|hour|d|day)$",
                                   _("Write a rate such as 600/min (per s, min, hour or day)."))],
        help_text=_("e.g. 600/min; empty uses the default for the kind."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("channel client")
        verbose_name_plural = _("channel clients")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    # DRF's IsAuthenticated looks at request.user; request.auth carries the client.
    @property
    def is_authenticated(self) -> bool:
        return True


class ChannelApiKey(models.Model):
    """An API key of a channel client. Only the SHA-256 of the key is stored; the key is shown once."""

    client = models.ForeignKey(ChannelClient, verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="api_keys")
    prefix = models.CharField(_("prefix"), max_length=12, help_text=_("The first characters, to recognise a key."))
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}…"


class ApiRequest(models.Model):
    """Idempotency record of a write request: the first response is replayed for the same request_id."""

    # No index of its own: the unique (client, request_id) index starts with it.
    client = models.ForeignKey(ChannelClient, verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="requests", db_index=False)
    request_id = models.CharField(_("request id"), max_length=REQUEST_ID_MAX_LENGTH)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=255)
    body_hash = models.CharField(_("body hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    # The rendered JSON exactly as first sent (text, not jsonb, which reorders keys): a replay is byte for byte.
    response_body = models.TextField(_("response body"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["client", "request_id"], name="apirequest_once_per_client")]
        indexes = [models.Index(fields=["created_at"], name="apirequest_created")]  # the replay-window purge

    def __str__(self):
        return f"{self.client_id}:{self.request_id} → {self.response_status}"
