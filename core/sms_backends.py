"""Where the SMS dispatcher sends: `console` (logs), `http` (a Jasmin-style HTTP gateway) or `memory` (tests).

A backend's `send(sms)` returns the gateway's message id, or raises SmsSendError (the dispatcher retries)."""

import http.client
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from core.log_masking import mask_personal_data

logger = logging.getLogger("core.sms")


class SmsSendError(Exception):
    """The gateway refused or did not answer; the message is retried later."""


class ConsoleBackend:
    def send(self, sms) -> str:
        logger.info("SMS to %s [%s]: %s", mask_personal_data(sms.msisdn), sms.template_code,
                    mask_personal_data(sms.text))
        return f"console-{sms.pk}"


@dataclass
class SentMessage:
    pk: int
    msisdn: str
    text: str
    message_id: str


class MemoryBackend:
    """Keeps what was sent in `MemoryBackend.sent` (like Django's mail.outbox); `fail_next` forces failures."""

    sent: list[SentMessage] = []
    failures: list[str] = []
    _lock = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.sent = []
            cls.failures = []

    @classmethod
    def fail_next(cls, count: int = 1, error: str = "gateway unavailable") -> None:
        with cls._lock:
            cls.failures.extend([error] * count)

    def send(self, sms) -> str:
        with self._lock:
            if self.failures:
                raise SmsSendError(self.failures.pop(0))
            message_id = f"mem-{sms.pk}-{len(self.sent) + 1}"
            self.sent.append(SentMessage(pk=sms.pk, msisdn=sms.msisdn, text=sms.text, message_id=message_id))
            return message_id


class HttpBackend:
    """Jasmin's HTTP API: POST `username, password, to, content` → 200 `Success "<message id>"`.

    Each message also carries `client-message-id` (the same on every attempt), the idempotency key that lets a
    gateway which keeps it answer a resend with the first message id instead of sending a copy. A non-2xx answer,
    no answer within SMS_HTTP_TIMEOUT_SECONDS, a reply that is not HTTP and a reply without `Success "…"` are
    each a failure, with the reply kept in the error."""

    def send(self, sms) -> str:
        url = settings.SMS_HTTP_URL
        if not url:
            raise SmsSendError("SMS_HTTP_URL is not configured")
        params = {
            "username": settings.SMS_HTTP_USERNAME,
            "password": settings.SMS_HTTP_PASSWORD,
            "to": sms.msisdn.lstrip("+"),
            "content": sms.text,
            "coding": "0" if sms.text.isascii() else "8",
            "client-message-id": sms.client_message_id,
        }
        dlr_url = getattr(settings, "SMS_HTTP_DLR_URL", "")
        if dlr_url:
            params.update({"dlr": "yes", "dlr-url": dlr_url, "dlr-level": "2", "dlr-method": "POST"})
        data = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_HTTP_TIMEOUT_SECONDS) as response:
                status = response.status
                body = response.read(2000).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            raise SmsSendError(f"gateway answered {exc.code}: {_reply(exc)}") from exc
        except TimeoutError as exc:
            raise SmsSendError(f"gateway did not answer within {settings.SMS_HTTP_TIMEOUT_SECONDS} s") from exc
        except http.client.HTTPException as exc:  # e.g. a plain-text line instead of an HTTP status line
            raise SmsSendError(f"gateway reply is not HTTP: {exc!r}"[:2000]) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SmsSendError(f"gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise SmsSendError(f"gateway answered {status}: {body}")
        match = SUCCESS.match(body.strip())
        if match is None:
            raise SmsSendError(f"unparseable gateway reply: {body!r}"[:2000])
        return match.group(1)


SUCCESS = re.compile(r'^Success "([^"]{1,100})"')


def _reply(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read(2000).decode("utf-8", "replace")
    except Exception:  # the body of an error answer is best effort
        return ""


BACKENDS = {
    "console": "core.sms_backends.ConsoleBackend",
    "memory": "core.sms_backends.MemoryBackend",
    "http": "core.sms_backends.HttpBackend",
}


def get_backend():
    name = settings.SMS_BACKEND
    return import_string(BACKENDS.get(name, name))()
