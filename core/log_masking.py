"""Application logs without personal data: MSISDNs and NIKs are masked in every record before it is written."""

import logging
import re

# An Indonesian mobile number in any ACC-02 form (+628…, 628…, 08…), and a 16-digit NIK.
_MSISDN = re.compile(r"(?<![\d+])(?:\+62|62|0)8\d{7,11}(?!\d)")
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
SHOWN_DIGITS = 3


def _masked(match: re.Match) -> str:
    text = match.group(0)
    return "*" * (len(text) - SHOWN_DIGITS) + text[-SHOWN_DIGITS:]


def mask_personal_data(text: str) -> str:
    """'SMS to +6281234567890' → 'SMS to ***********890'; the last digits stay to tell numbers apart."""
    return _MSISDN.sub(_masked, _NIK.sub(_masked, text))


class PersonalDataFilter(logging.Filter):
    """On the handlers (not a logger), so it also sees records that propagate from every library's logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if masked != message:
            record.msg, record.args = masked, None
        return True
