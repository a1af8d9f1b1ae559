"""The billing part of the line page's customer 360 header (core.header): amount due with its due date, the
domestic and international limit usage as gauges (LIM-01, LIM-04) and open bill objections (BIL-03).

A fixed number of small indexed queries whatever the account's history: an aggregate of the open bills
(`bill_account_status`), the first open bill, a count of the open objections; the line's two limit rows (and the
warning threshold parameter)."""

import datetime as dt

from django.db.models import Count, F, Min, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.models import Bill, Objection, Scope, SpendingLimit
from core.header import Attention, HeaderFact, register_header_fact
from core.money import format_rupiah
from core.parameters import parameter


def _gauge(limit: SpendingLimit, warn: int) -> dict:
    percent = limit.percent
    return {"scope": limit.get_scope_display(), "key": limit.scope, "limit": limit, "percent": percent,
            "width": min(percent, 100),
            "level": "danger" if percent >= 100 else "warning" if percent >= warn else "success"}


def billing_fact(line, today: dt.date) -> HeaderFact | None:
    if line.kind != "postpaid" or line.billing_account_id is None:
        return None
    account_id = line.billing_account_id
    open_bills = Bill.objects.filter(billing_account_id=account_id, status=Bill.Status.OPEN)
    overdue = Q(due_date__lt=today)
    totals = open_bills.aggregate(
        due=Sum(F("total") - F("paid")), next_due=Min("due_date"), count=Count("pk"),
        overdue=Sum(F("total") - F("paid"), filter=overdue), overdue_since=Min("due_date", filter=overdue))
    first_bill = open_bills.order_by("due_date", "pk").only("pk", "due_date", "total", "paid").first()
    objections = Objection.objects.filter(bill__billing_account_id=account_id, status=Objection.Status.OPEN).count()

    bills_tab = reverse("accounts:line_detail", args=[line.pk]) + "?tab=bills"
    items = []
    if totals["overdue"]:
        items.append(Attention(
            text=_("Bill of %(amount)s was due on %(date)s and is unpaid.") % {
                "amount": format_rupiah(totals["overdue"]), "date": totals["overdue_since"].strftime("%d-%m-%Y")},
            level="danger", action=_("Record a payment"),
            url=reverse("billing:payment_record", args=[first_bill.pk]) if first_bill else bills_tab))
    elif totals["due"]:
        items.append(Attention(
            text=_("Bill of %(amount)s due on %(date)s.") % {
                "amount": format_rupiah(totals["due"]), "date": totals["next_due"].strftime("%d-%m-%Y")},
            level="info", action=_("Record a payment"),
            url=reverse("billing:payment_record", args=[first_bill.pk]) if first_bill else bills_tab))
    if objections:
        items.append(Attention(
            text=_("Open bill objections: %(count)d.") % {"count": objections},
            level="info", action=_("See the bills"), url=bills_tab))
    return HeaderFact(key="billing", template="billing/header.html", attention=items, context={
        "due": totals["due"] or 0, "next_due": totals["next_due"], "overdue": totals["overdue"] or 0,
        "open_bills": totals["count"], "objections": objections, "bills_tab": bills_tab,
    })


def limits_fact(line, today: dt.date) -> HeaderFact | None:
    """The domestic and international usage against the limits as small gauges (LIM-01, LIM-04): one query."""
    if line.kind != "postpaid":
        return None
    limits = {limit.scope: limit for limit in SpendingLimit.objects.filter(line_id=line.pk)}
    if not limits:
        return None
    warn = parameter("limit_warn_percent")
    gauges = [_gauge(limits[scope], warn) for scope in Scope.values if scope in limits]
    items = []
    for gauge in gauges:
        if gauge["level"] != "success":
            limit = gauge["limit"]
            items.append(Attention(
                text=_("%(scope)s usage is at %(percent)d %% of the limit (%(used)s of %(limit)s).") % {
                    "scope": gauge["scope"], "percent": gauge["percent"], "used": format_rupiah(limit.counted),
                    "limit": format_rupiah(limit.amount)},
                level=gauge["level"], action=_("Change the spending limit"),
                url=reverse("billing:limit_change", args=[line.pk])))
    return HeaderFact(key="limits", template="billing/header_limits.html", attention=items,
                      context={"gauges": gauges})


def register() -> None:
    register_header_fact("billing", billing_fact, order=10)
    register_header_fact("limits", limits_fact, order=11)
