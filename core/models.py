from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where an action came from (LIM-10, TP-02, ACC-07)."""

    GRAPARI = "grapari", _("GraPARI")
    CALL_CENTRE_188 = "call_centre_188", _("Call centre 188")
    SOCIAL_MEDIA = "social_media", _("Social media")
    UMB = "umb", _("UMB (USSD)")
    APP = "app", _("Customer app")
    API = "api", _("Channel API")
    ADMIN = "admin", _("Supervisor admin")
    SYSTEM = "system", _("System job")


class AuditEvent(models.Model):
    """Append-only record of every change: who, when, where, what (old → new) and why (ACC-07)."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True,
                                   help_text=_("The channel client or job when there is no user."))
    outlet = models.ForeignKey("accounts.Outlet", verbose_name=_("outlet"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.GRAPARI)
    verb = models.CharField(_("verb"), max_length=60)
    subject_type = models.CharField(_("subject type"), max_length=60)
    subject_id = models.CharField(_("subject id"), max_length=40)
    subject_repr = models.CharField(_("subject"), max_length=200)
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="audit_events")
    customer = models.ForeignKey("accounts.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="audit_events")
    old = models.JSONField(_("old value"), null=True, blank=True)
    new = models.JSONField(_("new value"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["line", "-created_at"], name="audit_line_time"),
            models.Index(fields=["customer", "-created_at"], name="audit_customer_time"),
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb} {self.subject_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Audit events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit events cannot be deleted."))


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
        return f"{self.code} = {self.value} {self.unit}".strip()
