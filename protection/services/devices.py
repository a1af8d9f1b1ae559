"""The IMEI the network last saw on a line (TP-05)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import Line
from core.audit import audit_record
from core.locks import lock_line
from core.models import Channel
from protection.models import LineDevice
from protection.services.common import _clean_imei


def line_device_set(
    *, line: Line, imei: str, actor=None, actor_label: str = "", channel: str = Channel.API,
    seen_at: dt.datetime | None = None,
) -> LineDevice:
    """Record the IMEI the network last saw on a line (TP-05). A change is audited; the same IMEI only refreshes
    the time it was seen."""
    imei = _clean_imei(imei)
    seen_at = seen_at or timezone.now()
    source = actor_label or (actor.get_username() if getattr(actor, "is_authenticated", False) else "")
    with transaction.atomic():
        lock_line(line)
        device = LineDevice.objects.select_for_update().filter(line=line).first()
        if device is None:
            device = LineDevice.objects.create(line=line, imei=imei, seen_at=seen_at, source=source)
            old = None
        else:
            old = device.imei
            device.imei, device.seen_at, device.source = imei, seen_at, source
            device.save(update_fields=["imei", "seen_at", "source"])
        if old != imei:
            audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="protection.device_seen",
                         subject=line, old=old, new=imei)
    return device
