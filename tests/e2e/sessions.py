"""Browser sessions without typing a password: a supervisor's session that passed the second factor.

`log_in_session(page, user)` logs the user in with Django's test client (tests/conftest.py verifies a confirmed
TOTP device for staff, as django_otp.login does after a good code) and hands its session cookie to the browser.
"""

from django.conf import settings
from django.test import Client


def log_in_session(page, user, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base_url}])
