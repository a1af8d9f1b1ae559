"""Supervisors' admin for core: every model registered, audit read-only, SMS retry, template checks, API keys."""

import pytest
from django.contrib import admin

from core.api.keys import key_hash
from core.audit import audit_record
from core.models import (
    ApiRequest,
    AuditEvent,
    ChannelApiKey,
    ChannelClient,
    DeliveryReport,
    Holiday,
    JobRun,
    OutboundSms,
    Parameter,
    SmsTemplate,
)
from tests.accounts.factories import LineFactory
from tests.core.factories import OutboundSmsFactory, SmsTemplateFactory, make_client

pytestmark = pytest.mark.django_db

MODELS = [AuditEvent, Holiday, Parameter, JobRun, OutboundSms, SmsTemplate, ChannelClient, ApiRequest, DeliveryReport]


def url(model, view="changelist", *args):
    from django.urls import reverse

    return reverse(f"admin:core_{model._meta.model_name}_{view}", args=args)


def test_every_core_model_is_registered():
    for model in MODELS:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", MODELS)
def test_changelists_for_anonymous_agent_and_supervisor(agent, supervisor, model):
    from django.test import Client

    anonymous, as_agent, as_supervisor = Client(), Client(), Client()
    as_agent.force_login(agent)
    as_supervisor.force_login(supervisor)
    assert anonymous.get(url(model)).status_code == 302
    assert as_agent.get(url(model)).status_code == 302  # agents are not staff: sent to the admin login
    assert as_supervisor.get(url(model)).status_code == 200


@pytest.mark.rule("ACC-07")
def test_audit_events_are_read_only_even_for_supervisors(supervisor_client, supervisor):
    # given (ACC-07)
    line = LineFactory()
    event = audit_record(actor=supervisor, verb="line.blocked", subject=line, reason="asked")
    # when
    add = supervisor_client.get(url(AuditEvent, "add"))
    change = supervisor_client.post(url(AuditEvent, "change", event.pk), {"verb": "line.other"})
    delete = supervisor_client.post(url(AuditEvent, "delete", event.pk), {"post": "yes"})
    # then
    assert add.status_code == 403 and delete.status_code == 403
    assert change.status_code == 403
    event.refresh_from_db()
    assert event.verb == "line.blocked"


def test_audit_changelist_filters_and_search(supervisor_client, supervisor):
    # given
    line = LineFactory()
    audit_record(actor=supervisor, verb="line.blocked", subject=line, channel="grapari")
    audit_record(actor=None, actor_label="ocs", verb="limit.changed", subject=line, channel="api")
    # when
    by_area = supervisor_client.get(url(AuditEvent) + "?area=limits")
    by_accounts_area = supervisor_client.get(url(AuditEvent) + "?area=accounts")
    by_channel = supervisor_client.get(url(AuditEvent) + "?channel=grapari")
    search = supervisor_client.get(url(AuditEvent) + "?q=ocs")
    dated = supervisor_client.get(url(AuditEvent) + "?created_at__gte=2000-01-01")
    # then
    assert [e.verb for e in by_area.context["cl"].result_list] == ["limit.changed"]
    assert [e.verb for e in by_accounts_area.context["cl"].result_list] == ["line.blocked"]
    assert [e.verb for e in by_channel.context["cl"].result_list] == ["line.blocked"]
    assert [e.verb for e in search.context["cl"].result_list] == ["limit.changed"]
    assert dated.context["cl"].result_count == 2
    assert by_area.context["cl"].show_full_result_count is False


def test_audit_changelist_query_count_is_constant(supervisor_client, supervisor, django_assert_max_num_queries):
    line = LineFactory()
    for n in range(30):
        audit_record(actor=supervisor, verb=f"v{n}", subject=line)
    with django_assert_max_num_queries(12):
        supervisor_client.get(url(AuditEvent))


@pytest.mark.rule("ACC-04", "ACC-07")
def test_parameter_is_editable(supervisor_client):
    # given
    parameter = Parameter.objects.get(code="quarantine_days")
    # when
    response = supervisor_client.post(url(Parameter, "change", parameter.pk), {
        "value": 120, "unit": "days", "description": parameter.description, "rule": "ACC-04",
        "audit_reason": "Regulator's new quarantine"})
    # then
    assert response.status_code == 302
    parameter.refresh_from_db()
    assert parameter.value == 120 and parameter.code == "quarantine_days"
    # and the edit is audited with old → new and the reason (ACC-07)
    event = AuditEvent.objects.get(verb="parameter.changed")
    assert (event.old, event.new, event.reason) == ({"value": 90}, {"value": 120}, "Regulator's new quarantine")


@pytest.mark.rule("ACC-04")
def test_negative_parameter_is_refused(supervisor_client):
    parameter = Parameter.objects.get(code="quarantine_days")
    response = supervisor_client.post(url(Parameter, "change", parameter.pk), {
        "value": -1, "unit": "days", "description": parameter.description, "rule": "ACC-04",
        "audit_reason": "typo"})
    assert response.status_code == 200
    parameter.refresh_from_db()
    assert parameter.value == 90


def test_holiday_add(supervisor_client):
    response = supervisor_client.post(url(Holiday, "add"), {"date": "2026-12-25", "name": "Natal",
                                                            "audit_reason": "National holiday"})
    assert response.status_code == 302 and Holiday.objects.get().name == "Natal"
    assert AuditEvent.objects.get(verb="holiday.created").reason == "National holiday"


# --- SMS templates ----------------------------------------------------------------------------------------------------


def template_form(**overrides):
    data = {"code": "test-usage", "description": "80 %", "text_id": "Pemakaian {percent}% dari {limit}.",
            "text_en": "Usage {percent}% of {limit}.", "variables": "percent, limit", "audit_reason": "new SMS"}
    return {**data, **overrides}


def test_valid_template_is_saved(supervisor_client):
    response = supervisor_client.post(url(SmsTemplate, "add"), template_form())
    assert response.status_code == 302
    assert SmsTemplate.objects.get(code="test-usage").variable_list == ["percent", "limit"]


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"text_id": "Pemakaian {percent}% dari {limit} {extra}."}, "text_id", "not listed: extra"),
        ({"text_en": "Usage {percent}%."}, "text_en", "missing from this text: limit"),
        ({"variables": "percent"}, "text_id", "not listed: limit"),
        ({"variables": "percent,limit,cycle"}, "text_en", "missing from this text: cycle"),
        ({"text_id": "Pemakaian {percent% dari {limit}."}, "text_id", "Unbalanced"),
        ({"text_en": "Usage {0} {percent} {limit}."}, "text_en", "simple names"),
    ],
)
def test_template_variable_mistakes_are_errors_at_save(supervisor_client, overrides, field, fragment):
    # when
    response = supervisor_client.post(url(SmsTemplate, "add"), template_form(**overrides))
    # then
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert fragment in " ".join(errors[field])
    assert not SmsTemplate.objects.filter(code="test-usage").exists()


# --- outbox ---


def test_retry_action_requeues_dead_and_failed_only(supervisor_client, supervisor):
    # given
    dead = OutboundSmsFactory(status="dead", attempts=6, next_attempt_at=None)
    sent = OutboundSmsFactory(status="sent", attempts=1, next_attempt_at=None)
    # when
    response = supervisor_client.post(url(OutboundSms), {"action": "retry", "_selected_action": [dead.pk, sent.pk]},
                                      follow=True)
    # then
    dead.refresh_from_db()
    sent.refresh_from_db()
    assert response.status_code == 200
    assert dead.status == "queued" and dead.attempts == 0
    assert sent.status == "sent"
    assert AuditEvent.objects.get(verb="sms.retried").actor == supervisor
    assert "1 message queued again." in response.content.decode()


def test_outbox_rows_cannot_be_added_or_deleted(supervisor_client):
    sms = OutboundSmsFactory()
    assert supervisor_client.get(url(OutboundSms, "add")).status_code == 403
    assert supervisor_client.post(url(OutboundSms, "delete", sms.pk), {"post": "yes"}).status_code == 403


def test_sms_template_factory_is_valid():
    SmsTemplateFactory().full_clean()


# --- channel clients ---


def test_creating_a_client_shows_its_key_once(supervisor_client, supervisor):
    # when
    response = supervisor_client.post(url(ChannelClient, "add"), {
        "name": "ussd-gw", "kind": "ussd", "active": "on", "throttle_rate": "", "audit_reason": "New USSD gateway",
        "api_keys-TOTAL_FORMS": "0", "api_keys-INITIAL_FORMS": "0"}, follow=True)
    # then
    body = response.content.decode()
    api_client = ChannelClient.objects.get(name="ussd-gw")
    stored = ChannelApiKey.objects.get(client=api_client)
    key = body.split("<code>")[1].split("</code>")[0]
    assert key_hash(key) == stored.key_hash
    assert AuditEvent.objects.filter(verb="channel_client.key_created", actor=supervisor).exists()
    # and never again
    again = supervisor_client.get(url(ChannelClient, "change", api_client.pk)).content.decode()
    assert key not in again and stored.prefix in again


@pytest.mark.rule("ACC-07")
def test_a_client_edit_asks_why_and_is_audited(supervisor_client, supervisor):
    # given
    api_client, _key = make_client(kind="app", throttle_rate="600/min")
    form = {"active": "", "throttle_rate": "100/min", "api_keys-TOTAL_FORMS": "1", "api_keys-INITIAL_FORMS": "1",
            "api_keys-0-id": ChannelApiKey.objects.get(client=api_client).pk, "api_keys-0-client": api_client.pk}
    # when no reason is given
    response = supervisor_client.post(url(ChannelClient, "change", api_client.pk), form)
    # then nothing changes
    assert response.status_code == 200 and "audit_reason" in response.context["adminform"].form.errors
    api_client.refresh_from_db()
    assert api_client.active and api_client.throttle_rate == "600/min"
    # when the reason is given
    response = supervisor_client.post(url(ChannelClient, "change", api_client.pk),
                                      {**form, "audit_reason": "The app floods us; paused"})
    # then the change is one audit event with old, new and the reason
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert not api_client.active and api_client.throttle_rate == "100/min"
    event = AuditEvent.objects.get(verb="channelclient.changed")
    assert (event.old, event.new) == ({"active": True, "throttle_rate": "600/min"},
                                      {"active": False, "throttle_rate": "100/min"})
    assert (event.reason, event.actor, event.channel) == ("The app floods us; paused", supervisor, "admin")


def test_new_key_and_revoke_actions(supervisor_client):
    # given
    api_client, old_key = make_client(kind="app")
    # when
    supervisor_client.post(url(ChannelClient), {"action": "revoke_keys", "_selected_action": [api_client.pk]})
    response = supervisor_client.post(url(ChannelClient), {"action": "new_key", "_selected_action": [api_client.pk]},
                                      follow=True)
    # then
    keys = ChannelApiKey.objects.filter(client=api_client)
    assert keys.count() == 2 and keys.filter(revoked_at__isnull=True).count() == 1
    assert "<code>" in response.content.decode()
    assert AuditEvent.objects.filter(verb="channel_client.key_revoked").count() == 1


def test_client_with_bad_throttle_rate_is_refused(supervisor_client):
    response = supervisor_client.post(url(ChannelClient, "add"), {
        "name": "x", "kind": "app", "active": "on", "throttle_rate": "fast", "audit_reason": "New app",
        "api_keys-TOTAL_FORMS": "0", "api_keys-INITIAL_FORMS": "0"})
    assert response.status_code == 200 and not ChannelClient.objects.exists()


def test_job_runs_are_read_only(supervisor_client):
    run = JobRun.objects.create(job="x", period_key="p", started_at="2026-11-01T00:00Z")
    assert supervisor_client.get(url(JobRun, "add")).status_code == 403
    assert supervisor_client.post(url(JobRun, "delete", run.pk), {"post": "yes"}).status_code == 403
    assert supervisor_client.get(url(JobRun, "change", run.pk)).status_code == 200
    assert 'href="/core/jobs/"' in supervisor_client.get(url(JobRun)).content.decode()
