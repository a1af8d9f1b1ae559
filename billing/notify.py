"""LIM-04 threshold notifications, written to the SMS outbox with the claim of their flag, in one transaction."""

import datetime as dt

from django.db import transaction
from django.utils import translation

from billing.catalogue_cache import parameter
from billing.models import Scope, SpendingLimit
from core.money import format_rupiah
from core.outbox import sms_enqueue

WARN = "warn"
FULL = "full"


def limit_dedup_key(*, line_id: int, scope: str, cycle_start: dt.date, threshold: str) -> str:
    """Once per line, scope, bill cycle and threshold (LIM-04)."""
    return f"limit:{line_id}:{scope}:{cycle_start.isoformat()}:{threshold}"


def _claim(limit_id: int, flag: str) -> bool:
    """Set the flag if it was not set; True when this call set it (of concurrent callers, exactly one)."""
    return SpendingLimit.objects.filter(pk=limit_id, **{flag: False}).update(**{flag: True}) == 1


def thresholds_check(
    *, limit_id: int, line, scope: str, amount: int, counted: int, cycle_start: dt.date, warn_notified: bool,
    full_notified: bool,
) -> list[str]:
    """LIM-04: when counted usage has gone above 80 % / 100 % of the limit (exactly 80 % or 100 % sends nothing, the
    first rupiah above does) and that SMS was not sent this cycle, send it now. Call it after the UPDATE that changed
    usage or the limit, in its transaction or after it committed (the authorization's one statement): the claim is
    a conditional UPDATE of the flag, so one caller wins it, and the claim and its SMS are one transaction. Dropping
    back under a threshold never clears a flag: only the cycle close does, so a threshold notifies once per cycle."""
    if counted <= 0 or (warn_notified and full_notified):
        return []
    sent = []
    for threshold, flag, already, percent_code in (
        (WARN, "warn_notified", warn_notified, "limit_warn_percent"),
        (FULL, "full_notified", full_notified, "limit_full_percent"),
    ):
        percent = parameter(percent_code)
        if already or counted * 100 <= amount * percent:  # LIM-04: "above", not "at"
            continue
        with transaction.atomic():
            if not _claim(limit_id, flag):
                continue
            with translation.override("id"):  # the SMS goes out in Bahasa Indonesia (the outbox default)
                scope_label = str(Scope(scope).label)
            context = {"msisdn": line.msisdn_national, "scope": scope_label, "percent": percent,
                       "limit": format_rupiah(amount)}
            sms_enqueue(
                msisdn=line.msisdn, template_code=f"billing_limit_{threshold}", context=context, line=line,
                dedup_key=limit_dedup_key(line_id=line.pk, scope=scope, cycle_start=cycle_start,
                                          threshold=threshold),
            )
        sent.append(threshold)
    return sent
