"""The counter visit at a GraPARI outlet (a TMF683-style customer interaction): counters, queue tickets, the visit
an agent serves, and its wrap-up. Written by `visits.services` only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """A service desk at an outlet; an agent sits at one (`staffed_by`) to call tickets."""

    # No index of its own: counter_number_per_outlet leads with it.
    outlet = models.ForeignKey("accounts.Outlet", verbose_name=_("outlet"), on_delete=models.PROTECT,
                               related_name="counters", db_index=False)
    number = models.PositiveSmallIntegerField(_("counter number"))
    is_active = models.BooleanField(_("open"), default=True)
    staffed_by = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("agent at the counter"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="counter")

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["outlet", "number"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "number"], name="counter_number_per_outlet"),
            models.CheckConstraint(condition=Q(number__gte=1), name="counter_number_positive"),
        ]

    def __str__(self):
        return _("Counter %(number)s") % {"number": self.number}


class Reason(models.TextChoices):
    """Why the customer came (the kiosk's buttons, the wrap-up's reasons)."""

    LOST_SIM = "lost_sim", _("Lost SIM")
    SIM_REPLACEMENT = "sim_replacement", _("SIM replacement")
    BILL_PAYMENT = "bill_payment", _("Bill payment")
    LIMIT_CHANGE = "limit_change", _("Spending limit change")
    TECPROTEC_CLAIM = "tecprotec_claim", _("TecProtec claim")
    PREPAID_TO_POSTPAID = "prepaid_to_postpaid", _("Prepaid to postpaid")
    COMPLAINT = "complaint", _("Complaint")
    INFORMATION = "information", _("Information")


# The letter of a ticket number by reason: the customer hears "A017" and knows the queue.
REASON_LETTERS = {
    Reason.LOST_SIM: "A", Reason.SIM_REPLACEMENT: "A", Reason.BILL_PAYMENT: "B", Reason.LIMIT_CHANGE: "C",
    Reason.TECPROTEC_CLAIM: "D", Reason.PREPAID_TO_POSTPAID: "E", Reason.COMPLAINT: "F", Reason.INFORMATION: "G",
}


class Ticket(models.Model):
    """A queue number at an outlet, unique per outlet and day ("A017")."""

    class Channel(models.TextChoices):
        KIOSK = "kiosk", _("Kiosk")
        AGENT = "agent", _("Agent")
        APP = "app", _("Customer app")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVING = "serving", _("Being served")
        DONE = "done", _("Done")
        NO_SHOW = "no_show", _("Did not come")
        TRANSFERRED = "transferred", _("Waiting for another counter")

    # No index of its own: ticket_number_per_day leads with it.
    outlet = models.ForeignKey("accounts.Outlet", verbose_name=_("outlet"), on_delete=models.PROTECT,
                               related_name="tickets", db_index=False)
    service_day = models.DateField(_("day"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("ticket number"), max_length=8)
    reason = models.CharField(_("visit reason"), max_length=20, choices=Reason.choices)
    channel = models.CharField(_("issued by"), max_length=10, choices=Channel.choices)
    msisdn = models.CharField(_("MSISDN"), max_length=16, blank=True)
    customer = models.ForeignKey("accounts.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tickets")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.WAITING)
    counter = models.ForeignKey(Counter, verbose_name=_("counter"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="tickets", help_text=_("Where it is served, or waits to be."))
    issued_at = models.DateTimeField(_("issued at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    served_at = models.DateTimeField(_("served from"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        ordering = ["-issued_at", "-id"]
        permissions = [("view_queues", _("Can see the outlets' queues"))]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "service_day", "sequence"], name="ticket_sequence_per_day"),
            models.UniqueConstraint(fields=["outlet", "service_day", "number"], name="ticket_number_per_day"),
            models.CheckConstraint(condition=Q(called_at__isnull=True) | Q(called_at__gte=models.F("issued_at")),
                                   name="ticket_called_after_issued"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(served_at__isnull=True) | Q(ended_at__gte=models.F("served_at")),
                name="ticket_ended_after_served"),
            models.CheckConstraint(condition=~Q(status="transferred") | Q(counter__isnull=False),
                                   name="ticket_transferred_has_counter"),
        ]
        indexes = [
            # call_next: the oldest waiting ticket of an outlet
            models.Index(fields=["outlet", "issued_at"], name="ticket_waiting",
                         condition=Q(status__in=["waiting", "transferred"])),
            # (outlet, service_day) lookups use the unique per-day constraints above, which lead with both.
        ]

    def __str__(self):
        return self.number

    @property
    def wait_time(self):
        """Called − issued (None until called)."""
        return self.called_at - self.issued_at if self.called_at else None

    @property
    def service_time(self):
        """Ended − served from (None until both)."""
        return self.ended_at - self.served_at if self.ended_at and self.served_at else None


class Visit(models.Model):
    """One agent serving one ticket at a counter: the interaction every action done meanwhile links to
    (`core.AuditEvent.interaction_id`). Ends with a complete wrap-up, a no-show or a transfer."""

    class Outcome(models.TextChoices):
        WRAPPED_UP = "wrapped_up", _("Wrapped up")
        NO_SHOW = "no_show", _("Did not come")
        TRANSFERRED = "transferred", _("Transferred")

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="visits")
    # No index of its own: visit_agent_time leads with it.
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="visits", db_index=False)
    counter = models.ForeignKey(Counter, verbose_name=_("counter"), on_delete=models.PROTECT, related_name="visits")
    customer = models.ForeignKey("accounts.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="visits")
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-started_at", "-id"]
        constraints = [
            # an agent serves one visit at a time; a ticket is served by one visit at a time
            models.UniqueConstraint(fields=["agent"], condition=Q(ended_at__isnull=True),
                                    name="visit_one_open_per_agent"),
            models.UniqueConstraint(fields=["ticket"], condition=Q(ended_at__isnull=True),
                                    name="visit_one_open_per_ticket"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True, outcome="")
                                   | (Q(ended_at__isnull=False) & ~Q(outcome="")),
                                   name="visit_ended_has_outcome"),
        ]
        indexes = [models.Index(fields=["agent", "-started_at"], name="visit_agent_time")]

    def __str__(self):
        return _("Visit %(ticket)s") % {"ticket": self.ticket.number if self.ticket_id else "?"}


class WrapUpItem(models.Model):
    """One thing done for the customer during the visit: why, how it ended, and what it was about."""

    class Resolution(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        REFUSED = "refused", _("Refused, reason explained")
        REFERRED = "referred", _("Referred elsewhere")
        FOLLOW_UP = "follow_up", _("Follow-up needed")
        INFORMATION = "information", _("Information given")

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="wrap_up_items")
    reason = models.CharField(_("visit reason"), max_length=20, choices=Reason.choices)
    resolution = models.CharField(_("resolution"), max_length=12, choices=Resolution.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    line = models.ForeignKey("accounts.Line", verbose_name=_("line"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    bill = models.ForeignKey("billing.Bill", verbose_name=_("bill"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    claim = models.ForeignKey("protection.Claim", verbose_name=_("claim"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    card = models.ForeignKey("prepaid.Card", verbose_name=_("prepaid card"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("wrap-up item")
        verbose_name_plural = _("wrap-up items")
        ordering = ["visit", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(line__isnull=True, bill__isnull=True, claim__isnull=True, card__isnull=True)
                           | Q(line__isnull=False, bill__isnull=True, claim__isnull=True, card__isnull=True)
                           | Q(line__isnull=True, bill__isnull=False, claim__isnull=True, card__isnull=True)
                           | Q(line__isnull=True, bill__isnull=True, claim__isnull=False, card__isnull=True)
                           | Q(line__isnull=True, bill__isnull=True, claim__isnull=True, card__isnull=False)),
                name="wrapupitem_at_most_one_subject"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.get_resolution_display()}"
