"""Password reset (issue 16): gone without a mail backend; with one, it never claims success when the mail failed."""

import smtplib

from django.core import mail
from django.urls import reverse

from tests.accounts.factories import AgentFactory


class FailingBackend:
    """The outside world: a mail server that refuses the connection."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, "mail.example.id unavailable")


def test_without_a_mail_backend_there_is_no_password_reset(client, settings):
    settings.PASSWORD_RESET_ENABLED = False
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        assert client.get(reverse(name)).status_code == 404, name
    assert client.get(reverse("password_reset_confirm", args=["MQ", "set-password"])).status_code == 404
    assert 'id="password-reset-link"' not in client.get(reverse("login")).content.decode()


def test_with_a_mail_backend_the_reset_mail_is_sent(client, settings, db):
    settings.PASSWORD_RESET_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    agent = AgentFactory(email="agent@example.id")
    assert 'id="password-reset-link"' in client.get(reverse("login")).content.decode()
    response = client.post(reverse("password_reset"), {"email": agent.email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [agent.email]


def test_a_failed_mail_is_shown_not_hidden(client, settings, db):
    settings.PASSWORD_RESET_ENABLED = True
    settings.EMAIL_BACKEND = "tests.security.test_password_reset.FailingBackend"
    settings.LANGUAGE_CODE = "en"
    agent = AgentFactory(email="agent@example.id")
    response = client.post(reverse("password_reset"), {"email": agent.email}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "could not be sent" in response.content.decode()


def test_email_url_switches_the_reset_on(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("EMAIL_URL", "smtp+tls://bo:secret@mail.example.id:587")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.PASSWORD_RESET_ENABLED is True
        assert reloaded.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
        assert reloaded.EMAIL_HOST == "mail.example.id" and reloaded.EMAIL_USE_TLS is True
    finally:
        monkeypatch.delenv("EMAIL_URL")
        assert importlib.reload(base).PASSWORD_RESET_ENABLED is False
