"""Billing's panel on the supervisors' dashboard: purchases declined per day for the last 14 days, by reason
(LIM-02, LIM-05: one reason per declined purchase)."""

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from billing.models import Decision, DeclineReason, Purchase
from core.charts import bar_rows
from core.dashboard import DashboardPanel, last_days, register_dashboard_panel, start_of_day

DAYS = 14


def purchases_declined(request, today) -> dict:
    """One grouped query on the partial index purchase_declined_time, however many purchases there are."""
    days = last_days(today, DAYS)
    counts = (Purchase.objects.filter(decision=Decision.DECLINED, created_at__gte=start_of_day(days[0]))
              .annotate(day=TruncDate("created_at")).values("day", "reason").annotate(n=Count("id")).order_by())
    per_day = dict.fromkeys(days, 0)
    per_reason: dict[str, int] = {}
    for row in counts:
        if row["day"] in per_day:
            per_day[row["day"]] += row["n"]
            per_reason[row["reason"]] = per_reason.get(row["reason"], 0) + row["n"]
    reasons = sorted(per_reason.items(), key=lambda item: (-item[1], item[0]))
    return {
        "total": sum(per_day.values()),
        "per_day": bar_rows([(day.strftime("%d-%m"), per_day[day]) for day in days]),
        "per_reason": bar_rows([(DeclineReason(reason).label, n) for reason, n in reasons]),
    }


def register() -> None:
    register_dashboard_panel(DashboardPanel(
        key="purchases_declined", title=_("Declined purchases, last 14 days"),
        template="billing/_dashboard_declined.html", context=purchases_declined, order=30,
        permission="billing.view_purchase"))
