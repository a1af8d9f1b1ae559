"""MFA for privileged users (issue 16, OWASP ASVS L2 §2.8): TOTP and one-time recovery codes through django-otp."""

import pytest
from django.contrib import admin
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent
from tests.accounts.factories import AgentFactory, SupervisorFactory
from tests.security.otp import confirmed_device, current_code

PASSWORD = "correct-horse-battery"
# django-otp makes a device wait 1, 2, 4 … s after each wrong code; tests that type a wrong then a right code at once
# switch that off (test_wrong_codes_are_throttled proves it is on).
NO_THROTTLE = override_settings(OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0)


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return urls


def _supervisor_urls(other_user) -> list[str]:
    return [reverse("core:jobs"), reverse("security:lockouts"), reverse("security:mfa_reset", args=[other_user.pk]),
            reverse("accounts:search"), reverse("api-docs")]


def _password_login(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def password_only_supervisor(db):
    """A supervisor who typed the password but not the second factor."""
    supervisor = SupervisorFactory(language="en")
    client = Client()
    client.force_login(supervisor, otp=False)
    return supervisor, client


def test_supervisor_without_second_factor_is_refused_on_every_admin_and_supervisor_url(password_only_supervisor):
    # given: enrolled, but this session has not passed the code
    supervisor, client = password_only_supervisor
    confirmed_device(supervisor)
    other = AgentFactory()
    # when / then
    for url in _admin_urls() + _supervisor_urls(other):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("security:mfa_verify") + "?next="), url


def test_supervisor_who_never_enrolled_is_sent_to_enrolment(password_only_supervisor):
    supervisor, client = password_only_supervisor
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("security:mfa_setup"))


def test_supervisor_with_second_factor_is_allowed_everywhere(supervisor_client, supervisor):
    # given: the fixture's session passed the second factor (django_otp.login)
    other = AgentFactory()
    # when / then: every page answers as the supervisor's permissions say, none sends to the second factor
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = supervisor_client.get(url)
        expected = 200 if model_admin.has_view_or_change_permission(_request_for(supervisor)) else 403
        assert response.status_code == expected, url
    for url in [reverse("admin:index")] + _supervisor_urls(other):
        assert supervisor_client.get(url).status_code == 200, url


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def test_htmx_request_without_second_factor_redirects_the_whole_page(password_only_supervisor):
    supervisor, client = password_only_supervisor
    confirmed_device(supervisor)
    response = client.get(reverse("core:jobs"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("security:mfa_verify"))


def test_log_out_and_log_in_stay_reachable_without_second_factor(password_only_supervisor):
    supervisor, client = password_only_supervisor
    assert client.get(reverse("login")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_enrolment_on_first_login_then_recovery_codes_shown_once(db):
    # given: a new supervisor logs in with the password
    supervisor = SupervisorFactory(language="en")
    client = _password_login(supervisor)
    assert client.get(reverse("accounts:search"))["Location"].startswith(reverse("security:mfa_setup"))
    # when: the setup page shows the secret; the app's first code confirms it
    page = client.get(reverse("security:mfa_setup"))
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    assert page.status_code == 200 and "otpauth://totp/" in page.content.decode()
    response = client.post(reverse("security:mfa_setup"), {"token": current_code(device), "next": "/core/jobs/"})
    # then
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and all(code in response.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=supervisor).count() == 10
    assert client.get(reverse("core:jobs")).status_code == 200
    assert AuditEvent.objects.filter(verb="mfa.enrolled", subject_id=str(supervisor.pk)).count() == 1


def test_enrolment_with_a_wrong_code_confirms_nothing(db):
    supervisor = SupervisorFactory(language="en")
    client = _password_login(supervisor)
    client.get(reverse("security:mfa_setup"))
    response = client.post(reverse("security:mfa_setup"), {"token": "000000x"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=supervisor).exists()
    assert client.get(reverse("core:jobs")).status_code == 302


@NO_THROTTLE
def test_code_from_the_authenticator_opens_the_session(db):
    supervisor = SupervisorFactory(language="en")
    device = confirmed_device(supervisor)
    client = _password_login(supervisor)
    wrong = client.post(reverse("security:mfa_verify"), {"token": "123", "next": "/core/jobs/"})
    assert wrong.status_code == 200 and client.get(reverse("core:jobs")).status_code == 302
    session_before = client.session.session_key
    response = client.post(reverse("security:mfa_verify"), {"token": current_code(device), "next": "/core/jobs/"})
    assert response.status_code == 302 and response["Location"] == "/core/jobs/"
    assert client.get(reverse("core:jobs")).status_code == 200
    assert client.session.session_key != session_before  # a new session id for the upgraded session


def test_wrong_codes_are_throttled(db):
    supervisor = SupervisorFactory(language="en")
    device = confirmed_device(supervisor)
    client = _password_login(supervisor)
    client.post(reverse("security:mfa_verify"), {"token": "000000"})
    response = client.post(reverse("security:mfa_verify"), {"token": current_code(device)})
    assert response.status_code == 200
    assert "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("core:jobs")).status_code == 302


def test_the_same_authenticator_code_is_not_accepted_twice(db):
    supervisor = SupervisorFactory(language="en")
    device = confirmed_device(supervisor)
    code = current_code(device)
    first, second = _password_login(supervisor), _password_login(supervisor)
    assert first.post(reverse("security:mfa_verify"), {"token": code}).status_code == 302
    assert second.post(reverse("security:mfa_verify"), {"token": code}).status_code == 200
    assert second.get(reverse("core:jobs")).status_code == 302


@NO_THROTTLE
def test_a_recovery_code_works_once(db):
    # given: an enrolled supervisor who lost the phone but kept the recovery codes
    supervisor = SupervisorFactory(language="en")
    confirmed_device(supervisor)
    static = StaticDevice.objects.create(user=supervisor, name="recovery codes", confirmed=True)
    static.token_set.create(token="rc0001ab")
    static.token_set.create(token="rc0002cd")
    # when: the first session uses a code
    first = _password_login(supervisor)
    assert first.post(reverse("security:mfa_verify"), {"token": "rc0001ab"}).status_code == 302
    assert first.get(reverse("core:jobs")).status_code == 200
    # then: the same code is refused the second time; the other one still works
    second = _password_login(supervisor)
    assert second.post(reverse("security:mfa_verify"), {"token": "rc0001ab"}).status_code == 200
    assert second.get(reverse("core:jobs")).status_code == 302
    assert second.post(reverse("security:mfa_verify"), {"token": "rc0002cd"}).status_code == 302
    used = AuditEvent.objects.filter(verb="mfa.recovery_code_used", subject_id=str(supervisor.pk))
    assert [event.new["codes_left"] for event in used.order_by("id")] == [1, 0]


def test_agents_need_no_second_factor_by_default(db):
    agent = AgentFactory(language="en")
    client = _password_login(agent)
    assert client.get(reverse("accounts:search")).status_code == 200


@override_settings(MFA_REQUIRED_FOR_AGENTS=True)
def test_agents_need_the_second_factor_when_the_setting_is_on(db):
    agent = AgentFactory(language="en")
    client = _password_login(agent)
    response = client.get(reverse("accounts:search"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("security:mfa_setup"))


def test_supervisor_resets_another_users_second_factor_with_a_reason(supervisor_client, supervisor):
    # given
    colleague = SupervisorFactory()
    confirmed_device(colleague)
    StaticDevice.objects.create(user=colleague, name="recovery codes", confirmed=True).token_set.create(token="x1")
    url = reverse("security:mfa_reset", args=[colleague.pk])
    # when: without a reason nothing happens
    refused = supervisor_client.post(url, {"reason": ""})
    assert refused.status_code == 200 and TOTPDevice.objects.filter(user=colleague).exists()
    response = supervisor_client.post(url, {"reason": "Phone stolen, ticket 4411"})
    # then
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert not StaticDevice.objects.filter(user=colleague).exists()
    event = AuditEvent.objects.get(verb="mfa.reset")
    assert event.actor == supervisor and event.subject_id == str(colleague.pk)
    assert event.reason == "Phone stolen, ticket 4411"


def test_a_supervisor_cannot_reset_their_own_second_factor(supervisor_client, supervisor):
    url = reverse("security:mfa_reset", args=[supervisor.pk])
    response = supervisor_client.post(url, {"reason": "lost it"}, follow=True)
    assert "Another supervisor must reset your own second factor." in response.content.decode()
    assert TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
    assert not AuditEvent.objects.filter(verb="mfa.reset").exists()


def test_agents_and_anonymous_cannot_reset_a_second_factor(agent_client, client):
    colleague = SupervisorFactory()
    confirmed_device(colleague)
    url = reverse("security:mfa_reset", args=[colleague.pk])
    assert agent_client.post(url, {"reason": "x"}).status_code == 403
    assert Client().post(url, {"reason": "x"}).status_code == 302
    assert TOTPDevice.objects.filter(user=colleague).exists()


def test_a_supervisor_who_is_not_staff_still_needs_the_second_factor(db):
    supervisor = SupervisorFactory(is_staff=False)
    client = Client()
    client.force_login(supervisor, otp=False)
    response = client.get(reverse("core:jobs"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("security:mfa_setup"))


def test_second_factor_pages_need_the_password_first(db):
    for name in ("security:mfa_setup", "security:mfa_verify"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name


def test_an_enrolled_user_is_not_offered_a_new_key(password_only_supervisor):
    supervisor, client = password_only_supervisor
    confirmed_device(supervisor)
    response = client.get(reverse("security:mfa_setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("security:mfa_verify"))
    assert TOTPDevice.objects.filter(user=supervisor).count() == 1


def test_the_code_page_is_in_bahasa_indonesia_by_default(db):
    supervisor = SupervisorFactory()  # default language: id
    confirmed_device(supervisor)
    client = _password_login(supervisor)
    page = client.get(reverse("security:mfa_verify")).content.decode()
    assert "Faktor kedua" in page and "kode pemulihan" in page
