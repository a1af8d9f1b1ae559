import datetime as dt
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.identifiers import make_imei
from core.models import Channel
from protection.models import Enrollment
from protection.services import line_device_set, protection_enroll
from tests.accounts.factories import PostpaidLineFactory

_imei_numbers = itertools.count(5_000_000)

PDF = b"%PDF-1.4\n%receipt\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def new_imei() -> str:
    return make_imei(next(_imei_numbers))


def receipt_file(kind: str = "pdf", size: int | None = None) -> SimpleUploadedFile:
    content, content_type, name = {
        "pdf": (PDF, "application/pdf", "receipt.pdf"),
        "png": (PNG, "image/png", "receipt.png"),
        "jpeg": (JPEG, "image/jpeg", "receipt.jpg"),
    }[kind]
    if size is not None:
        content = content + b"\x00" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type=content_type)


def postpaid_line_with_device(imei: str | None = None, **kwargs):
    line = PostpaidLineFactory(**kwargs)
    line_device_set(line=line, imei=imei or new_imei(), actor_label="network-test")
    return line


def enroll(
    line=None, *, start: dt.date = dt.date(2026, 3, 2), option: str = Enrollment.PaymentOption.MONTHLY,
    channel: str = Channel.GRAPARI, purchase_date: dt.date | None = None, actor=None,
) -> Enrollment:
    """A subscription made through the service, as the agent or UMB would."""
    line = line or postpaid_line_with_device()
    extra = {}
    if channel == Channel.GRAPARI:
        extra = {"purchase_date": purchase_date or start - dt.timedelta(days=30), "receipt_number": "INV-001",
                 "receipt": receipt_file()}
    return protection_enroll(line=line, payment_option=option, channel=channel, actor=actor, today=start,
                             actor_label="" if actor else "ussd-test", **extra)
