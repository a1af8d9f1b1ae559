"""Core's panels on the supervisors' dashboard: SMS outcomes per day (the outbox) and the jobs (issue #15: the last
run of each job, stale and failed runs). Registered in CoreConfig.ready()."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from core.charts import bar_rows
from core.dashboard import DashboardPanel, last_days, register_dashboard_panel, start_of_day
from core.models import JobRun, OutboundSms

SMS_DAYS = 14
SMS_OUTCOMES = (OutboundSms.Status.SENT, OutboundSms.Status.DELIVERED, OutboundSms.Status.FAILED,
                OutboundSms.Status.DEAD)
JOB_ATTENTION_DAYS = 7


def sms_outcomes(request, today) -> dict:
    """Messages created on each of the last 14 days by where they are now: one grouped query on the
    sms_created index."""
    days = last_days(today, SMS_DAYS)
    counts = (OutboundSms.objects.filter(created_at__gte=start_of_day(days[0]), status__in=SMS_OUTCOMES)
              .annotate(day=TruncDate("created_at")).values("day", "status").annotate(n=Count("id"))
              .order_by())
    by_day = {day: dict.fromkeys(SMS_OUTCOMES, 0) for day in days}
    for row in counts:
        if row["day"] in by_day:
            by_day[row["day"]][row["status"]] = row["n"]
    rows = [{"day": day, "counts": [by_day[day][status] for status in SMS_OUTCOMES],
             "total": sum(by_day[day].values())} for day in days]
    totals = {status: sum(by_day[day][status] for day in days) for status in SMS_OUTCOMES}
    return {
        "outcomes": [OutboundSms.Status(status).label for status in SMS_OUTCOMES],
        "rows": rows,
        "chart": bar_rows([(day.strftime("%d-%m"), row["total"]) for day, row in zip(days, rows, strict=True)]),
        "outcome_chart": bar_rows([(OutboundSms.Status(status).label, totals[status]) for status in SMS_OUTCOMES]),
    }


def jobs_overview(request, today) -> dict:
    """The last run of each job (one query on the jobrun_job_time index) and the stale and failed runs of the last
    7 days, newest first (#15: a supervisor sees them without opening the Jobs page)."""
    import datetime as dt

    from django.utils import timezone

    latest = JobRun.objects.filter(job=OuterRef("job")).order_by("-started_at", "-id").values("id")[:1]
    last_runs = list(JobRun.objects.filter(id=Subquery(latest)).order_by("job"))
    since = timezone.now() - dt.timedelta(days=JOB_ATTENTION_DAYS)
    attention = list(JobRun.objects.filter(started_at__gte=since,
                                           status__in=(JobRun.Status.STALE, JobRun.Status.FAILED))
                     .order_by("-started_at", "-id")[:10])
    counts = JobRun.objects.filter(started_at__gte=since).aggregate(
        failed=Count("id", filter=Q(status=JobRun.Status.FAILED)),
        stale=Count("id", filter=Q(status=JobRun.Status.STALE)))
    return {"last_runs": last_runs, "attention": attention, "failed": counts["failed"], "stale": counts["stale"],
            "days": JOB_ATTENTION_DAYS}


def register() -> None:
    register_dashboard_panel(DashboardPanel(key="sms", title=_("SMS per day"), template="core/_dashboard_sms.html",
                                            context=sms_outcomes, order=40, permission="core.view_outboundsms"))
    register_dashboard_panel(DashboardPanel(key="jobs", title=_("Jobs"), template="core/_dashboard_jobs.html",
                                            context=jobs_overview, order=50, permission="core.view_jobrun"))
