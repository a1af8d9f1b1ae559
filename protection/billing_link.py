"""Posting TecProtec instalments to the postpaid bill (TP-03), through the billing app's own service.

The billing app owns bill line items (`billing.BillCharge`, unique `source_ref`); we call its service so that a
re-run of our job never charges the bill twice.
"""

from billing.services import bill_charge_add
from protection.models import Installment


def bill_item_post(installment: Installment) -> str:
    """Post one instalment as a bill charge; returns the charge's source ref."""
    enrollment = installment.enrollment
    line = enrollment.line
    bill_charge_add(
        billing_account=line.billing_account, line=line, source="tecprotec", source_ref=installment.source_ref,
        description=f"TecProtec {installment.month_index}/{enrollment.installment_count}",
        amount=installment.amount, charged_on=installment.due_on,
    )
    return installment.source_ref
