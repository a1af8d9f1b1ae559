"""TP-04: one last covered day everywhere (31 Aug → 27 Feb): SMS, USSD, agent tab, claim refusal and API."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from core.models import OutboundSms
from core.ussd import ussd_answer
from core.verdicts import RuleViolation
from protection.rules import claim_eligibility
from protection.services import claim_file
from tests.core.factories import make_client
from tests.protection.factories import enroll

pytestmark = pytest.mark.django_db

START = dt.date(2026, 8, 31)
LAST_DAY = dt.date(2027, 2, 27)  # the day before 28 Feb 2027 (31 Aug + 6 calendar months)


@pytest.mark.rule("TP-04")
def test_tp04_last_covered_day_is_the_day_before_the_same_date_six_months_later():
    enrollment = enroll(start=START)
    assert enrollment.last_covered_day == LAST_DAY
    assert enrollment.end_date == LAST_DAY + dt.timedelta(days=1)  # the first day not covered


@pytest.mark.rule("TP-04")
def test_tp04_sms_ussd_tab_and_api_name_the_same_last_covered_day(agent_client, client):
    # given a subscription made on 31 Aug 2026
    enrollment = enroll(start=START)
    line = enrollment.line
    # then the confirmation SMS names 27-02-2027
    sms = OutboundSms.objects.get(line=line, template_code="protection_enrolled")
    assert "27-02-2027" in sms.text and "28-02-2027" not in sms.text
    # the USSD status
    with translation.override("en"):
        screen = ussd_answer(session_id="tp04", service_code="*500*777#", msisdn=line.msisdn, text="3")
    assert "27-02-2027" in screen and "28-02-2027" not in screen
    # the agent tab
    page = agent_client.get(reverse("accounts:line_tab", args=[line.pk, "protection"])).content.decode()
    assert "27-02-2027" in page and "28-02-2027" not in page
    # and the API, which names the field for what it is
    _, key = make_client(kind="partner")
    body = client.get(f"/api/v1/lines/{line.msisdn_national}/protection",
                      HTTP_AUTHORIZATION=f"Token {key}").json()["enrollment"]
    assert body["last_covered_day"] == "2027-02-27"


@pytest.mark.rule("TP-04")
def test_tp04_claim_on_the_last_covered_day_is_accepted_the_day_after_refused():
    enrollment = enroll(start=START)
    # the day of: accepted
    assert claim_eligibility(enrollment=enrollment, imei=enrollment.imei, today=LAST_DAY).allowed
    # the day after: refused, naming the same last covered day
    with translation.override("en"), pytest.raises(RuleViolation) as refused:
        claim_file(enrollment=enrollment, imei=enrollment.imei, damage="cracked screen", actor_label="t",
                   today=LAST_DAY + dt.timedelta(days=1))
    assert refused.value.codes == ["period_ended"]
    assert "27-02-2027" in refused.value.messages[0]
    claim = claim_file(enrollment=enrollment, imei=enrollment.imei, damage="cracked screen", actor_label="t",
                       today=LAST_DAY)
    assert claim.filed_on == LAST_DAY
