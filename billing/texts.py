"""How billing's things read where a person reads them: a bill by its month ("Bill November 2026"), not by an
internal reference; the refusals' next steps."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.verdicts import NextStep


def bill_label(bill) -> str:
    """A bill as the customer knows it: the month its period ends in (the statement SMS names the same month)."""
    return _("Bill %(month)s") % {"month": date_format(bill.period_end, "F Y")}


def pay_bill_step(bill) -> NextStep:
    return NextStep(_("Record the payment"), url_name="billing:payment_record", args=(bill.pk,))
