"""BIL-09: the bill statement SMS (amount, due date, how to pay), in the customer's language, through the outbox."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from billing.models import Bill
from billing.selectors import Recipient, statement_dedup_key, statement_recipient, statement_resend_prefix
from core.audit import audit_record
from core.models import Channel, OutboundSms
from core.money import format_rupiah
from core.outbox import sms_enqueue
from core.verdicts import require

TEMPLATE = "billing_bill_statement"


def _context(bill: Bill) -> dict:
    return {
        "brand": settings.CUSTOMER_POSTPAID_BRAND, "outlet": settings.CUSTOMER_OUTLET_NAME,
        "call_centre": settings.CUSTOMER_POSTPAID_CALL_CENTRE, "account": bill.billing_account.number,
        "period": f"{bill.period_start:%d-%m-%Y} – {bill.period_end:%d-%m-%Y}",
        "amount": format_rupiah(bill.total), "ppn": format_rupiah(bill.ppn),
        "due_date": bill.due_date.strftime("%d-%m-%Y"),
    }


def _enqueue(bill: Bill, recipient: Recipient, dedup_key: str) -> OutboundSms:
    return sms_enqueue(msisdn=recipient.msisdn, line=recipient.line, template_code=TEMPLATE, context=_context(bill),
                       dedup_key=dedup_key, language=recipient.language)


def bill_statement_send(*, bill: Bill) -> OutboundSms | None:
    """Called by the bill-issuing code in its transaction (so every bill, the final one too, gets it). None when the
    account has no number to write to (every line terminated and no contact number)."""
    recipient = statement_recipient(bill.billing_account_id)
    if recipient is None:
        return None
    return _enqueue(bill, recipient, statement_dedup_key(bill))


def bill_statement_resend(*, bill: Bill, actor, reason: str, channel: str = Channel.GRAPARI) -> OutboundSms:
    """The customer says the statement did not arrive: a new outbox row with its own key, audited with the reason.
    Not receiving the bill does not excuse payment (BIL-01): the due date stays."""
    reason = (reason or "").strip()
    require(bool(reason), "reason_required", _("Give the reason for sending the statement again."))
    with transaction.atomic():
        bill = Bill.objects.select_for_update(of=("self",)).select_related("billing_account").get(pk=bill.pk)
        recipient = statement_recipient(bill.billing_account_id)
        require(recipient is not None, "no_recipient",
                 _("No active line or contact number of this account can receive the SMS."))
        # The bill row is locked: two agents resending at once get two numbers, not one key twice.
        count = OutboundSms.objects.filter(dedup_key__startswith=statement_resend_prefix(bill)).count()
        sms = _enqueue(bill, recipient, f"{statement_resend_prefix(bill)}{count + 1}")
        audit_record(actor=actor, channel=channel, verb="bill.statement_resent", subject=recipient.line or bill,
                     new={"bill": bill.pk, "period": bill.period_start, "sms": sms.pk, "to": recipient.msisdn},
                     reason=reason)
    return sms

