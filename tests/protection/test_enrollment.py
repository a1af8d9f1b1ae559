import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Line
from core.models import AuditEvent, OutboundSms
from core.verdicts import RuleViolation
from protection.models import Enrollment, Installment, LineDevice
from protection.selectors import product_current
from protection.services import enrollment_terminate, line_device_set, protection_enroll
from tests.accounts.factories import LineFactory, PostpaidLineFactory
from tests.protection.factories import enroll, new_imei, postpaid_line_with_device, receipt_file

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 2)


def _codes(excinfo) -> list[str]:
    return excinfo.value.codes


# --- devices (TP-05) -------------------------------------------------------------------------------------------------


@pytest.mark.rule("TP-05")
def test_line_device_set_records_the_imei_and_audits_a_change():
    # given
    line = PostpaidLineFactory()
    first, second = new_imei(), new_imei()
    # when
    line_device_set(line=line, imei=first, actor_label="hlr")
    line_device_set(line=line, imei=first, actor_label="hlr")
    line_device_set(line=line, imei=second, actor_label="hlr")
    # then
    assert LineDevice.objects.get(line=line).imei == second
    events = list(AuditEvent.objects.filter(line=line, verb="protection.device_seen").order_by("id"))
    assert [(e.old, e.new) for e in events] == [(None, first), (first, second)]
    assert events[0].actor_label == "hlr"


@pytest.mark.rule("TP-05")
@pytest.mark.parametrize("bad", ["12345", "35000000000000a", "350000000000001", ""])
def test_line_device_set_refuses_an_invalid_imei(bad):
    # TP-05: 15 digits, Luhn
    line = PostpaidLineFactory()
    with pytest.raises(RuleViolation) as excinfo:
        line_device_set(line=line, imei=bad)
    assert _codes(excinfo) == ["imei_invalid"]
    assert not LineDevice.objects.exists()


# --- enrollment -------------------------------------------------------------------------------------------------------


@pytest.mark.rule("TP-02", "TP-03", "TP-04", "TP-05", "TP-07")
def test_enroll_at_grapari_creates_the_subscription_first_instalment_audit_and_sms(agent):
    # given a postpaid line whose phone the network has seen
    line = postpaid_line_with_device()
    imei = line.device.imei
    # when
    enrollment = protection_enroll(
        line=line, payment_option="monthly", channel="grapari", actor=agent, today=START,
        purchase_date=dt.date(2025, 12, 1), receipt_number="INV-77", receipt=receipt_file("png"),
    )
    # then TP-04: six calendar months; TP-07: claims from day 14
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert (enrollment.start_date, enrollment.end_date) == (START, dt.date(2026, 9, 2))
    assert enrollment.claims_from == dt.date(2026, 3, 16)
    assert enrollment.imei == imei  # TP-05: the IMEI registered first
    assert (enrollment.installment_amount, enrollment.installment_count) == (20_000, 6)
    assert enrollment.receipt.name.endswith(".png") and enrollment.receipt_number == "INV-77"
    # TP-03: the first month is charged at once, the next one a calendar month later
    assert list(enrollment.installments.values_list("month_index", "amount", "due_on")) == [(1, 20_000, START)]
    assert enrollment.next_charge_on == dt.date(2026, 4, 2)
    event = AuditEvent.objects.get(verb="protection.enrolled")
    assert event.actor == agent and event.line_id == line.pk and event.new["imei"] == imei
    # TP-02: SMS through the outbox
    sms = OutboundSms.objects.get(template_code="protection_enrolled")
    assert sms.msisdn == line.msisdn and imei in sms.text and "Rp 20.000" in sms.text


@pytest.mark.rule("TP-03")
def test_enroll_upfront_charges_100000_once():
    # TP-03
    enrollment = enroll(option="upfront")
    assert (enrollment.installment_amount, enrollment.installment_count) == (100_000, 1)
    assert list(enrollment.installments.values_list("month_index", "amount")) == [(1, 100_000)]
    assert enrollment.next_charge_on is None


@pytest.mark.rule("TP-04")
def test_enroll_on_31_august_ends_on_the_last_day_of_february():
    # TP-04: a calendar-month step (Aug 31 + 6 months = Feb 28, or 29 in a leap year)
    assert enroll(start=dt.date(2026, 8, 31)).end_date == dt.date(2027, 2, 28)
    assert enroll(start=dt.date(2027, 8, 31)).end_date == dt.date(2028, 2, 29)


@pytest.mark.rule("TP-01")
def test_enroll_refuses_a_prepaid_line_and_writes_nothing():
    # TP-01
    line = LineFactory(kind=Line.Kind.PREPAID)
    line_device_set(line=line, imei=new_imei())
    with pytest.raises(RuleViolation) as excinfo:
        protection_enroll(line=line, payment_option="monthly", channel="umb", today=START)
    assert "not_postpaid" in _codes(excinfo)
    assert not Enrollment.objects.exists() and not OutboundSms.objects.exists()


@pytest.mark.rule("TP-05")
def test_enroll_refuses_a_line_without_known_imei():
    line = PostpaidLineFactory()
    with pytest.raises(RuleViolation) as excinfo:
        protection_enroll(line=line, payment_option="monthly", channel="umb", today=START)
    assert _codes(excinfo) == ["imei_unknown"]


def test_enroll_refuses_a_second_active_enrollment_on_the_line():
    enrollment = enroll()
    with pytest.raises(RuleViolation) as excinfo:
        enroll(enrollment.line)
    assert _codes(excinfo) == ["already_enrolled"]
    assert Enrollment.objects.count() == 1


@pytest.mark.rule("TP-05")
def test_one_imei_is_never_covered_twice_at_once():
    # TP-05: the same phone put on a second line
    first = enroll()
    other = postpaid_line_with_device(imei=first.imei)
    with pytest.raises(RuleViolation) as excinfo:
        enroll(other)
    assert _codes(excinfo) == ["imei_already_covered"]


@pytest.mark.rule("TP-05")
def test_the_database_refuses_two_active_enrollments_for_one_imei_or_line():
    # given one active enrollment
    enrollment = enroll()
    other = PostpaidLineFactory()
    fields = {f.attname: getattr(enrollment, f.attname) for f in Enrollment._meta.concrete_fields if f.name != "id"}
    # when / then: partial unique indexes
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(**{**fields, "line_id": other.pk})
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(**{**fields, "imei": new_imei()})
    # an ended one does not count
    Enrollment.objects.filter(pk=enrollment.pk).update(status="expired", next_charge_on=None)
    Enrollment.objects.create(**{**fields, "next_charge_on": None, "installments_charged": 0})


@pytest.mark.rule("TP-05")
def test_an_imei_may_be_covered_again_after_the_old_subscription_ended():
    first = enroll()
    enrollment_terminate(enrollment=first, actor=None, actor_label="t", reason="customer asked", today=START)
    other = postpaid_line_with_device(imei=first.imei)
    assert enroll(other).imei == first.imei


@pytest.mark.rule("TP-06")
def test_phone_exactly_24_months_old_is_accepted_one_day_older_refused():
    # TP-06 at its boundary: registered 2 Mar 2026, bought 2 Mar 2024 = exactly 24 months
    assert enroll(start=START, purchase_date=dt.date(2024, 3, 2)).status == "active"
    with pytest.raises(RuleViolation) as excinfo:
        enroll(start=START, purchase_date=dt.date(2024, 3, 1))
    assert _codes(excinfo) == ["device_too_old"]
    assert Enrollment.objects.count() == 1


@pytest.mark.rule("TP-06")
def test_grapari_enrollment_needs_purchase_date_receipt_number_and_upload():
    # TP-06
    line = postpaid_line_with_device()
    cases = [
        ({"receipt_number": "X", "receipt": receipt_file()}, "receipt_required"),
        ({"purchase_date": dt.date(2026, 1, 1), "receipt": receipt_file()}, "receipt_number_required"),
        ({"purchase_date": dt.date(2026, 1, 1), "receipt_number": "X"}, "receipt_required"),
        ({"purchase_date": dt.date(2026, 4, 1), "receipt_number": "X", "receipt": receipt_file()},
         "purchase_date_future"),
    ]
    for extra, code in cases:
        with pytest.raises(RuleViolation) as excinfo:
            protection_enroll(line=line, payment_option="monthly", channel="grapari", today=START, **extra)
        assert _codes(excinfo) == [code]
    assert not Enrollment.objects.exists()


@pytest.mark.rule("TP-06")
def test_receipt_upload_checks_type_content_and_size():
    from django.core.files.uploadedfile import SimpleUploadedFile

    line = postpaid_line_with_device()
    max_bytes = product_current().receipt_max_kb * 1024
    bad = [
        (SimpleUploadedFile("r.txt", b"hello", content_type="text/plain"), "receipt_type"),
        (SimpleUploadedFile("r.pdf", b"GIF89a fake", content_type="application/pdf"), "receipt_type"),
        (SimpleUploadedFile("r.pdf", b"", content_type="application/pdf"), "receipt_invalid"),
        (receipt_file("pdf", size=max_bytes + 1), "receipt_too_large"),
    ]
    for upload, code in bad:
        with pytest.raises(RuleViolation) as excinfo:
            protection_enroll(line=line, payment_option="monthly", channel="grapari", today=START,
                              purchase_date=dt.date(2026, 1, 1), receipt_number="X", receipt=upload)
        assert _codes(excinfo) == [code]
    # at the limit and as JPEG: accepted
    enrollment = protection_enroll(line=line, payment_option="monthly", channel="grapari", today=START,
                                   purchase_date=dt.date(2026, 1, 1), receipt_number="X",
                                   receipt=receipt_file("jpeg", size=max_bytes))
    assert enrollment.pk


@pytest.mark.rule("TP-06")
def test_umb_enrollment_skips_the_receipt_and_uses_the_network_imei():
    # TP-06 via UMB: the receipt is checked at the first claim instead
    line = postpaid_line_with_device()
    enrollment = protection_enroll(line=line, payment_option="upfront", channel="umb", today=START,
                                   actor_label="ussd-gw")
    assert enrollment.purchase_date is None and enrollment.imei == line.device.imei
    assert AuditEvent.objects.get(verb="protection.enrolled").channel == "umb"


def test_enroll_refuses_unknown_payment_option_and_channel():
    line = postpaid_line_with_device()
    for kwargs, code in (({"payment_option": "weekly", "channel": "umb"}, "payment_option"),
                         ({"payment_option": "monthly", "channel": "app"}, "channel")):
        with pytest.raises(RuleViolation) as excinfo:
            protection_enroll(line=line, today=START, **kwargs)
        assert _codes(excinfo) == [code]


def test_enroll_refuses_an_inactive_line():
    line = postpaid_line_with_device()
    Line.objects.filter(pk=line.pk).update(status=Line.Status.INACTIVE)
    line.refresh_from_db()
    with pytest.raises(RuleViolation) as excinfo:
        protection_enroll(line=line, payment_option="monthly", channel="umb", today=START)
    assert _codes(excinfo) == ["line_not_active"]


@pytest.mark.rule("TP-05")
def test_explicit_imei_at_grapari_is_validated():
    line = postpaid_line_with_device()
    with pytest.raises(RuleViolation) as excinfo:
        protection_enroll(line=line, payment_option="monthly", channel="umb", today=START, imei="123")
    assert _codes(excinfo) == ["imei_invalid"]
    assert not Installment.objects.exists()
