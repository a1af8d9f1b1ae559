"""KartuHalo postpaid: catalogue, spending limits (LIM-01..11), purchases, usage, bills and payments (BIL-01..08).
Split by subject; every model is imported here (Django finds them here, and so does every importer)."""

from billing.models.bills import TAXABLE_SOURCES, Bill, BillCharge, BillingProfile, Payment
from billing.models.catalogue import BasicPackage, Scope, ServiceCategory, SuggestedLimit
from billing.models.corrections import CreditNote, EarlySettlementDemand, Objection
from billing.models.limits import LimitChange, LinePackage, SpendingCycle, SpendingLimit
from billing.models.purchases import Decision, DeclineReason, Purchase, PurchaseKey
from billing.models.usage import UsageRecord, UsageRecordKey

__all__ = [
    "TAXABLE_SOURCES", "BasicPackage", "Bill", "BillCharge", "BillingProfile", "CreditNote", "Decision",
    "DeclineReason", "EarlySettlementDemand", "LimitChange", "LinePackage", "Objection", "Payment", "Purchase",
    "PurchaseKey",
    "Scope", "ServiceCategory", "SpendingCycle", "SpendingLimit", "SuggestedLimit", "UsageRecord", "UsageRecordKey",
]
