"""KartuHalo catalogue (supervisor-editable; seeded by a data migration with DOMAIN.md's figures): the scopes,
basic packages, service categories and suggested limits (LIM-01, LIM-03, LIM-06)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.bilingual import localized


class Scope(models.TextChoices):
    """The two spending limits of a postpaid line (LIM-01)."""

    DOMESTIC = "domestic", _("Domestic")
    INTERNATIONAL = "international", _("International roaming")


class BasicPackage(models.Model):
    """A KartuHalo basic package: its monthly tariff drives the suggested limit (LIM-06)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=255, blank=True)
    monthly_fee = models.BigIntegerField(_("monthly tariff (Rp)"))
    regular_customer_policy = models.BooleanField(
        _("regular-customer policy applies"), default=False,
        help_text=_("Limit upgrades also need no late payment in the recent bill cycles."),  # LIM-07
    )
    is_active = models.BooleanField(_("sold"), default=True)

    class Meta:
        verbose_name = _("basic package")
        verbose_name_plural = _("basic packages")
        ordering = ["monthly_fee", "name"]
        constraints = [models.CheckConstraint(condition=Q(monthly_fee__gte=0), name="package_fee_not_negative")]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")  # the active language's (core.bilingual)

    @property
    def display_description(self) -> str:
        return localized(self, "description")


class ServiceCategory(models.Model):
    """What a purchase or usage record is for, and whether it counts against its scope's limit (LIM-03)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    scope = models.CharField(_("scope"), max_length=13, choices=Scope.choices)
    counts_against_limit = models.BooleanField(_("counts against the limit"), default=True)
    renewal_days = models.PositiveSmallIntegerField(_("renewed every (days)"), null=True, blank=True)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["scope", "code"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")  # the active language's (core.bilingual)


class SuggestedLimit(models.Model):
    """LIM-06: the suggested domestic limit for packages whose tariff is at most `max_tariff`.

    A tariff between rows takes the next higher row (Decision); above the last row, the last row applies.
    """

    max_tariff = models.BigIntegerField(_("package tariff up to (Rp)"), unique=True)
    cash_limit = models.BigIntegerField(_("limit for cash / ATM payers (Rp)"))
    card_limit = models.BigIntegerField(_("limit for credit-card autodebit payers (Rp)"))

    class Meta:
        verbose_name = _("suggested limit")
        verbose_name_plural = _("suggested limits")
        ordering = ["max_tariff"]
        constraints = [
            models.CheckConstraint(condition=Q(max_tariff__gte=0, cash_limit__gte=0, card_limit__gte=0),
                                   name="suggested_limit_not_negative"),
        ]

    def __str__(self):
        return f"≤ {self.max_tariff}: {self.cash_limit} / {self.card_limit}"
