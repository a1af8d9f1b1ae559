"""Demo second factors: every demo supervisor gets an authenticator key, printed so that `make run` stays two
commands (add the key to an authenticator app, or `oathtool --totp -b KEY`). Idempotent: a re-run prints the same
keys."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import SUPERVISOR
from security.mfa import TOTP_NAME, totp_secret


def seed_demo_data(*, rng, stdout=None) -> None:
    users = get_user_model().objects.filter(Q(groups__name=SUPERVISOR) | Q(is_staff=True)).distinct()
    rows = []
    for user in users.order_by("username"):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True,
                                               key=rng.randbytes(20).hex())
        rows.append((user.get_username(), totp_secret(device)))
    if stdout is not None and rows:
        width = max(len(name) for name, _secret in rows)
        stdout.write("")
        stdout.write("Second factor of the demo supervisors (TOTP key for an authenticator app, "
                     "or: oathtool --totp -b KEY)")
        for name, secret in rows:
            stdout.write(f"{name:<{width}}  {secret}")
