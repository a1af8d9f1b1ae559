"""What every TecProtec write shares: refusals, the IMEI check, the receipt check, the confirmation SMS."""


from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Line
from core.identifiers import validate_imei
from core.verdicts import RuleViolation

RECEIPT_TYPES = {
    # content type → magic bytes at the start of the file
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}

SMS_ENROLLED = "protection_enrolled"
SMS_CLAIM_FILED = "protection_claim_filed"
SMS_TERMINATED = "protection_terminated"


def _refuse(code: str, message: str) -> RuleViolation:
    return RuleViolation.single(code, message)


def _clean_imei(value: str) -> str:
    try:
        return validate_imei(value)
    except ValidationError as exc:
        raise _refuse("imei_invalid", exc.messages[0]) from None


def _sms(*, line: Line, template_code: str, context: dict, dedup_key: str) -> None:
    """TP-02: the confirmation SMS goes through the transactional outbox, inside the caller's transaction."""
    from core.outbox import sms_enqueue

    sms_enqueue(msisdn=line.msisdn, template_code=template_code, context=context, dedup_key=dedup_key, line=line)


def receipt_validate(*, receipt, max_kb: int) -> None:
    """A receipt upload is an image (JPEG, PNG) or a PDF, checked by its declared type AND its first bytes."""
    if receipt is None:
        raise _refuse("receipt_required", _("Upload the official purchase receipt (image or PDF)."))
    if receipt.size > max_kb * 1024:
        raise _refuse("receipt_too_large", _("The receipt file is larger than %(kb)s KB.") % {"kb": max_kb})
    if receipt.size == 0:
        raise _refuse("receipt_invalid", _("The receipt file is empty."))
    content_type = (getattr(receipt, "content_type", "") or "").split(";")[0].strip().lower()
    magics = RECEIPT_TYPES.get(content_type)
    receipt.seek(0)
    head = receipt.read(16)
    receipt.seek(0)
    if magics is None or not any(head.startswith(magic) for magic in magics):
        raise _refuse("receipt_type", _("The receipt must be a JPEG or PNG image or a PDF."))
