"""The transactional SMS outbox: `sms_enqueue` writes inside the caller's transaction; the dispatcher sends."""

import datetime as dt
import logging
import time
import uuid

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.branding import brand_context
from core.jobs import ChunkResult
from core.models import DeliveryReport, OutboundSms, SmsTemplate
from core.sms_backends import SmsSendError, get_backend
from core.sms_templates import placeholders

logger = logging.getLogger("core.sms")

PENDING = (OutboundSms.Status.QUEUED, OutboundSms.Status.FAILED)


class SmsTemplateError(ValueError):
    """A template is missing, or the context lacks one of its variables (a programming error, not a customer's)."""


def sms_render(*, template: SmsTemplate, language: str | None, context: dict) -> str:
    text = template.text_for(language)
    needed = placeholders(text)
    context = {**brand_context(), **context}  # brand, outlet and call-centre names from settings
    missing = sorted(needed - set(context))
    if missing:
        raise SmsTemplateError(f"SMS template {template.code} needs {', '.join(missing)}")
    return text.format(**{name: context[name] for name in needed})


def _nudge() -> None:
    """Wake the dispatcher after commit; the beat schedule is the guarantee, this only shortens the wait."""
    if not getattr(settings, "SMS_NUDGE_ON_COMMIT", False):
        return
    try:
        from core.tasks import sms_dispatch_task

        sms_dispatch_task.apply_async(countdown=1, ignore_result=True)
    except Exception:  # the broker being down must never break the caller
        logger.warning("could not nudge the SMS dispatcher", exc_info=True)


def sms_enqueue(
    *,
    msisdn: str,
    template_code: str,
    context: dict,
    dedup_key: str,
    line=None,
    language: str | None = None,
) -> OutboundSms:
    """Write one SMS row in the caller's transaction. A second call with the same dedup_key writes nothing and
    returns the first row. The text is rendered now, in the customer's language (Bahasa Indonesia by default)."""
    from core.identifiers import normalize_msisdn

    existing = OutboundSms.objects.filter(dedup_key=dedup_key).first()
    if existing is not None:
        return existing
    template = SmsTemplate.objects.filter(code=template_code).first()
    if template is None:
        raise SmsTemplateError(f"no SMS template {template_code!r}")
    language = "en" if (language or "").startswith("en") else "id"
    text = sms_render(template=template, language=language, context=context)
    try:
        with transaction.atomic():
            sms = OutboundSms.objects.create(
                msisdn=normalize_msisdn(msisdn), line=line, template_code=template_code, language=language,
                text=text, dedup_key=dedup_key, next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        # Another transaction wrote the same dedup key first (it waited for that one to commit).
        return OutboundSms.objects.get(dedup_key=dedup_key)
    transaction.on_commit(_nudge)
    return sms


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: base, 2×base, 4×base … capped."""
    base = settings.SMS_RETRY_BASE_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.SMS_RETRY_MAX_SECONDS))


def _lease(count: int) -> dt.timedelta:
    """Long enough to send `count` messages one after the other, each within its own time limit."""
    return dt.timedelta(seconds=count * settings.SMS_HTTP_TIMEOUT_SECONDS + settings.SMS_LEASE_MARGIN_SECONDS)


def _claim(*, limit: int, now: dt.datetime) -> list[OutboundSms]:
    """Short transaction 1: mark due rows SENDING under a new attempt id and a lease, then commit (no row lock is
    held while the gateway is called). A SENDING row whose lease expired was claimed by an attempt that died: it is
    due again and will be resent with the same client message id."""
    due = (Q(status__in=PENDING, next_attempt_at__lte=now)
           | Q(status=OutboundSms.Status.SENDING, lease_until__lte=now))
    with transaction.atomic():
        rows = list(OutboundSms.objects.select_for_update(skip_locked=True).filter(due)
                    .order_by("next_attempt_at", "id")[:limit])
        lease_until = now + _lease(len(rows))
        for sms in rows:
            sms.status = OutboundSms.Status.SENDING
            sms.attempts += 1
            sms.attempt_id = uuid.uuid4()
            sms.lease_until = lease_until
        OutboundSms.objects.bulk_update(rows, ["status", "attempts", "attempt_id", "lease_until"])
    return rows


def _record(sms: OutboundSms, *, now: dt.datetime, message_id: str = "", error: str = "") -> bool:
    """Short transaction 2: the attempt's result, only if this attempt still owns the row (its lease may have
    expired and another attempt taken over). Returns whether it was recorded."""
    with transaction.atomic():
        if message_id:
            _serialize_on(message_id)
        row = (OutboundSms.objects.select_for_update()
               .filter(pk=sms.pk, attempt_id=sms.attempt_id, status=OutboundSms.Status.SENDING).first())
        if row is None:
            logger.warning("SMS %s: attempt %s lost its claim; result not recorded (%s)", sms.pk, sms.attempt_id,
                           message_id or error)
            return False
        row.attempt_id = row.lease_until = None
        if message_id:
            row.status, row.gateway_message_id = OutboundSms.Status.SENT, message_id[:100]
            row.sent_at, row.next_attempt_at, row.last_error = timezone.now(), None, ""
        elif row.attempts >= settings.SMS_MAX_ATTEMPTS:
            row.status, row.next_attempt_at, row.last_error = OutboundSms.Status.DEAD, None, error[:2000]
            logger.error("SMS %s dead after %s attempts: %s", row.pk, row.attempts, error)
        else:
            row.status, row.last_error = OutboundSms.Status.FAILED, error[:2000]
            row.next_attempt_at = now + retry_delay(row.attempts)
        row.save(update_fields=["status", "attempt_id", "lease_until", "gateway_message_id", "sent_at",
                                "next_attempt_at", "last_error", "updated_at"])
        if message_id:
            _match_reports(row)
    return True


def _release(rows: list[OutboundSms]) -> int:
    """Give back claimed rows this run will not send (it ran out of time): due now, the attempt not counted."""
    released = 0
    for sms in rows:
        released += OutboundSms.objects.filter(
            pk=sms.pk, attempt_id=sms.attempt_id, status=OutboundSms.Status.SENDING,
        ).update(status=OutboundSms.Status.QUEUED if sms.attempts == 1 else OutboundSms.Status.FAILED,
                 attempts=F("attempts") - 1, attempt_id=None, lease_until=None, next_attempt_at=timezone.now())
    return released


def sms_dispatch_chunk(*, limit: int = 20, now: dt.datetime | None = None, backend=None,
                       deadline: float | None = None) -> ChunkResult:
    """Claim up to `limit` due rows, send each outside any transaction, record each result on its own.

    Non-2xx answers, timeouts and unparseable replies are failed attempts with the reply kept in `last_error`.
    `deadline` (time.monotonic()) stops before a message that might not finish in time: the rest are released,
    so a run near its task's soft time limit leaves every row either recorded or due again."""
    now = now or timezone.now()
    backend = backend or get_backend()
    rows = _claim(limit=limit, now=now)
    changed = failed = 0
    for index, sms in enumerate(rows):
        if deadline is not None and time.monotonic() + settings.SMS_HTTP_TIMEOUT_SECONDS > deadline:
            released = _release(rows[index:])
            logger.warning("SMS dispatch out of time: %s sent, %s failed, %s released", changed, failed, released)
            return ChunkResult(selected=index, changed=changed, failed=failed, skipped=released)
        try:
            message_id = backend.send(sms)
        except SmsSendError as exc:
            failed += _record(sms, now=now, error=str(exc))
        except SoftTimeLimitExceeded:
            # The task's soft limit struck mid-send: the gateway may have taken it (the resend carries the same
            # client message id); record the attempt, release the rest, and let the task end.
            _record(sms, now=now, error="interrupted by the task's time limit while sending")
            _release(rows[index + 1:])
            raise
        else:
            changed += _record(sms, now=now, message_id=message_id)
    return ChunkResult(selected=len(rows), changed=changed, failed=failed)


def sms_dispatch(*, limit: int = 20, max_chunks: int = 250, backend=None,
                 deadline: float | None = None) -> ChunkResult:
    """Send everything due, chunk by chunk, until nothing is due or `deadline` (time.monotonic()) is near."""
    selected = changed = failed = 0
    for _chunk in range(max_chunks):
        if deadline is not None and time.monotonic() + settings.SMS_HTTP_TIMEOUT_SECONDS > deadline:
            break
        result = sms_dispatch_chunk(limit=limit, backend=backend, deadline=deadline)
        selected += result.selected
        changed += result.changed
        failed += result.failed
        if result.selected < limit or result.skipped:
            break
    reports_match_pending()
    return ChunkResult(selected=selected, changed=changed, failed=failed)


@transaction.atomic
def sms_retry(*, sms_ids: list[int], actor, reason: str = "") -> int:
    """Supervisor action: put failed/dead messages back in the queue now, with a fresh attempt budget."""
    from core.audit import audit_record
    from core.models import Channel

    rows = list(OutboundSms.objects.select_for_update().filter(
        pk__in=sms_ids, status__in=[OutboundSms.Status.FAILED, OutboundSms.Status.DEAD]).order_by("pk"))
    now = timezone.now()
    for sms in rows:
        old = {"status": sms.status, "attempts": sms.attempts}
        sms.status = OutboundSms.Status.QUEUED
        sms.attempts = 0
        sms.next_attempt_at = now
        sms.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        audit_record(actor=actor, verb="sms.retried", subject=sms, channel=Channel.ADMIN, old=old,
                     new={"status": sms.status}, reason=reason or _("Retried from the admin"))
    if rows:
        transaction.on_commit(_nudge)
    return len(rows)


DELIVERED_STATES = {"DELIVRD", "DELIVERED", "delivered"}
FAILED_STATES = {"UNDELIV", "REJECTD", "EXPIRED", "DELETED", "UNKNOWN", "failed", "undelivered"}


def _serialize_on(message_id: str) -> None:
    """Recording a gateway id and receiving a report for it take turns (PostgreSQL: a transaction-level advisory
    lock on the id), so a report that races the commit of its id is either matched at once or seen by the
    recorder; it can never fall between the two."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [message_id])


def _apply_report(sms: OutboundSms, state: str) -> None:
    if state in DELIVERED_STATES and sms.status in (OutboundSms.Status.SENT, OutboundSms.Status.FAILED):
        sms.status = OutboundSms.Status.DELIVERED
        sms.delivered_at = timezone.now()
        sms.next_attempt_at = None
        sms.save(update_fields=["status", "delivered_at", "next_attempt_at", "updated_at"])
    elif state in FAILED_STATES and sms.status == OutboundSms.Status.SENT:
        sms.last_error = f"delivery report: {state}"[:2000]
        sms.save(update_fields=["last_error", "updated_at"])


def _match_reports(sms: OutboundSms) -> int:
    """Apply the reports that arrived before this message's gateway id was recorded, oldest first."""
    reports = list(DeliveryReport.objects.filter(gateway_message_id=sms.gateway_message_id, sms__isnull=True)
                   .order_by("received_at", "id"))
    for report in reports:
        _apply_report(sms, report.state)
        report.sms, report.matched_at = sms, timezone.now()
        report.save(update_fields=["sms", "matched_at"])
    return len(reports)


def reports_match_pending(*, limit: int = 500) -> int:
    """Sweep: match kept reports whose gateway id has been recorded since (each under its id's lock)."""
    known = OutboundSms.objects.filter(gateway_message_id=OuterRef("gateway_message_id"))
    ids = list(DeliveryReport.objects.filter(sms__isnull=True).filter(Exists(known))
               .values_list("gateway_message_id", flat=True).distinct()[:limit])
    matched = 0
    for message_id in ids:
        with transaction.atomic():
            _serialize_on(message_id)
            sms = (OutboundSms.objects.select_for_update().filter(gateway_message_id=message_id)
                   .order_by("-id").first())
            if sms is not None:
                matched += _match_reports(sms)
    return matched


@transaction.atomic
def sms_delivery_report(*, gateway_message_id: str, state: str) -> tuple[DeliveryReport, OutboundSms | None]:
    """A delivery report from the gateway, always kept. DELIVRD marks its message delivered; a report whose id
    is not (yet) recorded stays unmatched until the id lands (or a supervisor reviews it)."""
    _serialize_on(gateway_message_id)
    sms = (OutboundSms.objects.select_for_update()
           .filter(gateway_message_id=gateway_message_id).order_by("-id").first())
    report = DeliveryReport.objects.create(gateway_message_id=gateway_message_id, state=state[:40], sms=sms,
                                           matched_at=timezone.now() if sms else None)
    if sms is not None:
        _apply_report(sms, state)
    return report, sms
