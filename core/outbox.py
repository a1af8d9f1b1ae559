"""The transactional SMS outbox: `sms_enqueue` writes inside the caller's transaction; the dispatcher sends."""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.jobs import ChunkResult
from core.models import OutboundSms, SmsTemplate
from core.sms_backends import SmsSendError, get_backend
from core.sms_templates import placeholders

logger = logging.getLogger("core.sms")

PENDING = (OutboundSms.Status.QUEUED, OutboundSms.Status.FAILED)


class SmsTemplateError(ValueError):
    """A template is missing, or the context lacks one of its variables (a programming error, not a customer's)."""


def sms_render(*, template: SmsTemplate, language: str | None, context: dict) -> str:
    text = template.text_for(language)
    needed = placeholders(text)
    missing = sorted(needed - set(context))
    if missing:
        raise SmsTemplateError(f"SMS template {template.code} needs {', '.join(missing)}")
    return text.format(**{name: context[name] for name in needed})


def _nudge() -> None:
    """Wake the dispatcher after commit; the beat schedule is the guarantee, this only shortens the wait."""
    if not getattr(settings, "SMS_NUDGE_ON_COMMIT", False):
        return
    try:
        from core.tasks import sms_dispatch

        sms_dispatch.apply_async(countdown=1, ignore_result=True)
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


def sms_dispatch_chunk(*, limit: int = 100, now: dt.datetime | None = None, backend=None) -> ChunkResult:
    """Claim due rows with FOR UPDATE SKIP LOCKED and send them. The rows stay locked until this chunk commits,
    so two dispatchers never send one row twice; a crash before commit leaves them due again (at-least-once)."""
    now = now or timezone.now()
    backend = backend or get_backend()
    max_attempts = settings.SMS_MAX_ATTEMPTS
    changed = failed = 0
    with transaction.atomic():
        rows = list(
            OutboundSms.objects.select_for_update(skip_locked=True)
            .filter(status__in=PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:limit]
        )
        for sms in rows:
            sms.attempts += 1
            try:
                sms.gateway_message_id = backend.send(sms)[:100]
            except SmsSendError as exc:
                failed += 1
                sms.last_error = str(exc)[:2000]
                if sms.attempts >= max_attempts:
                    sms.status = OutboundSms.Status.DEAD
                    sms.next_attempt_at = None
                    logger.error("SMS %s dead after %s attempts: %s", sms.pk, sms.attempts, exc)
                else:
                    sms.status = OutboundSms.Status.FAILED
                    sms.next_attempt_at = now + retry_delay(sms.attempts)
            else:
                changed += 1
                sms.status = OutboundSms.Status.SENT
                sms.sent_at = timezone.now()
                sms.next_attempt_at = None
                sms.last_error = ""
            sms.save(update_fields=["attempts", "status", "next_attempt_at", "last_error", "gateway_message_id",
                                    "sent_at", "updated_at"])
    return ChunkResult(selected=len(rows), changed=changed, failed=failed)


def sms_dispatch(*, limit: int = 100, max_chunks: int = 50, backend=None) -> ChunkResult:
    """Send everything due, chunk by chunk (each chunk its own transaction). Returns the totals."""
    selected = changed = failed = 0
    for _chunk in range(max_chunks):
        result = sms_dispatch_chunk(limit=limit, backend=backend)
        selected += result.selected
        changed += result.changed
        failed += result.failed
        if result.selected < limit:
            break
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


@transaction.atomic
def sms_delivery_report(*, gateway_message_id: str, state: str) -> OutboundSms | None:
    """A delivery report from the gateway: DELIVRD marks the message delivered. Unknown ids return None."""
    sms = (OutboundSms.objects.select_for_update()
           .filter(gateway_message_id=gateway_message_id).order_by("-id").first())
    if sms is None:
        return None
    if state in DELIVERED_STATES and sms.status in (OutboundSms.Status.SENT, OutboundSms.Status.FAILED):
        sms.status = OutboundSms.Status.DELIVERED
        sms.delivered_at = timezone.now()
        sms.next_attempt_at = None
        sms.save(update_fields=["status", "delivered_at", "next_attempt_at", "updated_at"])
    elif state in FAILED_STATES and sms.status == OutboundSms.Status.SENT:
        sms.last_error = f"delivery report: {state}"[:2000]
        sms.save(update_fields=["last_error", "updated_at"])
    return sms
