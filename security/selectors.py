from django.utils import timezone

from core.models import AuditEvent


def lockouts_today():
    """Today's (WIB) lockouts, newest first, each marked whether axes still holds it."""
    from axes.models import AccessAttempt
    from django.conf import settings

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    events = list(AuditEvent.objects.filter(verb="login.locked_out", created_at__gte=start).order_by("-created_at"))
    locked = set(AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
                 .values_list("username", "ip_address"))
    for event in events:
        new = event.new or {}
        event.username, event.ip_address = new.get("username", ""), new.get("ip_address", "")
        event.still_locked = (event.username, event.ip_address) in locked
    return events
