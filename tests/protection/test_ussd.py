import pytest
from django.utils import translation

from accounts.models import Line
from core.models import OutboundSms
from core.ussd import ussd_answer
from protection.models import Enrollment
from protection.services import line_device_set
from tests.accounts.factories import LineFactory, PostpaidLineFactory
from tests.protection.factories import enroll, new_imei, postpaid_line_with_device

pytestmark = pytest.mark.django_db

CODE = "*500*777#"


def _ussd(line, text: str) -> str:
    with translation.override("en"):  # the texts asserted below are the English source strings
        return ussd_answer(session_id="s1", service_code=CODE, msisdn=line.msisdn, text=text)


def test_first_menu_has_three_options_and_2_is_daftar():
    line = postpaid_line_with_device()
    screen = _ussd(line, "")
    assert screen.startswith("CON ") and "1. Info" in screen and "2. Daftar" in screen and "3. Status" in screen


@pytest.mark.rule("TP-02")
def test_text_path_2_1_1_registers_a_monthly_plan_with_sms():
    # TP-02 end to end, one screen after another
    line = postpaid_line_with_device()
    assert "1. Bulanan" in _ussd(line, "2") and "2. 6 Bulan" in _ussd(line, "2")
    assert "1. YA" in _ussd(line, "2*1")
    screen = _ussd(line, "2*1*1")
    # then
    assert screen.startswith("END ") and line.device.imei in screen
    enrollment = Enrollment.objects.get(line=line)
    assert (enrollment.payment_option, enrollment.channel, enrollment.status) == ("monthly", "umb", "active")
    assert OutboundSms.objects.filter(line=line, template_code="protection_enrolled").count() == 1
    # every screen fits in 182 characters without being cut (the dispatcher cuts with "…")
    for text in ("", "1", "2", "2*1", "2*2", "3", "2*1*2"):
        screen = _ussd(line, text)
        assert len(screen) <= 182 and not screen.endswith("…"), (text, screen)


def test_path_2_2_1_registers_the_upfront_plan():
    line = postpaid_line_with_device()
    assert _ussd(line, "2*2*1").startswith("END ")
    assert Enrollment.objects.get(line=line).payment_option == "upfront"


def test_wrong_input_at_each_step_repeats_the_screen_with_an_error_and_creates_nothing():
    line = postpaid_line_with_device()
    for text in ("9", "2*7", "2*1*5", "x", "2*abc", "2*1*"):
        screen = _ussd(line, text)
        assert screen.startswith("CON ") and "Invalid choice" in screen, (text, screen)
    # a wrong input is consumed, then the right one goes on
    assert _ussd(line, "9*2*7*1*5*1").startswith("END ")
    assert Enrollment.objects.filter(line=line).count() == 1


def test_cancel_creates_nothing():
    line = postpaid_line_with_device()
    assert _ussd(line, "2*1*2").startswith("END ")
    assert not Enrollment.objects.exists()


@pytest.mark.rule("TP-01")
def test_prepaid_line_is_told_kartuhalo_only_and_nothing_is_created():
    # TP-01
    line = LineFactory(kind=Line.Kind.PREPAID)
    line_device_set(line=line, imei=new_imei())
    screen = _ussd(line, "2")
    assert screen.startswith("END ") and "KartuHalo" in screen
    assert _ussd(line, "2*1*1").startswith("END ")
    assert not Enrollment.objects.exists() and not OutboundSms.objects.exists()


def test_refusals_name_their_reason():
    no_device = PostpaidLineFactory()
    assert "IMEI" in _ussd(no_device, "2")
    enrolled = enroll().line
    screen = _ussd(enrolled, "2")
    assert screen.startswith("END ") and "already has TecProtec" in screen
    assert "TecProtec active until" in _ussd(enrolled, "3")
    assert "no TecProtec" in _ussd(no_device, "3")
    assert "Rp 20.000" in _ussd(no_device, "1")
