"""The shared contracts other apps import: names and signatures exist and work together."""

import pytest
from django.db import transaction

from core.jobs import ChunkResult, job_run
from core.models import JobRun, OutboundSms
from core.outbox import sms_enqueue
from core.ussd import UssdRequest, con, end, register_menu, ussd_answer
from tests.core.factories import SmsTemplateFactory, make_client


@pytest.mark.django_db
def test_contracts_work_end_to_end(client):
    # given
    SmsTemplateFactory(code="test-usage-80", variables="percent,limit")
    api_client, key = make_client(kind="ussd")
    # when
    with transaction.atomic():
        sms = sms_enqueue(msisdn="081234567890", template_code="test-usage-80",
                          context={"percent": 80, "limit": "Rp 1"}, dedup_key="k1")
    rows = iter([ChunkResult(selected=2, changed=2), ChunkResult(selected=0)])
    run = job_run(job="demo", period_key="2026-11-22", chunk=lambda: next(rows))
    register_menu("*999#", lambda req: end("bye") if req.inputs else con("hi"))
    response = client.post("/api/v1/ussd", {"sessionId": "s1", "serviceCode": "*999#", "phoneNumber": "081234567890",
                                            "text": ""}, HTTP_AUTHORIZATION=f"Token {key}")
    # then
    assert OutboundSms.objects.get().pk == sms.pk
    assert sms.text == "Pemakaian Anda 80% dari batas Rp 1."
    assert run.status == JobRun.Status.SUCCEEDED and run.changed == 2
    assert response.status_code == 200 and response.content == b"CON hi"
    assert ussd_answer(session_id="s", service_code="*999#", msisdn="+6281234567890", text="1") == "END bye"
    assert isinstance(UssdRequest("s", "*1#", "+62", []).inputs, list)
