"""Reads for the billing pages, the API and the services' checks."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum

from accounts.models import BillingAccount, Line
from billing.models import (
    BasicPackage,
    Bill,
    Decision,
    LimitChange,
    Payment,
    Purchase,
    Scope,
    SpendingLimit,
    SuggestedLimit,
)
from core.identifiers import normalize_msisdn
from core.models import OutboundSms


def suggested_limit(*, tariff: int, payment_method: str) -> int:
    """LIM-06: the row for the package tariff; a tariff between rows takes the next higher row (Decision), above
    the last row the last row. Credit-card autodebit payers get the card column, everyone else the cash one."""
    row = SuggestedLimit.objects.filter(max_tariff__gte=tariff).order_by("max_tariff").first()
    if row is None:
        row = SuggestedLimit.objects.order_by("-max_tariff").first()
    if row is None:
        return 0
    card = payment_method == BillingAccount.PaymentMethod.CREDIT_CARD
    return row.card_limit if card else row.cash_limit


def line_package(line: Line) -> BasicPackage | None:
    return BasicPackage.objects.filter(lines__line=line).first()


def line_limits(line: Line) -> dict[str, SpendingLimit]:
    return {limit.scope: limit for limit in SpendingLimit.objects.filter(line=line)}


def line_spending(line: Line) -> dict:
    """The API/USSD view of a line's limits: {"domestic": {...}, "international": {...}, cycle dates}."""
    limits = line_limits(line)
    body = {}
    cycle_start = cycle_end = None
    for scope in Scope.values:
        limit = limits.get(scope)
        if limit is None:
            body[scope] = {"limit": 0, "usage": 0, "percent": 0}
            continue
        body[scope] = {"limit": limit.amount, "usage": limit.counted, "percent": limit.percent}
        cycle_start, cycle_end = limit.cycle_start, limit.cycle_end
    body["cycle_start"] = cycle_start
    body["cycle_end"] = cycle_end
    return body


def cycle_purchases(line: Line, cycle_start: dt.date | None, limit: int = 100) -> QuerySet:
    return Purchase.objects.filter(line=line, cycle_start=cycle_start).select_related("category").order_by(
        "-created_at", "-id")[:limit]


def limit_history(line: Line, limit: int = 50) -> QuerySet:
    return LimitChange.objects.filter(line=line).select_related("actor").order_by("-created_at", "-id")[:limit]


def account_bills(account: BillingAccount, limit: int = 24) -> QuerySet:
    return Bill.objects.filter(billing_account=account).order_by("-period_start")[:limit]


def account_payments(account: BillingAccount, limit: int = 50) -> QuerySet:
    return (Payment.objects.filter(billing_account=account).select_related("bill", "line", "recorded_by")
            .order_by("-paid_on", "-id")[:limit])


def account_has_outstanding_bill(account_id: int) -> bool:
    """LIM-07: an issued bill that is not paid in full."""
    return Bill.objects.filter(billing_account_id=account_id, status=Bill.Status.OPEN).exists()


def account_oldest_open_bill(account_id: int) -> Bill | None:
    """LIM-07: the unpaid bill to read out (the one due first), or None."""
    bills = Bill.objects.filter(billing_account_id=account_id, status=Bill.Status.OPEN)
    return bills.order_by("due_date", "pk").first()


def account_overdue_bills(account_id: int, today: dt.date) -> QuerySet:
    """LIM-05, BIL-05: bills unpaid past their due date."""
    return Bill.objects.filter(billing_account_id=account_id, status=Bill.Status.OPEN, due_date__lt=today)


def account_paid_late(account_id: int, cycles: int, today: dt.date) -> list[Bill]:
    """LIM-07 regular-customer policy: the bills among the last `cycles` that were (or are) paid after their due."""
    recent = list(Bill.objects.filter(billing_account_id=account_id).order_by("-period_start")[:cycles])
    return [bill for bill in recent
            if (bill.paid_on is not None and bill.paid_on > bill.due_date)
            or (bill.paid_on is None and bill.due_date < today)]


def current_cycle_usage(account_ids: list[int]) -> dict[int, int]:
    """Counted usage of each account's lines in their current cycles (BIL-04)."""
    rows = (SpendingLimit.objects.filter(line__billing_account_id__in=account_ids)
            .values("line__billing_account_id").annotate(total=Sum("used") - Sum("settled")))
    return {row["line__billing_account_id"]: row["total"] or 0 for row in rows}


def approved_purchases_total(line: Line, cycle_start: dt.date) -> int:
    return (Purchase.objects.filter(line=line, cycle_start=cycle_start, decision=Decision.APPROVED, counted=True)
            .aggregate(total=Sum("amount"))["total"] or 0)


def bills_with_open_objections() -> QuerySet:
    return Bill.objects.filter(Q(objections__status="open")).distinct()


@dataclass(frozen=True)
class Recipient:
    msisdn: str
    line: Line | None
    language: str


def statement_recipient(account_id: int) -> Recipient | None:
    """BIL-09: who receives a bill's SMS: the account's first active line; once none is active (a final bill), the
    customer's contact number if it is a mobile number; else nobody."""
    line = (Line.objects.select_related("customer").filter(billing_account_id=account_id, status=Line.Status.ACTIVE)
            .order_by("pk").first())
    if line is not None:
        return Recipient(line.msisdn, line, line.customer.language)
    account = BillingAccount.objects.select_related("customer").filter(pk=account_id).first()
    if account is None or not account.customer.contact_phone:
        return None
    try:
        msisdn = normalize_msisdn(account.customer.contact_phone)
    except ValidationError:
        return None
    return Recipient(msisdn, None, account.customer.language)


def bill_lines(bill: Bill) -> list:
    """The charges of a bill in order, for the agent's bill view and the API (BIL-10, BIL-11)."""
    return list(bill.charges.select_related("line").order_by("charged_on", "id"))


def statement_dedup_key(bill: Bill) -> str:
    """BIL-09: once per bill, so a re-run of the bill job never sends it twice."""
    return f"bill-statement:{bill.pk}"


def statement_resend_prefix(bill: Bill) -> str:
    return f"bill-statement:{bill.pk}:resend:"


def statement_messages(bill: Bill) -> list[OutboundSms]:
    """The statement SMS of a bill, the first and every resend, newest first."""
    return list(OutboundSms.objects.filter(Q(dedup_key=statement_dedup_key(bill))
                                           | Q(dedup_key__startswith=statement_resend_prefix(bill)))
                .order_by("-created_at", "-id"))
