"""The audit verbs the counter writes, for the timelines (registered in VisitsConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from core.audit import as_choice, as_text, verb_register
from visits.models import Reason, Ticket


def _minutes(seconds) -> str:
    return _("%(minutes)s min") % {"minutes": round(int(seconds) / 60)}


def register() -> None:
    number = (_("ticket number"), as_text)
    counter = (_("counter"), as_text)
    verb_register("visit.ticket_issued", _("Queue ticket issued"), fields={
        "number": number, "reason": (_("visit reason"), as_choice(Reason)),
        "channel": (_("issued by"), as_choice(Ticket.Channel))})
    verb_register("visit.counter_taken", _("Counter taken"), fields={"counter": counter})
    verb_register("visit.called", _("Ticket called to the counter"), fields={
        "number": number, "counter": counter, "wait_seconds": (_("waited"), _minutes)})
    verb_register("visit.customer_identified", _("Customer identified at the counter"), fields={
        "customer": (_("customer"), None)})  # ids: the timeline is the customer's own
    verb_register("visit.serving", _("Service started at the counter"))
    verb_register("visit.no_show", _("Called customer did not come"), fields={"number": number})
    verb_register("visit.transferred", _("Ticket transferred to another counter"), fields={"counter": counter})
    verb_register("visit.wrapped_up", _("Visit wrapped up"), fields={
        "number": number, "items": (_("items"), as_text),
        "reasons": (_("visit reasons"), lambda codes: ", ".join(str(Reason(code).label) for code in codes)),
        "service_seconds": (_("service time"), _minutes)})
