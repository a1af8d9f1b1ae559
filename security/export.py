"""Everything held about one customer, as one JSON document (UU 27/2022 PDP: the data subject's right of access).

EXPORTED lists every model that points at a Customer or a Line through a chain of foreign keys, with the lookups
that find one customer's rows. tests/security/test_export.py walks the models and fails when a new one is missing.
"""

import json

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

# model label: lookups from that model to the customer (OR-ed: a transfer concerns both customers).
EXPORTED: dict[str, tuple[str, ...]] = {
    "accounts.Customer": ("pk",),
    "accounts.BillingAccount": ("customer",),
    "accounts.Line": ("customer",),
    "accounts.Block": ("line__customer",),
    "accounts.IdentityCheck": ("customer",),
    "accounts.SimChange": ("line__customer",),
    "accounts.TransferApproval": ("line__customer", "from_customer", "to_customer"),
    "accounts.MarketingConsent": ("customer",),
    "billing.LinePackage": ("line__customer",),
    "billing.SpendingLimit": ("line__customer",),
    "billing.SpendingCycle": ("line__customer",),
    "billing.Purchase": ("line__customer",),
    "billing.UsageRecord": ("line__customer",),
    "billing.LimitChange": ("line__customer",),
    "billing.BillingProfile": ("billing_account__customer",),
    "billing.Bill": ("billing_account__customer",),
    "billing.BillCharge": ("billing_account__customer",),
    "billing.Payment": ("billing_account__customer",),
    "billing.Objection": ("bill__billing_account__customer",),
    "billing.CreditNote": ("billing_account__customer",),
    "billing.EarlySettlementDemand": ("billing_account__customer",),
    "protection.LineDevice": ("line__customer",),
    "protection.Enrollment": ("line__customer",),
    "protection.Installment": ("enrollment__line__customer",),
    "protection.Claim": ("line__customer",),
    "protection.Reimbursement": ("claim__line__customer",),
    "prepaid.Card": ("line__customer",),
    "prepaid.LedgerEntry": ("card__line__customer",),
    "prepaid.PackagePurchase": ("card__line__customer",),
    "prepaid.SimReplacement": ("card__line__customer",),
    "prepaid.PrimeSubscription": ("card__line__customer",),
    "prepaid.AppPass": ("card__line__customer",),
    "prepaid.VoucherWin": ("subscription__card__line__customer",),
    "prepaid.SmsUsageRecord": ("card__line__customer",),
    "prepaid.SmsHourCounter": ("card__line__customer",),
    "visits.Ticket": ("customer",),
    "visits.Visit": ("customer",),
    "visits.WrapUpItem": ("visit__customer", "line__customer"),
    "core.OutboundSms": ("line__customer",),
    "core.DeliveryReport": ("sms__line__customer",),
    "core.AuditEvent": ("customer",),
    "security.AccessLog": ("customer",),
    "security.DataExport": ("customer",),
    "security.Anonymisation": ("customer",),
}


def customer_rows(customer, label: str):
    model = apps.get_model(label)
    condition = Q()
    for lookup in EXPORTED[label]:
        condition |= Q(**{lookup: customer.pk})
    return model.objects.filter(condition).order_by("pk").distinct()


def customer_export_document(customer) -> tuple[dict, int]:
    """The export as a dict (one list of rows per table) and the number of rows in it."""
    tables, count = {}, 0
    for label in EXPORTED:
        rows = [{"id": row["pk"], **row["fields"]}
                for row in serializers.serialize("python", customer_rows(customer, label))]
        tables[label] = rows
        count += len(rows)
    document = {"customer_id": customer.pk, "exported_at": timezone.now().isoformat(), "tables": tables}
    return document, count


def export_json(document: dict) -> bytes:
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()
