"""Lockouts audited (issue 16): django-axes' lockout and a supervisor's unlock are audit events."""

from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from tests.accounts.factories import AgentFactory

PASSWORD = "correct-horse-battery"


def _fail(client, username, times):
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong-password"})


def test_a_lockout_is_one_audit_event_even_when_the_attempts_go_on(db, settings):
    # given
    agent = AgentFactory()
    client = Client()
    # when: one failure below the limit, then the limit, then two more tries while locked
    _fail(client, agent.username, settings.AXES_FAILURE_LIMIT - 1)
    assert not AuditEvent.objects.filter(verb="login.locked_out").exists()
    _fail(client, agent.username, 1)
    _fail(client, agent.username, 2)
    # then
    event = AuditEvent.objects.get(verb="login.locked_out")
    assert event.new == {"username": agent.username, "ip_address": "127.0.0.1",
                         "failures": settings.AXES_FAILURE_LIMIT}
    assert event.actor is None and event.channel == "system"


def test_supervisors_see_todays_lockouts_and_unlock_with_a_reason(supervisor_client, supervisor, settings):
    # given
    agent = AgentFactory()
    locked = Client()
    _fail(locked, agent.username, settings.AXES_FAILURE_LIMIT)
    # when: the supervisor's page lists it
    page = supervisor_client.get(reverse("security:lockouts"))
    assert page.status_code == 200
    assert agent.username in page.content.decode() and "locked" in page.content.decode()
    # without a reason nothing is unlocked
    supervisor_client.post(reverse("security:lockouts"),
                           {"username": agent.username, "ip_address": "127.0.0.1", "reason": ""})
    assert AccessAttempt.objects.filter(username=agent.username).exists()
    response = supervisor_client.post(reverse("security:lockouts"), {
        "username": agent.username, "ip_address": "127.0.0.1", "reason": "Agent forgot the new password, called"})
    # then
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=agent.username).exists()
    event = AuditEvent.objects.get(verb="login.unlocked")
    assert event.actor == supervisor and event.reason == "Agent forgot the new password, called"
    assert event.old == {"failures": settings.AXES_FAILURE_LIMIT}
    assert locked.post(reverse("login"), {"username": agent.username, "password": PASSWORD}).status_code == 302


def test_unlocking_what_is_not_locked_says_so(supervisor_client):
    response = supervisor_client.post(reverse("security:lockouts"), {
        "username": "nobody", "ip_address": "127.0.0.1", "reason": "check"}, follow=True)
    assert "This log-in is not locked (any more)." in response.content.decode()
    assert not AuditEvent.objects.filter(verb="login.unlocked").exists()


def test_lockouts_page_is_for_supervisors_only(agent_client, client):
    assert agent_client.get(reverse("security:lockouts")).status_code == 403
    assert Client().get(reverse("security:lockouts")).status_code == 302


def test_lockouts_cannot_be_deleted_in_the_admin(supervisor_client, settings):
    agent = AgentFactory()
    _fail(Client(), agent.username, settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username=agent.username)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert supervisor_client.post(url, {"post": "yes"}).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
