from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Access log entries cannot be changed."))

    def delete(self):
        raise ValidationError(_("Access log entries cannot be deleted."))


class AccessLog(models.Model):
    """One read of a customer's personal data: who, when, which customer, from which outlet. Append-only.

    Written with one INSERT per read (the ids come from the request and the page's own query); the table grows with
    every page view, so both lists supervisors read (per customer, per agent) are indexed.
    """

    class Kind(models.TextChoices):
        CUSTOMER_PAGE = "customer_page", _("Customer page opened")
        LINE_PAGE = "line_page", _("Line page opened")
        IDENTITY_REVEALED = "identity_revealed", _("Identity number revealed")
        DATA_EXPORT = "data_export", _("Personal data exported")

    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    # No index of its own: accesslog_actor_time leads with it.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                              related_name="+", db_index=False)
    outlet = models.ForeignKey("accounts.Outlet", verbose_name=_("outlet"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    # No index of its own: accesslog_customer_time leads with it.
    customer = models.ForeignKey("accounts.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="access_log", db_index=False)
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data access log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="accesslog_customer_time"),
            models.Index(fields=["actor", "-created_at"], name="accesslog_actor_time"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Access log entries cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Access log entries cannot be deleted."))


class DataExport(models.Model):
    """A customer's own data handed to them (UU 27/2022 PDP), with the identity check that came before it."""

    class CheckMethod(models.TextChoices):
        ORIGINAL_DOCUMENT = "original_document", _("Original identity document shown, number matched")
        DOCUMENT_AND_SIM = "document_and_sim", _("Original document shown and SIM in the customer's phone")

    customer = models.ForeignKey("accounts.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="data_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                                     related_name="+")
    outlet = models.ForeignKey("accounts.Outlet", verbose_name=_("outlet"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    check_method = models.CharField(_("identity check"), max_length=20, choices=CheckMethod.choices)
    document_last_digits = models.CharField(_("document number checked (last 4)"), max_length=4)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    records = models.PositiveIntegerField(_("records exported"), default=0)

    class Meta:
        verbose_name = _("personal-data export")
        verbose_name_plural = _("personal-data exports")
        ordering = ["-created_at"]
        permissions = [("export_customer_data", _("Can export a customer's personal data for them"))]

    def __str__(self):
        return f"{self.customer_id} {self.created_at:%Y-%m-%d %H:%M}"


class Anonymisation(models.Model):
    """A customer whose identity was removed after the retention period; their money records stay."""

    customer = models.OneToOneField("accounts.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                    related_name="anonymisation")
    last_line_ended_on = models.DateField(_("last line ended on"))
    anonymised_at = models.DateTimeField(_("anonymised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("anonymised customer")
        verbose_name_plural = _("anonymised customers")
        ordering = ["-anonymised_at"]

    def __str__(self):
        return str(self.customer_id)


class SecurityPermissions(models.Model):
    """No rows: holds the permissions of supervisors' security actions."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("security action")
        permissions = [
            ("reset_second_factor", _("Can reset another user's second factor")),
            ("unlock_login", _("Can unlock a locked log-in")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)
