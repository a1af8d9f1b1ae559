"""Logs without personal data (issue 16): MSISDNs and NIKs are masked in what the application writes."""

import io
import logging
import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from core.jobs import job_run
from core.log_masking import PersonalDataFilter, mask_personal_data
from core.outbox import sms_dispatch, sms_enqueue
from tests.accounts.factories import CustomerFactory, LineFactory, identity_checked
from tests.core.factories import SmsTemplateFactory

FULL_MSISDN = re.compile(r"(?<![\d+])(?:\+62|62|0)8\d{7,11}(?!\d)")
FULL_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")


@pytest.mark.parametrize(("text", "expected"), [
    ("SMS to +6281234567890 sent", "SMS to ***********890 sent"),
    ("line 081234567890,", "line *********890,"),
    ("msisdn=6281234567890&x", "msisdn=**********890&x"),
    ("NIK 3171234501900001 checked", "NIK *************001 checked"),
    ("job 2026-11-22 chunk 5000 of 123456", "job 2026-11-22 chunk 5000 of 123456"),
    ("ICCID 8962101234567890123", "ICCID 8962101234567890123"),
])
def test_mask(text, expected):
    assert mask_personal_data(text) == expected


@pytest.fixture
def app_log():
    """What the configured console handler writes (the LOGGING setting's own filter), captured in a buffer."""
    handlers = [handler for handler in logging.getLogger().handlers
                if any(isinstance(item, PersonalDataFilter) for item in handler.filters)]
    assert handlers, "the console handler must carry core.log_masking.PersonalDataFilter"
    buffer = io.StringIO()
    old_streams = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, old_streams, strict=True):
        handler.setStream(stream)


def _journeys(agent):
    """An agent's pages, a customer SMS through the console backend, a channel call refused, a job that fails."""
    line = LineFactory(msisdn="+6281299887766", customer=CustomerFactory(id_number="3171234501900001"))
    client = Client()
    client.force_login(agent)
    client.get(reverse("accounts:search"), {"q": "081299887766"})
    client.get(reverse("accounts:line_detail", args=[line.pk]))
    identity_checked(line.customer, agent)
    client.post(reverse("accounts:customer_identity", args=[line.customer_id]), {"reason": "SIM replacement"})
    client.get(reverse("accounts:search"), {"q": "3171234501900001"})
    SmsTemplateFactory(code="log-test", text_id="Nomor {msisdn} aktif.", text_en="Number {msisdn} active.",
                       variables="msisdn")
    sms_enqueue(msisdn=line.msisdn, template_code="log-test", context={"msisdn": "081299887766"}, dedup_key="log-1",
                line=line)
    with override_settings(SMS_BACKEND="console"):
        sms_dispatch()
    Client().get("/api/v1/lines/081299887766", HTTP_AUTHORIZATION="Token wrong")
    Client().get("/security/no-such-page/6281299887766/")

    def failing_chunk():
        raise ValueError(f"line {line.msisdn} of NIK {line.customer.id_number} is inconsistent")

    with pytest.raises(ValueError):
        job_run(job="test.failing", period_key="2026-12-01", chunk=failing_chunk)


def test_the_journeys_log_no_full_msisdn_or_nik(app_log, agent):
    # when
    _journeys(agent)
    # then: the log was written (SMS, refused call, failed job with its traceback) …
    output = app_log.getvalue()
    assert "SMS to" in output and "job test.failing 2026-12-01 failed" in output and "Traceback" in output
    assert "Unauthorized: /api/v1/lines/*********766" in output
    # … and holds no full number in any form
    assert not FULL_MSISDN.findall(output), FULL_MSISDN.findall(output)
    assert not FULL_NIK.findall(output), FULL_NIK.findall(output)
    for secret in ("6281299887766", "81299887766", "3171234501900001"):
        assert secret not in output
