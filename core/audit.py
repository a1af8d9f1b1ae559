"""`audit_record(...)`: the one way to write an audit event (ACC-07)."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from core.models import AuditEvent, Channel


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def audit_record(
    *,
    actor,
    verb: str,
    subject,
    channel: str = Channel.GRAPARI,
    old: Any = None,
    new: Any = None,
    reason: str = "",
    actor_label: str = "",
    outlet=None,
) -> AuditEvent:
    """Write one append-only event. The line and customer it concerns are taken from the subject."""
    from accounts.models import Customer, Line

    user = actor if getattr(actor, "is_authenticated", False) else None
    outlet_id = outlet.pk if outlet is not None else getattr(user, "outlet_id", None)
    line_id = subject.pk if isinstance(subject, Line) else getattr(subject, "line_id", None)
    if isinstance(subject, Customer):
        customer_id = subject.pk
    elif isinstance(subject, Line):
        customer_id = subject.customer_id
    else:
        customer_id = getattr(subject, "customer_id", None)
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label or (user.get_username() if user else "system"),
        outlet_id=outlet_id,
        channel=channel,
        verb=verb,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_repr=str(subject)[:200],
        line_id=line_id,
        customer_id=customer_id,
        old=_jsonable(old),
        new=_jsonable(new),
        reason=reason,
    )
