"""Every write of TecProtec: devices, enrollments, instalments, claims, reimbursements (TP-01..TP-12).
Split by subject; import from here."""

from protection.services.claims import (
    TransitionNotAllowed,
    claim_advance,
    claim_file,
    claims_flag_sla_chunk,
    customer_in_jabodetabek,
    reimbursements_flag_overdue_chunk,
)
from protection.services.common import RECEIPT_TYPES, receipt_validate
from protection.services.devices import line_device_set
from protection.services.enrollment import enrollment_terminate, enrollments_expire_chunk, protection_enroll
from protection.services.installments import installments_charge_chunk

__all__ = [
    "RECEIPT_TYPES", "TransitionNotAllowed", "claim_advance", "claim_file", "claims_flag_sla_chunk",
    "customer_in_jabodetabek", "enrollment_terminate", "enrollments_expire_chunk", "installments_charge_chunk",
    "line_device_set", "protection_enroll", "receipt_validate", "reimbursements_flag_overdue_chunk",
]
