"""BIL-09 statement SMS, BIL-10 PPN line, BIL-11 late-rated usage: services, the agent's bill view, the API."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from billing import tasks
from billing.models import Bill, BillCharge, UsageRecord
from billing.ppn import ppn_amount
from billing.services import bill_statement_resend, cycles_close_chunk, usage_record
from billing.services.bills import _bill_issue
from core.models import AuditEvent, OutboundSms, Parameter
from core.verdicts import RuleViolation
from tests.billing.factories import limit_of, open_line
from tests.core.factories import make_client

pytestmark = pytest.mark.django_db
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
NOV1, DEC1, JAN1 = dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)


def november_bill(**line_kwargs) -> Bill:
    line = open_line(**line_kwargs)  # Halo Kick: Rp 100.000 package fee in November
    tasks.cycle_close(today=DEC1)
    return Bill.objects.get(billing_account=line.billing_account)


def statements(bill: Bill) -> list[OutboundSms]:
    return list(OutboundSms.objects.filter(template_code="billing_bill_statement", dedup_key__contains=f":{bill.pk}")
                .order_by("id"))


# --- BIL-10: PPN ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("taxable", "ppn"), [
    (0, 0), (9, 0), (10, 1), (100, 11), (199, 21), (12_345, 1_357), (162_345, 17_857), (-100_000, -11_000),
    (-9, 0), (-12_345, -1_357),
])
@pytest.mark.rule("BIL-10")
def test_bil10_ppn_is_rounded_down_to_the_rupiah(taxable, ppn):
    """BIL-10: 11 % of the taxable charges; fractions of a rupiah dropped (towards zero for a net credit)."""
    assert ppn_amount(taxable=taxable, percent=11) == ppn


@pytest.mark.rule("BIL-10")
def test_bil10_bill_has_its_ppn_line_from_the_rule_parameter():
    """BIL-10: the rate is the admin-editable ppn_percent parameter, recorded on the bill."""
    # given the supervisor set PPN to 12 %
    Parameter.objects.filter(code="ppn_percent").update(value=12)
    # when November's bill is issued (Rp 100.000 package fee)
    bill = november_bill()
    # then
    assert (bill.taxable_amount, bill.ppn_percent, bill.ppn, bill.total) == (100_000, 12, 12_000, 112_000)


@pytest.mark.rule("BIL-10")
def test_bil10_tecprotec_and_payments_are_not_taxed():
    """BIL-10 Decision: the TecProtec premium and payments during the cycle are not PPN's base."""
    from billing.services import bill_charge_add

    line = open_line()
    bill_charge_add(billing_account=line.billing_account, line=line, source="tecprotec", source_ref="tp:x",
                    amount=20_000, description="TecProtec 1/6", charged_on=dt.date(2026, 11, 20))
    tasks.cycle_close(today=DEC1)
    bill = Bill.objects.get(billing_account=line.billing_account)
    assert (bill.taxable_amount, bill.ppn, bill.subtotal, bill.total) == (100_000, 11_000, 120_000, 131_000)


# --- BIL-09: statement SMS --------------------------------------------------------------------------------------


@pytest.mark.rule("BIL-09")
def test_bil09_issuing_a_bill_queues_its_statement_once_in_indonesian():
    """BIL-09: amount (with PPN), due date and how to pay; brand and outlet from settings; once per bill."""
    bill = november_bill()
    [sms] = statements(bill)
    assert sms.language == "id" and sms.line.billing_account_id == bill.billing_account_id
    assert "Rp 111.000" in sms.text and "PPN Rp 11.000" in sms.text and "21-12-2026" in sms.text
    assert "KartuHalo" in sms.text and "GraPARI" in sms.text and bill.billing_account.number in sms.text
    # a forced re-run of the bill job sends nothing more
    tasks.cycle_close(today=DEC1, force=True)
    assert len(statements(bill)) == 1


@pytest.mark.rule("BIL-09")
def test_bil09_statement_in_the_customers_language_with_brand_from_settings(settings):
    settings.CUSTOMER_POSTPAID_BRAND = "HaloPlus"
    settings.CUSTOMER_OUTLET_NAME = "Service Point"
    bill = november_bill(customer__language="en")
    [sms] = statements(bill)
    assert sms.language == "en"
    assert sms.text.startswith("HaloPlus bill for account") and "Pay at Service Point" in sms.text
    assert "due 21-12-2026" in sms.text and "KartuHalo" not in sms.text


@pytest.mark.rule("BIL-09")
def test_bil09_final_bill_of_a_terminated_account_goes_to_the_contact_number():
    """BIL-09: the bill-issuing function itself sends it, so a final bill (no active line left) gets it too."""
    line = open_line(customer__contact_phone="0813 1111 2222")
    line.status, line.terminated_on = "terminated", dt.date(2026, 11, 15)
    line.save()
    bill = _bill_issue(account_id=line.billing_account_id, period_start=NOV1, period_end=dt.date(2026, 11, 15),
                       today=dt.date(2026, 11, 16))
    [sms] = statements(bill)
    assert sms.msisdn == "+6281311112222" and sms.line is None


@pytest.mark.rule("BIL-09")
def test_bil09_no_number_at_all_writes_no_sms_but_the_bill():
    line = open_line(customer__contact_phone="")
    line.status, line.terminated_on = "terminated", dt.date(2026, 11, 15)
    line.save()
    bill = _bill_issue(account_id=line.billing_account_id, period_start=NOV1, period_end=dt.date(2026, 11, 15),
                       today=dt.date(2026, 11, 16))
    assert bill.total == 111_000 and statements(bill) == []
    with pytest.raises(RuleViolation) as refused:
        bill_statement_resend(bill=bill, actor=None, reason="not received")
    assert refused.value.codes == ["no_recipient"]


@pytest.mark.rule("BIL-09")
def test_bil09_resend_is_a_new_outbox_row_with_its_own_key_and_an_audit_event(agent):
    bill = november_bill()
    first = bill_statement_resend(bill=bill, actor=agent, reason="Customer says the SMS did not arrive")
    second = bill_statement_resend(bill=bill, actor=agent, reason="Still nothing")
    rows = statements(bill)
    assert len(rows) == 3 and len({row.dedup_key for row in rows}) == 3
    assert first.text == rows[0].text and second.status == OutboundSms.Status.QUEUED
    events = AuditEvent.objects.filter(verb="bill.statement_resent").order_by("id")
    assert [event.reason for event in events] == ["Customer says the SMS did not arrive", "Still nothing"]
    assert events[0].actor == agent and events[0].new["bill"] == bill.pk and events[0].line_id is not None
    bill.refresh_from_db()
    assert bill.due_date == dt.date(2026, 12, 21)  # not receiving the bill does not excuse payment (BIL-01)


@pytest.mark.parametrize("reason", ["", "   "])
@pytest.mark.rule("BIL-09")
def test_bil09_resend_needs_a_reason_and_writes_nothing(agent, reason):
    bill = november_bill()
    with pytest.raises(RuleViolation) as refused:
        bill_statement_resend(bill=bill, actor=agent, reason=reason)
    assert refused.value.codes == ["reason_required"]
    assert len(statements(bill)) == 1 and not AuditEvent.objects.filter(verb="bill.statement_resent").exists()


@pytest.mark.rule("BIL-09")
def test_bil09_agent_resends_from_the_bill_view(agent_client):
    bill = november_bill()
    url = reverse("billing:statement_resend", args=[bill.pk])
    # a missing reason is answered on the form, nothing written
    response = agent_client.post(url, {"reason": "", "confirm": "on"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert len(statements(bill)) == 1
    # with a reason
    response = agent_client.post(url, {"reason": "Not received", "confirm": "on"}, follow=True)
    html = response.content.decode()
    assert "queued again" in html and len(statements(bill)) == 2
    assert html.count("Rp 111.000") >= 2  # the bill's total and the two SMS rows' text


@pytest.mark.rule("BIL-10", "BIL-11")
def test_bil10_bil11_agent_bill_view_shows_lines_ppn_and_late_usage(agent_client):
    line = open_line()
    tasks.cycle_close(today=DEC1)
    usage_record(record_id="roam-late", line=line, scope="international", category="roaming_sms_data", amount=45_000,
                 occurred_at=dt.datetime(2026, 11, 30, 23, 59, tzinfo=WIB))
    tasks.cycle_close(today=JAN1)
    bill = Bill.objects.get(billing_account=line.billing_account, period_start=DEC1)
    html = agent_client.get(reverse("billing:bill_detail", args=[bill.pk])).content.decode()
    assert 'id="ppn-line"' in html and "VAT (PPN) 11 % of the taxable Rp 145.000" in html and "Rp 15.950" in html
    assert "usage of the period 01-11-2026 – 30-11-2026, rated late" in html
    agent_client.post(reverse("language_set"), {"language": "id"})
    html = agent_client.get(reverse("billing:bill_detail", args=[bill.pk])).content.decode()
    assert "pemakaian periode 01-11-2026 – 30-11-2026, dinilai terlambat" in html


# --- BIL-11: late-rated usage -----------------------------------------------------------------------------------


@pytest.mark.rule("BIL-11")
def test_bil11_usage_of_the_closed_cycles_last_day_goes_on_the_next_bill_marked_with_its_cycle():
    """BIL-11: a roaming record dated 30 Nov 23:59 WIB arriving after November closed."""
    # given November closed and billed
    line = open_line()
    tasks.cycle_close(today=DEC1)
    november = Bill.objects.get(billing_account=line.billing_account)
    # when the record arrives in December
    record, created = usage_record(record_id="roam-1", line=line, scope="international", category="roaming_sms_data",
                                   amount=45_000, occurred_at=dt.datetime(2026, 11, 30, 23, 59, tzinfo=WIB))
    # then it belongs to November, is charged in December's cycle and does not count against December's limit
    assert created and (record.cycle_start, record.late_cycle_start, record.counted) == (DEC1, NOV1, False)
    assert limit_of(line, "international").used == 0
    tasks.cycle_close(today=JAN1)
    december = Bill.objects.get(billing_account=line.billing_account, period_start=DEC1)
    late = BillCharge.objects.get(bill=december, usage_cycle_start__isnull=False)
    assert (late.amount, late.usage_cycle_start, late.usage_cycle_end) == (45_000, NOV1, dt.date(2026, 11, 30))
    assert november.total == 111_000 and december.total == (100_000 + 45_000) * 111 // 100
    with translation.override("en"):
        assert late.label.endswith("(usage of the period 01-11-2026 – 30-11-2026, rated late)")
    with translation.override("id"):
        assert late.label.endswith("(pemakaian periode 01-11-2026 – 30-11-2026, dinilai terlambat)")


@pytest.mark.rule("BIL-11")
def test_bil11_usage_of_the_new_cycles_first_day_is_ordinary_usage():
    """BIL-11 boundary: 1 Dec 00:00 WIB is December's own usage: counted, not marked."""
    line = open_line()
    cycles_close_chunk(today=DEC1)
    record, _ = usage_record(record_id="roam-2", line=line, scope="international", category="roaming_sms_data",
                             amount=45_000, occurred_at=dt.datetime(2026, 12, 1, 0, 0, tzinfo=WIB))
    assert (record.cycle_start, record.late_cycle_start, record.counted) == (DEC1, None, True)
    assert limit_of(line, "international").used == 45_000
    tasks.cycle_close(today=JAN1)
    december = Bill.objects.get(billing_account=line.billing_account, period_start=DEC1)
    assert not BillCharge.objects.filter(bill=december, usage_cycle_start__isnull=False).exists()


@pytest.mark.rule("BIL-11")
def test_bil11_record_arriving_before_the_close_stays_in_its_own_cycle():
    """The cycle is still open (the close job has not run): a 30 Nov record is November's usage."""
    line = open_line()
    record, _ = usage_record(record_id="roam-3", line=line, scope="international", category="roaming_sms_data",
                             amount=45_000, occurred_at=dt.datetime(2026, 11, 30, 23, 59, tzinfo=WIB))
    assert (record.cycle_start, record.late_cycle_start) == (NOV1, None)
    assert UsageRecord.objects.get(pk=record.pk).counted is True


# --- API ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def app(db):
    _client, key = make_client(kind="app")
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.mark.rule("BIL-10")
def test_bil10_api_shows_each_bills_ppn_and_lines(client, app):
    bill = november_bill()
    line = bill.billing_account.lines.get()
    response = client.get(f"/api/v1/lines/{line.msisdn_national}/bills", **app)
    assert response.status_code == 200
    [body] = response.json()["bills"]
    assert (body["subtotal"], body["taxable_amount"], body["ppn_percent"], body["ppn"], body["total"]) == (
        100_000, 100_000, 11, 11_000, 111_000)
    assert body["due_date"] == "2026-12-21" and body["lines"][0]["usage_cycle_start"] is None


def test_bills_api_refuses_bad_requests(client, app):
    from tests.accounts.factories import LineFactory

    assert client.get("/api/v1/lines/081299999999/bills", **app).status_code == 404
    assert client.get("/api/v1/lines/12345/bills", **app).status_code == 400
    assert client.get(f"/api/v1/lines/{LineFactory().msisdn_national}/bills", **app).status_code == 422
    assert client.get("/api/v1/lines/081299999999/bills").status_code in (401, 403)
    _ussd, key = make_client(kind="ussd")
    assert client.get("/api/v1/lines/081299999999/bills", HTTP_AUTHORIZATION=f"Token {key}").status_code == 403


def test_bill_view_queries_do_not_grow_with_its_lines(agent_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.services import bill_charge_add

    def queries(bill):
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(reverse("billing:bill_detail", args=[bill.pk])).status_code == 200
        return len(captured)

    small = november_bill()
    line = open_line()
    for n in range(6):
        bill_charge_add(billing_account=line.billing_account, line=line, source="adjustment", source_ref=f"adj:{n}",
                        amount=1_000 + n, description=f"Adjustment {n}", charged_on=dt.date(2026, 11, 5))
    tasks.cycle_close(today=DEC1, force=True)
    big = Bill.objects.get(billing_account=line.billing_account)
    bill_statement_resend(bill=big, actor=None, reason="again")
    assert big.charges.count() == 7
    assert queries(big) == queries(small)


@pytest.mark.rule("BIL-11")
def test_bil11_a_package_fee_is_never_late_usage():
    """The basic package fee recorded when a line opens belongs to the cycle it opens, whatever the clock says."""
    line = open_line(today=dt.date(2031, 3, 10))
    fee = UsageRecord.objects.get(line=line, category__code="basic_package")
    assert (fee.cycle_start, fee.late_cycle_start, fee.counted) == (dt.date(2031, 3, 1), None, True)
    assert limit_of(line).used == 100_000


@pytest.mark.rule("BIL-09")
def test_bil09_bills_tab_offers_the_resend_and_shows_the_ppn(agent_client):
    bill = november_bill()
    line = bill.billing_account.lines.get()
    html = agent_client.get(reverse("accounts:line_tab", args=[line.pk, "bills"])).content.decode()
    assert reverse("billing:statement_resend", args=[bill.pk]) in html
    assert reverse("billing:bill_detail", args=[bill.pk]) in html and "Rp 11.000" in html
