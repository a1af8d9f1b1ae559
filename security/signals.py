"""django-axes lockouts become audit events."""

from axes.signals import user_locked_out
from django.dispatch import receiver


@receiver(user_locked_out, dispatch_uid="security.lockout_audit")
def _lockout_audit(sender, request, username, ip_address, **kwargs):
    from security.services import lockout_record

    lockout_record(request=request, username=username or "", ip_address=ip_address or "")
