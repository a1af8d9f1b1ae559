"""Protection's panel on the supervisors' dashboard: open claims past their TP-10 return deadline."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.charts import bar_rows
from core.dashboard import DashboardPanel, register_dashboard_panel
from protection.selectors import open_claims

SHOWN = 10


def claims_overdue(request, today) -> dict:
    """TP-10: open claims whose return date has passed, the longest overdue first (the protection_claim_sla index
    serves both queries), with the count by how late they are."""
    overdue = open_claims(sla="breached", today=today)
    claims = [{"claim": claim, "days_late": (today - claim.sla_due_on).days} for claim in overdue[:SHOWN]]
    by_due = dict(overdue.order_by().values_list("sla_due_on").annotate(n=Count("id")))
    buckets = {"1-3": 0, "4-7": 0, "8+": 0}
    for due_on, n in by_due.items():
        late = (today - due_on).days
        buckets["1-3" if late <= 3 else "4-7" if late <= 7 else "8+"] += n
    labels = {"1-3": _("1–3 days late"), "4-7": _("4–7 days late"), "8+": _("8 days or more")}
    return {"claims": claims, "total": sum(by_due.values()),
            "chart": bar_rows([(labels[key], value) for key, value in buckets.items()])}


def register() -> None:
    register_dashboard_panel(DashboardPanel(
        key="claims_overdue", title=_("TecProtec claims past their return date"),
        template="protection/_dashboard_claims.html", context=claims_overdue, order=20,
        permission="protection.view_claim"))
