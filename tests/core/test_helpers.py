"""core helpers: money, calendar, verdicts, audit (append-only, ACC-07)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from core.audit import audit_record
from core.dates import add_months, add_working_days, local_today
from core.models import AuditEvent, Channel, Holiday
from core.money import format_rupiah
from core.verdicts import Reason, RuleViolation, Verdict
from tests.accounts.factories import LineFactory, OutletFactory

# --- money --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "text"), [
    (0, "Rp 0"), (999, "Rp 999"), (1000, "Rp 1.000"), (1234567, "Rp 1.234.567"), (-50000, "-Rp 50.000"),
    (None, ""), (10**12, "Rp 1.000.000.000.000"),
])
def test_format_rupiah(amount, text):
    assert format_rupiah(amount) == text


def test_rupiah_template_filter():
    assert Template("{% load money %}{{ a|rupiah }}").render(Context({"a": 1234567})) == "Rp 1.234.567"


# --- dates --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "months", "expected"), [
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
    (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),  # leap year
    (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
    (dt.date(2026, 1, 30), 1, dt.date(2026, 2, 28)),
    (dt.date(2026, 1, 28), 1, dt.date(2026, 2, 28)),
    (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
    (dt.date(2026, 11, 15), 2, dt.date(2027, 1, 15)),
    (dt.date(2026, 12, 31), 2, dt.date(2027, 2, 28)),
    (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
    (dt.date(2026, 1, 15), -1, dt.date(2025, 12, 15)),
    (dt.date(2026, 5, 10), 0, dt.date(2026, 5, 10)),
])
def test_add_months_is_a_calendar_month_step(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "count", "expected"), [
    (dt.date(2026, 11, 20), 1, dt.date(2026, 11, 23)),  # Friday + 1 → Monday
    (dt.date(2026, 11, 21), 1, dt.date(2026, 11, 23)),  # Saturday + 1 → Monday
    (dt.date(2026, 11, 16), 4, dt.date(2026, 11, 20)),  # Monday + 4 → Friday
    (dt.date(2026, 11, 16), 5, dt.date(2026, 11, 23)),
    (dt.date(2026, 11, 16), 0, dt.date(2026, 11, 16)),
])
def test_add_working_days_skips_weekends(start, count, expected):
    assert add_working_days(start, count) == expected


@pytest.mark.rule("TP-11")
@pytest.mark.django_db
def test_add_working_days_skips_holidays():
    # given: Christmas 2026 is a Friday
    Holiday.objects.create(date=dt.date(2026, 12, 25), name="Natal")
    Holiday.objects.create(date=dt.date(2026, 12, 28), name="Cuti bersama")
    # then (TP-11)
    assert add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 29)
    assert add_working_days(dt.date(2026, 12, 23), 1) == dt.date(2026, 12, 24)
    assert add_working_days(dt.date(2026, 12, 24), 3) == dt.date(2026, 12, 31)


def test_add_working_days_refuses_negative():
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 1, 1), -1)


def test_local_today_is_jakarta(settings):
    from django.utils import timezone

    assert local_today() == timezone.localtime(timezone.now()).date()
    assert settings.TIME_ZONE == "Asia/Jakarta"


# --- verdicts -----------------------------------------------------------------------------------------------------


def test_verdict_explains_itself():
    verdict = Verdict()
    assert verdict.allowed and verdict.codes == []
    verdict.refuse("tenure", "tenure 2 months < 3")
    verdict.details["allowed_range"] = (1, 2)
    assert not verdict.allowed and verdict.codes == ["tenure"]
    with pytest.raises(RuleViolation) as caught:
        verdict.raise_if_refused()
    assert caught.value.codes == ["tenure"] and caught.value.messages == ["tenure 2 months < 3"]


def test_allowed_verdict_does_not_raise():
    Verdict().raise_if_refused()


def test_rule_violation_single_and_list():
    single = RuleViolation.single("a", "A")
    assert single.codes == ["a"] and str(single) == "A"
    both = RuleViolation([Reason("a", "A"), Reason("b", "B")])
    assert both.codes == ["a", "b"] and str(both) == "A; B"


# --- audit (ACC-07) ---


@pytest.mark.rule("ACC-07")
@pytest.mark.django_db
def test_audit_record_fills_who_where_what_why(agent):
    # given
    line = LineFactory()
    # when
    event = audit_record(actor=agent, verb="line.blocked", subject=line, channel=Channel.GRAPARI,
                         old={"blocked": False}, new={"blocked": True, "on": dt.date(2026, 11, 22)}, reason="asked")
    # then
    event.refresh_from_db()
    assert event.actor == agent and event.actor_label == agent.username and event.outlet_id == agent.outlet_id
    assert event.line == line and event.customer_id == line.customer_id
    assert event.subject_type == "accounts.line" and event.subject_id == str(line.pk)
    assert event.new == {"blocked": True, "on": "2026-11-22"} and event.reason == "asked"


@pytest.mark.rule("ACC-07")
@pytest.mark.django_db
def test_audit_record_for_a_channel_client_and_an_explicit_outlet():
    line = LineFactory()
    outlet = OutletFactory()
    event = audit_record(actor=None, actor_label="ocs-1", verb="limit.changed", subject=line, channel=Channel.API,
                         outlet=outlet)
    assert event.actor is None and event.actor_label == "ocs-1" and event.outlet == outlet
    assert audit_record(actor=None, verb="x", subject=line).actor_label == "system"


@pytest.mark.rule("ACC-07")
@pytest.mark.postgres
@pytest.mark.django_db
def test_the_hot_path_audit_insert_writes_the_event_audit_record_writes(agent):
    # The prepaid top-up writes its event in its own statement (issue 14): the same columns, the same values.
    from django.db import connection
    from django.utils import timezone

    from core.audit import _AUDIT_COLUMNS, audit_insert_select_sql, audit_sql_params, audit_values

    line = LineFactory()
    event = {"actor": agent, "verb": "line.blocked", "subject": line, "channel": Channel.API, "reason": "asked",
             "old": {"blocked": False}, "new": {"blocked": True, "on": dt.date(2026, 11, 22)}, "actor_label": ""}
    by_orm = audit_record(**event)
    with connection.cursor() as cursor:
        insert = audit_insert_select_sql(source="(SELECT 1) AS one", columns={})
        cursor.execute(f"{insert} RETURNING id", audit_sql_params(audit_values(**event), now=timezone.now()))
        by_sql = AuditEvent.objects.get(pk=cursor.fetchone()[0])
    by_orm.refresh_from_db()
    columns = {field.attname for field in AuditEvent._meta.concrete_fields} - {"id"}
    assert set(_AUDIT_COLUMNS) == columns  # a new column must be written by both
    assert ({c: getattr(by_sql, c) for c in columns - {"created_at"}}
            == {c: getattr(by_orm, c) for c in columns - {"created_at"}})
    assert by_sql.new == {"blocked": True, "on": "2026-11-22"} and by_sql.actor_id == agent.pk


@pytest.mark.rule("ACC-07")
@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted(agent):
    # given (ACC-07)
    event = audit_record(actor=agent, verb="line.blocked", subject=LineFactory())
    # when / then
    event.verb = "line.other"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).verb == "line.blocked"


@pytest.mark.rule("ACC-07")
@pytest.mark.django_db
def test_audit_events_cannot_be_bulk_updated_or_deleted(agent):
    audit_record(actor=agent, verb="line.blocked", subject=LineFactory())
    with pytest.raises(ValidationError):
        AuditEvent.objects.update(verb="x")
    with pytest.raises(ValidationError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(verb="line.blocked").count() == 1
