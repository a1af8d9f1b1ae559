"""The supervisors' dashboard (/core/dashboard/): who sees it, each panel's figures against seeded data, and a query
count that does not grow with the data."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.models import Decision, DeclineReason, Purchase, Scope
from core.dashboard import start_of_day
from core.dates import local_today
from core.models import JobRun, OutboundSms
from protection.models import Claim
from tests.accounts.factories import PostpaidLineFactory
from tests.core.factories import OutboundSmsFactory
from tests.protection.factories import enroll

pytestmark = pytest.mark.django_db


def _at(moment):
    """Rows stamped by auto_now_add at `moment` (the created_at of purchases and SMS)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _noon(days_ago: int):
    return start_of_day(local_today() - dt.timedelta(days=days_ago)) + dt.timedelta(hours=12)


def _purchases(line, days_ago: int, reason: str, count: int = 1, decision: str = Decision.DECLINED):
    with _at(_noon(days_ago)):
        for _ in range(count):
            Purchase.objects.create(
                request_id=f"r-{Purchase.objects.count()}", line=line, scope=Scope.DOMESTIC, category_code="voice",
                amount=1000, decision=decision, reason=reason if decision == Decision.DECLINED else "")


def _sms(days_ago: int, status: str, count: int = 1):
    with _at(_noon(days_ago)):
        for _ in range(count):
            OutboundSmsFactory(status=status, next_attempt_at=timezone.now())


def _overdue_claims(enrollment, due_days_ago: list[int], status=Claim.Status.PICKED_UP):
    today = local_today()
    return [Claim.objects.create(enrollment=enrollment, line=enrollment.line, imei=enrollment.imei, damage="Layar",
                                 status=status, filed_on=today - dt.timedelta(days=30), fee_amount=50_000,
                                 picked_up_on=today - dt.timedelta(days=29),
                                 sla_due_on=today - dt.timedelta(days=late)) for late in due_days_ago]


def _seed():
    line = PostpaidLineFactory()
    _purchases(line, 0, DeclineReason.LIMIT_EXCEEDED, 3)
    _purchases(line, 2, DeclineReason.UNPAID_BILL, 2)
    _purchases(line, 13, DeclineReason.LINE_BLOCKED)
    _purchases(line, 14, DeclineReason.LINE_BLOCKED, 5)  # outside the 14 days
    _purchases(line, 0, "", 4, decision=Decision.APPROVED)  # approvals are not counted
    _sms(0, OutboundSms.Status.DELIVERED, 2)
    _sms(0, OutboundSms.Status.DEAD)
    _sms(1, OutboundSms.Status.SENT)
    _sms(1, OutboundSms.Status.FAILED, 2)
    _sms(0, OutboundSms.Status.QUEUED, 3)  # not an outcome yet
    _sms(20, OutboundSms.Status.DELIVERED)  # too old
    enrollment = enroll(start=local_today() - dt.timedelta(days=60))
    _overdue_claims(enrollment, [1, 5, 9])
    _overdue_claims(enrollment, [0], status=Claim.Status.AT_REPAIR)  # due today: not past its date
    _overdue_claims(enrollment, [3], status=Claim.Status.RETURNED)  # done
    now = timezone.now()
    JobRun.objects.create(job="billing-overdue", period_key="old", started_at=now - dt.timedelta(days=1),
                          status=JobRun.Status.SUCCEEDED, finished_at=now - dt.timedelta(days=1))
    JobRun.objects.create(job="billing-overdue", period_key="new", started_at=now - dt.timedelta(hours=1),
                          status=JobRun.Status.FAILED, finished_at=now, error="connection lost")
    JobRun.objects.create(job="prepaid-lifecycle", period_key="today", started_at=now - dt.timedelta(hours=2),
                          status=JobRun.Status.STALE, finished_at=now)
    return line, enrollment


def test_agent_is_refused_and_anonymous_sent_to_log_in(agent_client, client):
    url = reverse("core:dashboard")
    assert agent_client.get(url).status_code == 403
    agent_client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_supervisor_starts_on_the_dashboard_and_an_agent_without_a_counter_on_the_search(supervisor_client, agent):
    assert supervisor_client.get(reverse("home"))["Location"] == reverse("core:dashboard")
    page = supervisor_client.get(reverse("core:dashboard"))
    assert page.status_code == 200
    keys = [item["panel"].key for item in page.context["panels"]]
    ours = ["claims_overdue", "purchases_declined", "sms", "jobs"]  # other apps may add theirs
    assert [key for key in keys if key in ours] == ours
    agent.outlet = None  # an agent at an outlet works at the counter (tests/visits/test_views.py)
    agent.save(update_fields=["outlet"])
    supervisor_client.force_login(agent)
    assert supervisor_client.get(reverse("home"))["Location"] == reverse("accounts:search")


def test_dashboard_is_linked_from_the_navbar_and_the_admin_index(supervisor_client):
    assert reverse("core:dashboard") in supervisor_client.get(reverse("core:jobs")).content.decode()
    assert 'id="admin-dashboard-link"' in supervisor_client.get(reverse("admin:index")).content.decode()


@pytest.mark.rule("TP-10")
def test_claims_panel_counts_open_claims_past_their_return_date(supervisor_client):
    _seed()
    page = supervisor_client.get(reverse("core:dashboard"))
    html = page.content.decode()
    claims = _panel(page, "claims_overdue")
    assert claims["total"] == 3
    assert [row["days_late"] for row in claims["claims"]] == [9, 5, 1]  # the longest overdue first
    assert [bar.value for bar in claims["chart"]] == [1, 1, 1]  # 1–3, 4–7, 8+ days late
    assert '<span class="fs-4 fw-semibold" id="claims-overdue-total">3</span>' in html


def test_declined_panel_counts_the_last_14_days_by_day_and_reason(supervisor_client):
    _seed()
    declined = _panel(supervisor_client.get(reverse("core:dashboard")), "purchases_declined")
    assert declined["total"] == 6
    per_day = [bar.value for bar in declined["per_day"]]
    assert len(per_day) == 14 and per_day[-1] == 3 and per_day[-3] == 2 and per_day[0] == 1 and sum(per_day) == 6
    assert [(str(bar.label), bar.value) for bar in declined["per_reason"]] == [
        (str(DeclineReason.LIMIT_EXCEEDED.label), 3), (str(DeclineReason.UNPAID_BILL.label), 2),
        (str(DeclineReason.LINE_BLOCKED.label), 1)]


def test_sms_panel_counts_outcomes_per_day(supervisor_client):
    _seed()
    sms = _panel(supervisor_client.get(reverse("core:dashboard")), "sms")
    today, yesterday = sms["rows"][-1], sms["rows"][-2]
    # columns: sent, delivered, failed, dead
    assert today["counts"] == [0, 2, 0, 1] and yesterday["counts"] == [1, 0, 2, 0]
    assert sum(row["total"] for row in sms["rows"]) == 6
    assert [bar.value for bar in sms["outcome_chart"]] == [1, 2, 2, 1]


def test_jobs_panel_shows_each_jobs_last_run_and_the_stale_and_failed_ones(supervisor_client):
    _seed()
    page = supervisor_client.get(reverse("core:dashboard"))
    jobs = _panel(page, "jobs")
    assert [(run.job, run.period_key) for run in jobs["last_runs"]] == [
        ("billing-overdue", "new"), ("prepaid-lifecycle", "today")]
    assert (jobs["failed"], jobs["stale"]) == (1, 1)
    assert {run.status for run in jobs["attention"]} == {JobRun.Status.FAILED, JobRun.Status.STALE}
    assert "connection lost" in page.content.decode()


def test_dashboard_query_count_does_not_grow_with_the_data(supervisor_client):
    supervisor_client.get(reverse("core:dashboard"))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        supervisor_client.get(reverse("core:dashboard"))
    line, enrollment = _seed()
    _purchases(line, 5, DeclineReason.SYSTEM_HOLD, 20)
    _sms(3, OutboundSms.Status.DELIVERED, 20)
    _overdue_claims(enrollment, list(range(1, 15)))
    for n in range(15):
        JobRun.objects.create(job=f"job-{n}", period_key="p", started_at=timezone.now(),
                              status=JobRun.Status.FAILED, finished_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        supervisor_client.get(reverse("core:dashboard"))
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def _panel(response, key: str) -> dict:
    """The context a panel was rendered with (each panel renders its own template)."""
    contexts = [ctx for ctx in response.context if ctx.get("panel") is not None and ctx["panel"].key == key]
    assert contexts, key
    return contexts[0].flatten()
