"""Rated usage records the network already delivered (LIM-03, BIL-11)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.catalogue import Scope, ServiceCategory
from core.api.request_ids import KEY_MAX_LENGTH
from core.append_only import AppendOnlyModel


class UsageRecord(AppendOnlyModel):
    """Rated usage the network already delivered; idempotent by `record_id`. Counts even past the limit."""

    record_id = models.CharField(_("record id"), max_length=KEY_MAX_LENGTH, unique=True)
    # No index of its own: usage_line_cycle leads with it.
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                             related_name="usage_records", db_index=False)
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


class UsageRecordKey(models.Model):
    """PostgreSQL: usage records are partitioned by month; this keeps their record_id unique over all months.
    Written only by a trigger on each usage record insert."""

    record_id = models.CharField(_("record id"), max_length=KEY_MAX_LENGTH, primary_key=True)
    usage_record_id = models.BigIntegerField(_("usage record"))
    created_at = models.DateTimeField(_("received"))

    class Meta:
        db_table = "billing_usagerecord_key"
        verbose_name = _("usage record id")
        verbose_name_plural = _("usage record ids")

    def __str__(self):
        return self.record_id
