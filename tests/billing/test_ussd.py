"""UMB menus (LIM-10): *888# Check Status → Credit Limit (Domestic), *111*11# change the domestic limit."""

import datetime as dt

import pytest

from billing.models import LimitChange
from core.dates import local_today
from core.models import AuditEvent
from core.ussd import USSD_MAX_CHARS, ussd_answer
from tests.accounts.factories import LineFactory
from tests.billing.factories import limit_of, open_line, set_limit
from tests.core.factories import make_client

pytestmark = pytest.mark.django_db


def dial(code, line, text=""):
    return ussd_answer(session_id="s1", service_code=code, msisdn=line.msisdn, text=text)


@pytest.fixture
def line(db):
    return open_line(today=local_today(), activated_on=dt.date(2024, 1, 1))


def test_888_check_status_credit_limit_domestic_over_http(client, line):
    # given the USSD gateway and 240.000 used of 300.000
    _c, key = make_client(kind="ussd")
    set_limit(line, 300_000, used=240_000)
    # when the customer dials *888# → 1 Check Status → 1 Credit Limit (Domestic)
    response = client.post("/api/v1/ussd", {"sessionId": "s", "serviceCode": "*888#", "phoneNumber": line.msisdn,
                                            "text": "1*1"}, HTTP_AUTHORIZATION=f"Token {key}")
    # then
    text = response.content.decode()
    assert text.startswith("END ")
    assert "Rp 300.000" in text and "Rp 240.000" in text and "80%" in text


def test_888_menu_screens(line):
    assert dial("*888#", line).startswith("CON ")
    assert "1." in dial("*888#", line, "1")
    assert "Rp 1.000.000" in dial("*888#", line, "1*2")
    assert dial("*888#", line, "9").startswith("CON ")  # invalid choice: the same screen again


def test_888_for_a_prepaid_number():
    assert dial("*888#", LineFactory()).startswith("END ")


@pytest.mark.rule("LIM-06", "LIM-08", "LIM-09", "LIM-10")
def test_111_11_shows_range_and_suggestion_then_changes_the_limit(line):
    # when the customer dials *111*11#
    first = dial("*111*11#", line)
    # then the allowed range and suggestion (LIM-06, LIM-09)
    assert first.startswith("CON ") and "Rp 300.000" in first and "Rp 5.000.000" in first
    assert len(first) <= USSD_MAX_CHARS
    # when entering an amount and confirming
    assert "Rp 750.000" in dial("*111*11#", line, "750000")
    done = dial("*111*11#", line, "750000*1")
    # then the limit changed through UMB (LIM-10)
    assert done.startswith("END ") and "Rp 750.000" in done
    assert limit_of(line).amount == 750_000
    change = LimitChange.objects.get(line=line, kind="change")
    assert (change.channel, change.actor, change.actor_label) == ("umb", None, "ussd:*111*11#")
    assert AuditEvent.objects.get(line=line, verb="limit.changed").channel == "umb"
    # and a second change this month is refused with the LIM-08 reason
    again = dial("*111*11#", line)
    assert again.startswith("END ") and limit_of(line).amount == 750_000


def test_111_11_out_of_range_amount_is_asked_again(line):
    reply = dial("*111*11#", line, "6000000")
    assert reply.startswith("CON ")
    assert limit_of(line).amount == 300_000
    assert dial("*111*11#", line, "abc").startswith("CON ")


def test_111_11_no_cancels(line):
    assert dial("*111*11#", line, "500000*2").startswith("END ")
    assert limit_of(line).amount == 300_000


def test_111_11_young_line_cannot_upgrade_but_sees_why(db):
    young = open_line(today=local_today(), activated_on=local_today() - dt.timedelta(days=20))
    first = dial("*111*11#", young)
    assert "Rp 300.000-Rp 300.000" in first  # upgrade not possible: the allowed maximum is the current limit
    reply = dial("*111*11#", young, "500000")
    assert reply.startswith("CON ") and "3" in reply
    assert limit_of(young).amount == 300_000


def test_111_11_prepaid():
    assert dial("*111*11#", LineFactory()).startswith("END ")
