"""Every write of the billing app. Split by subject; import from here."""

from billing.services.bills import (
    bill_charge_add,
    bills_issue_chunk,
    bills_overdue_chunk,
    early_settlement_enforce_chunk,
    early_settlement_scan,
    goodwill_credit_grant,
    objection_file,
    objection_resolve,
    payment_current_usage,
    payment_record,
)
from billing.services.limits import (
    LIMIT_CHANGE_CHANNELS,
    cycles_close_chunk,
    spending_limit_change,
    spending_limit_open,
    spending_limit_override,
    usage_record,
)
from billing.services.purchases import purchase_authorize
from billing.services.statements import bill_statement_resend, bill_statement_send
from billing.services.usage_batch import usage_records_batch

__all__ = [
    "LIMIT_CHANGE_CHANNELS", "bill_charge_add", "bill_statement_resend", "bill_statement_send",
    "bills_issue_chunk", "bills_overdue_chunk", "cycles_close_chunk",
    "early_settlement_enforce_chunk", "early_settlement_scan", "goodwill_credit_grant", "objection_file",
    "objection_resolve", "payment_current_usage", "payment_record", "purchase_authorize", "spending_limit_change",
    "spending_limit_open", "spending_limit_override", "usage_record", "usage_records_batch",
]
