"""The second factor (OWASP ASVS L2 §2.8): TOTP with one-time recovery codes, through django-otp.

Who needs it: staff, superusers and supervisors always; agents when MFA_REQUIRED_FOR_AGENTS is on.
"""

from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_record
from core.models import Channel
from core.verdicts import RuleViolation, require

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


# Only supervisors hold these; has_perm() reads the permission cache the views' own checks load anyway.
SUPERVISOR_PERMISSIONS = ("accounts.block_any_reason", "core.view_jobrun")


def mfa_required(user) -> bool:
    """Cached on the user object: the middleware asks on every request."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_mfa_required", None)
    if cached is None:
        cached = bool(user.is_staff or user.is_superuser or settings.MFA_REQUIRED_FOR_AGENTS
                      or any(user.has_perm(perm) for perm in SUPERVISOR_PERMISSIONS))
        user._mfa_required = cached
    return cached


def mfa_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator a user is enrolling (created once, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret an authenticator app takes when typed in by hand."""
    return b32encode(device.bin_key).decode()


def recovery_codes_issue(user) -> list[str]:
    """A fresh set of recovery codes (the old ones stop working); shown to the user once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME,
                                                          defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def mfa_enrol(*, request, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with its first code, issue recovery codes and mark this session verified."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user, confirmed=False)
    require(device.verify_token(token.strip()), "mfa_wrong_code",
            _("That code is not right. Type the 6 digits your authenticator app shows now."))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    codes = recovery_codes_issue(request.user)
    _session_upgrade(request, device)
    audit_record(actor=request.user, verb="mfa.enrolled", subject=request.user, channel=Channel.ADMIN)
    return codes


def _session_upgrade(request, device) -> None:
    """The session now carries more privilege: a new session id (ASVS 3.2.1), then django-otp's mark."""
    request.session.cycle_key()
    otp_login(request, device)


def mfa_verify(*, request, token: str) -> None:
    """Accept a code from the authenticator or one recovery code (each recovery code works once)."""
    token = "".join(token.split())
    user = request.user
    for device in devices_for_user(user):
        with transaction.atomic():
            matched = otp_verify_token(user, device.persistent_id, token)
            if matched is not None and isinstance(matched, StaticDevice):
                # django-otp deleted the code it matched: it cannot be used again.
                audit_record(actor=user, verb="mfa.recovery_code_used", subject=user, channel=Channel.ADMIN,
                             new={"codes_left": matched.token_set.count()})
        if matched is not None:
            _session_upgrade(request, matched)
            return
    if any(not device.verify_is_allowed()[0] for device in devices_for_user(user)):
        # django-otp doubles the wait after each wrong code (1, 2, 4 … seconds): guessing does not pay.
        raise RuleViolation.single("mfa_throttled", _("Too many wrong codes: wait a few seconds, then type the code "
                                                      "your app shows now."))
    raise RuleViolation.single("mfa_wrong_code", _("That code is not right. Type the 6 digits your authenticator "
                                                   "app shows now, or one of your recovery codes."))


@transaction.atomic
def second_factor_reset(*, user, actor, reason: str) -> int:
    """A supervisor removes another user's authenticator and recovery codes; they enrol again at their next log-in."""
    reason = reason.strip()
    require(bool(reason), "reason_required", _("Give the reason for the reset."))
    require(user.pk != actor.pk, "mfa_reset_self", _("Another supervisor must reset your own second factor."))
    require(user_has_device(user, confirmed=None), "mfa_nothing_to_reset",
            _("This user has no second factor to reset."))
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        count, _details = model.objects.filter(user=user).delete()
        removed += count
    audit_record(actor=actor, verb="mfa.reset", subject=user, channel=Channel.ADMIN, reason=reason)
    return removed
