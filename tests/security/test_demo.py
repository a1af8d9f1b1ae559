"""`make run` stays two commands: seed_demo prints each demo supervisor's TOTP key, and that key logs in."""

import base64
import io
import random

from django.core.management.base import OutputWrapper
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from accounts.demo import seed_outlets_and_staff
from security.demo import seed_demo_data


def test_demo_supervisors_get_a_printed_key_that_passes_the_second_factor(db, settings):
    # given
    seed_outlets_and_staff(rng=random.Random(1))
    buffer = io.StringIO()
    out = OutputWrapper(buffer)  # what the command passes
    # when: seeded twice (idempotent)
    seed_demo_data(rng=random.Random(2), stdout=io.StringIO())
    seed_demo_data(rng=random.Random(3), stdout=out)
    # then: the printed key is the device's, and a code made from it opens the session
    lines = [line.split() for line in buffer.getvalue().splitlines() if line.startswith("spv.")]
    assert lines and not [line for line in buffer.getvalue().splitlines() if line.startswith("agent.")]
    username, secret = lines[0]
    code = TOTP(base64.b32decode(secret)).token()
    client = Client()
    client.post(reverse("login"), {"username": username, "password": settings.DEMO_PASSWORD})
    response = client.post(reverse("security:mfa_verify"), {"token": f"{code:06d}", "next": "/core/jobs/"})
    assert response.status_code == 302 and response["Location"] == "/core/jobs/"
