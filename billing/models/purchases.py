"""Purchase authorizations with their decisions (LIM-02, LIM-05)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.catalogue import Scope, ServiceCategory
from core.api.request_ids import KEY_MAX_LENGTH
from core.append_only import AppendOnlyModel
from core.models import Channel


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
    # No index of its own: purchase_line_cycle starts with it.
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
            # Every query of a line's purchases names the line (and mostly its cycle): this one index serves them all.
            # A second line-led index (line, -created_at) cost each authorization its upkeep and no query used it.
            models.Index(fields=["line", "cycle_start", "decision"], name="purchase_line_cycle"),
            # The dashboard's declined purchases per day: a small partial index (approvals are most rows).
            models.Index(fields=["created_at"], condition=Q(decision="declined"), name="purchase_declined_time"),
        ]

    def __str__(self):
        return f"{self.request_id} {self.decision}"


class PurchaseKey(models.Model):
    """PostgreSQL: purchases are partitioned by month (core.partitions), where a unique request_id cannot be; this
    narrow unpartitioned table keeps it unique over all months. Written only by a trigger on each purchase insert."""

    request_id = models.CharField(_("request id"), max_length=KEY_MAX_LENGTH, primary_key=True)
    purchase_id = models.BigIntegerField(_("purchase"))
    created_at = models.DateTimeField(_("when"))

    class Meta:
        db_table = "billing_purchase_key"
        verbose_name = _("purchase request id")
        verbose_name_plural = _("purchase request ids")

    def __str__(self):
        return self.request_id
