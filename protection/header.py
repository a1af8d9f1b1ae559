"""The TecProtec part of the line page's customer 360 header (core.header): the enrollment's state, the last
covered day and the days of cover left (TP-04), and the open claims with their return deadline (TP-10).

Two indexed queries: the line's enrollments (`protection_enr_line`, active first) and an aggregate of its open
claims (`protection_claim_line`)."""

import datetime as dt

from django.db.models import Case, Count, IntegerField, Min, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from core.header import Attention, HeaderFact, register_header_fact
from protection.models import OPEN_CLAIM_STATUSES, Claim, Enrollment

COVER_ENDING_DAYS = 14  # cover ending this soon is listed on the Overview tab


def cover_days_left(enrollment: Enrollment, today: dt.date) -> int:
    """TP-04: the days still covered, today and the last covered day included (0 once it has passed)."""
    return max((enrollment.last_covered_day - today).days + 1, 0)


def protection_fact(line, today: dt.date) -> HeaderFact | None:
    if line.kind != "postpaid":
        return None
    active_first = Case(When(status=Enrollment.Status.ACTIVE, then=Value(0)), default=Value(1),
                        output_field=IntegerField())
    enrollment = (Enrollment.objects.filter(line_id=line.pk)
                  .order_by(active_first, "-start_date", "-id")
                  .only("pk", "status", "start_date", "end_date", "claims_from", "terminated_on", "expired_on")
                  .first())
    claims = Claim.objects.filter(line_id=line.pk, status__in=OPEN_CLAIM_STATUSES).aggregate(
        count=Count("pk"), first_due=Min("sla_due_on"))
    if enrollment is None and not claims["count"]:
        return None
    active = enrollment is not None and enrollment.status == Enrollment.Status.ACTIVE
    days_left = cover_days_left(enrollment, today) if active else None
    tab = reverse("accounts:line_detail", args=[line.pk]) + "?tab=protection"
    items = []
    if active and days_left is not None and days_left <= COVER_ENDING_DAYS:
        items.append(Attention(
            text=_("TecProtec cover ends: the last covered day is %(date)s.") % {
                "date": enrollment.last_covered_day.strftime("%d-%m-%Y")},
            level="warning", action=_("See TecProtec"), url=tab))
    if claims["count"]:
        due = claims["first_due"]
        late = due is not None and due < today
        if due is not None:
            text = _("Open TecProtec claims: %(count)d; the phone is due back by %(date)s.") % {
                "count": claims["count"], "date": due.strftime("%d-%m-%Y")}
        else:
            text = _("Open TecProtec claims: %(count)d.") % {"count": claims["count"]}
        items.append(Attention(text=text, level="danger" if late else "info", action=_("See the claims"), url=tab))
    return HeaderFact(key="protection", template="protection/header.html", attention=items, context={
        "enrollment": enrollment, "active": active, "days_left": days_left,
        "open_claims": claims["count"], "claims_due": claims["first_due"], "tab": tab,
    })


def register() -> None:
    register_header_fact("protection", protection_fact, order=30)
