"""Per postpaid line: its basic package, its spending limits, their closed cycles and changes (LIM-01..11)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from billing.models.catalogue import BasicPackage, Scope
from core.models import Channel


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

    # No index of its own: spending_limit_one_per_scope leads with it.
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                             related_name="spending_limits", db_index=False)
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

    # No index of its own: spending_cycle_once leads with it.
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT, related_name="+",
                             db_index=False)
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


class LimitChange(models.Model):
    """Every change of a spending limit, with its channel and actor (LIM-08, LIM-10)."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial limit")
        CHANGE = "change", _("Change")
        OVERRIDE = "override", _("Supervisor override")

    # No index of its own: limit_change_line_day leads with it.
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), on_delete=models.PROTECT,
                             related_name="limit_changes", db_index=False)
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
