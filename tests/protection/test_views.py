import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.dates import local_today
from core.models import AuditEvent
from protection.models import Claim, Enrollment, LineDevice
from protection.services import claim_advance, claim_file
from tests.accounts.factories import LineFactory, UserFactory
from tests.protection.factories import enroll, new_imei, postpaid_line_with_device, receipt_file

pytestmark = pytest.mark.django_db


def _today_enrollment(**kwargs) -> Enrollment:
    return enroll(start=local_today() - dt.timedelta(days=20), **kwargs)


def _urls():
    enrollment = _today_enrollment()
    line = enrollment.line
    claim = claim_file(enrollment=enrollment, imei=enrollment.imei, damage="Screen", actor_label="t")
    return [
        reverse("protection:device_set", args=[line.pk]),
        reverse("protection:enroll", args=[line.pk]),
        reverse("protection:claim_new", args=[line.pk, enrollment.pk]),
        reverse("protection:terminate", args=[line.pk, enrollment.pk]),
        reverse("protection:claim_update", args=[line.pk, claim.pk]),
        reverse("accounts:line_tab", args=[line.pk, "protection"]),
        reverse("admin:protection_claim_changelist") + "?sla=breached",
        reverse("admin:protection_claim_event", args=[claim.pk]),
        reverse("admin:protection_enrollment_change", args=[enrollment.pk]),
        reverse("admin:protection_product_change", args=[enrollment.product_id]),
    ]


def test_every_page_redirects_anonymous_to_login(client):
    for url in _urls():
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_agent_sees_agent_pages_but_not_the_admin(agent_client):
    urls = _urls()
    for url in urls[:6]:
        assert agent_client.get(url).status_code == 200, url
    for url in urls[6:]:
        assert agent_client.get(url).status_code == 302, url  # admin login (not staff)


def test_supervisor_sees_every_page(supervisor_client):
    for url in _urls():
        assert supervisor_client.get(url).status_code == 200, url


def test_user_without_role_is_forbidden(client):
    client.force_login(UserFactory(username="norole"))
    line = postpaid_line_with_device()
    assert client.get(reverse("protection:enroll", args=[line.pk])).status_code == 403


def test_agent_enrolls_at_grapari_after_seeing_the_verdict(agent_client, agent):
    line = postpaid_line_with_device()
    url = reverse("protection:enroll", args=[line.pk])
    # given the form shows the verdict first: the phone's age is still to be checked
    page = agent_client.get(url)
    assert 'id="verdict"' in page.content.decode() and 'id="verdict-missing"' in page.content.decode()
    # a check with a too-old phone shows the refusal and writes nothing
    old = {"payment_option": "monthly", "purchase_date": "2020-01-01", "check": "1"}
    checked = agent_client.post(url, old)
    assert 'data-code="device_too_old"' in checked.content.decode()
    assert not Enrollment.objects.exists()
    # when
    response = agent_client.post(url, {"payment_option": "upfront", "purchase_date": local_today().isoformat(),
                                       "receipt_number": "INV-9", "receipt": receipt_file("pdf"), "confirm": "on"})
    # then
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(line=line)
    assert (enrollment.payment_option, enrollment.channel, enrollment.enrolled_by) == ("upfront", "grapari", agent)
    assert AuditEvent.objects.get(verb="protection.enrolled").outlet_id == agent.outlet_id


@pytest.mark.parametrize(("data", "field"), [
    ({"payment_option": "weekly"}, "payment_option"),
    ({"payment_option": "monthly", "imei": "123"}, "imei"),
    ({"payment_option": "monthly", "purchase_date": "31-31-2020"}, "purchase_date"),
    ({"payment_option": "monthly", "purchase_date": "2026-01-01", "receipt_number": "X"}, "receipt"),
    ({"payment_option": "monthly"}, "confirm"),
])
def test_enroll_form_bad_input_shows_errors_and_writes_nothing(agent_client, data, field):
    line = postpaid_line_with_device()
    response = agent_client.post(reverse("protection:enroll", args=[line.pk]), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Enrollment.objects.exists()


def test_enroll_refused_by_a_rule_shows_the_reason(agent_client):
    line = postpaid_line_with_device()
    response = agent_client.post(reverse("protection:enroll", args=[line.pk]), {
        "payment_option": "monthly", "purchase_date": "2026-01-01", "receipt_number": "X",
        "receipt": _text_file(), "confirm": "on"})
    assert response.status_code == 200
    assert len(response.context["form"].non_field_errors()) == 1  # receipt_type, in the agent's language
    assert not Enrollment.objects.exists()


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("r.txt", b"hello", content_type="text/plain")


def test_agent_files_a_claim_for_a_umb_subscription_with_the_receipt(agent_client):
    enrollment = _today_enrollment(channel="umb")
    url = reverse("protection:claim_new", args=[enrollment.line_id, enrollment.pk])
    page = agent_client.get(url)
    assert "receipt" in page.context["form"].fields and page.context["verdict"].allowed
    # without the receipt
    response = agent_client.post(url, {"imei": enrollment.imei, "damage": "Screen", "confirm": "on"})
    assert "receipt" in response.context["form"].errors and not Claim.objects.exists()
    # wrong phone: the rule refuses
    response = agent_client.post(url, {"imei": new_imei(), "damage": "Screen", "purchase_date": "2026-01-01",
                                       "receipt_number": "R", "receipt": receipt_file(), "confirm": "on"})
    assert response.status_code == 200 and not Claim.objects.exists()
    # when
    response = agent_client.post(url, {"imei": enrollment.imei, "damage": "Screen", "purchase_date": "2026-01-01",
                                       "receipt_number": "R", "receipt": receipt_file(), "confirm": "on"})
    assert response.status_code == 302
    assert Claim.objects.get().enrollment == enrollment


def test_agent_advances_a_claim_and_an_illegal_event_is_not_offered(agent_client):
    enrollment = _today_enrollment()
    claim = claim_file(enrollment=enrollment, imei=enrollment.imei, damage="Screen", actor_label="t")
    url = reverse("protection:claim_update", args=[enrollment.line_id, claim.pk])
    page = agent_client.get(url)
    assert [c for c, _label in page.context["form"].fields["event"].choices] == ["fee_paid", "rejected"]
    bad = agent_client.post(url, {"event": "returned", "repair_cost": 5, "confirm": "on"})
    assert "event" in bad.context["form"].errors
    missing = agent_client.post(url, {"event": "rejected", "confirm": "on"})
    assert "reason" in missing.context["form"].errors
    assert agent_client.post(url, {"event": "fee_paid", "confirm": "on"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "fee_paid"


def test_agent_terminates_with_a_reason(agent_client):
    enrollment = _today_enrollment()
    url = reverse("protection:terminate", args=[enrollment.line_id, enrollment.pk])
    assert "reason" in agent_client.post(url, {"reason": "", "confirm": "on"}).context["form"].errors
    assert "confirm" in agent_client.post(url, {"reason": "sold"}).context["form"].errors
    assert agent_client.post(url, {"reason": "Sold the phone", "confirm": "on"}).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == "terminated"


def test_agent_records_the_device_imei(agent_client):
    line = postpaid_line_with_device()
    url = reverse("protection:device_set", args=[line.pk])
    assert "imei" in agent_client.post(url, {"imei": "1234"}).context["form"].errors
    imei = new_imei()
    assert agent_client.post(url, {"imei": imei}).status_code == 302
    assert LineDevice.objects.get(line=line).imei == imei


def test_pages_of_another_lines_enrollment_are_404(agent_client):
    enrollment = _today_enrollment()
    other = postpaid_line_with_device()
    assert agent_client.get(reverse("protection:terminate", args=[other.pk, enrollment.pk])).status_code == 404


def test_tab_shows_claims_with_sla_countdown_in_constant_queries(agent_client):
    # given an enrollment with one claim, then with three claims (two rejected)
    enrollment = _today_enrollment()
    url = reverse("accounts:line_tab", args=[enrollment.line_id, "protection"])

    def add_claim(reject: bool):
        claim = claim_file(enrollment=enrollment, imei=enrollment.imei, damage="Screen", actor_label="t")
        claim = claim_advance(claim=claim, event="fee_paid", actor_label="t")
        if reject:
            claim_advance(claim=claim, event="rejected", reason="excluded", actor_label="t")
        else:
            claim = claim_advance(claim=claim, event="picked_up", actor_label="t")
            claim_advance(claim=claim, event="shipping_reimbursement", amount=10_000, actor_label="t")
        return claim

    add_claim(reject=True)
    with CaptureQueriesContext(connection) as few:
        response = agent_client.get(url)
    assert response.status_code == 200
    add_claim(reject=True)
    add_claim(reject=False)
    with CaptureQueriesContext(connection) as many:
        response = agent_client.get(url)
    body = response.content.decode()
    # then
    assert len(many) == len(few)
    assert 'class="sla-ok"' in body and body.count("data-claim=") == 3
    assert 'id="claim-verdict"' in body


def test_tab_does_not_apply_to_prepaid_lines(agent_client):
    line = LineFactory()
    assert agent_client.get(reverse("accounts:line_tab", args=[line.pk, "protection"])).status_code == 404


def test_supervisor_records_an_insurer_update_in_the_admin(supervisor_client):
    enrollment = _today_enrollment()
    claim = claim_file(enrollment=enrollment, imei=enrollment.imei, damage="Screen", actor_label="t")
    url = reverse("admin:protection_claim_event", args=[claim.pk])
    response = supervisor_client.post(url, {"event": "rejected", "confirm": "on"})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = supervisor_client.post(url, {"event": "rejected", "reason": "Not covered", "confirm": "on"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "rejected"
    assert AuditEvent.objects.get(verb="protection.claim_rejected").channel == "admin"


def test_supervisor_edits_the_catalogue_and_it_is_audited(supervisor_client):
    enrollment = _today_enrollment()
    product = enrollment.product
    url = reverse("admin:protection_product_change", args=[product.pk])
    form = supervisor_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    data.update({"is_active": "on", "claim_fee": 60_000, "audit_reason": "New partner fee from 1 January"})
    response = supervisor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    product.refresh_from_db()
    assert product.claim_fee == 60_000
    event = AuditEvent.objects.get(verb="product.changed")
    assert (event.old, event.new, event.reason) == ({"claim_fee": 50_000}, {"claim_fee": 60_000},
                                                    "New partner fee from 1 January")
    enrollment.refresh_from_db()
    assert enrollment.claim_fee == 50_000  # the terms in force at subscription stay


# --- issue 13: the TecProtec forms ------------------------------------------------------------------------------


@pytest.mark.rule("TP-06")
def test_enroll_form_does_not_say_allowed_before_a_purchase_date_is_entered(agent_client):
    line = postpaid_line_with_device()
    url = reverse("protection:enroll", args=[line.pk])
    # when the form opens, and when a check is made without a purchase date
    for page in (agent_client.get(url), agent_client.post(url, {"payment_option": "monthly", "check": "1"})):
        html = page.content.decode()
        # then the verdict says what is still to check, not "Allowed."
        assert 'data-allowed="false"' in html and 'id="verdict-missing"' in html
        assert "Allowed." not in html
    # and with a purchase date within 24 months it is allowed
    checked = agent_client.post(url, {"payment_option": "monthly", "purchase_date": local_today().isoformat(),
                                      "check": "1"})
    assert 'data-allowed="true"' in checked.content.decode()


@pytest.mark.rule("TP-04")
def test_claim_form_period_shows_its_start_date(agent_client):
    enrollment = enroll(start=local_today() - dt.timedelta(days=20))
    url = reverse("protection:claim_new", args=[enrollment.line_id, enrollment.pk])
    html = agent_client.get(url).content.decode()
    terms = html[html.index('id="terms"'):]
    assert f"{enrollment.start_date:%d-%m-%Y} – {enrollment.last_covered_day:%d-%m-%Y}" in terms[:300]


@pytest.mark.rule("TP-06")
def test_check_keeps_the_attached_receipt(agent_client, agent):
    line = postpaid_line_with_device()
    url = reverse("protection:enroll", args=[line.pk])
    # given the agent attaches the receipt and presses "Check"
    checked = agent_client.post(url, {"payment_option": "monthly", "purchase_date": local_today().isoformat(),
                                      "receipt_number": "INV-7", "receipt": receipt_file("pdf"), "check": "1"})
    html = checked.content.decode()
    token = re.search(r'name="kept_receipt" value="([0-9a-f]+)"', html).group(1)
    assert "Attached:" in html
    # when they confirm without choosing the file again
    response = agent_client.post(url, {"payment_option": "monthly", "purchase_date": local_today().isoformat(),
                                       "receipt_number": "INV-7", "kept_receipt": token, "confirm": "on"})
    # then the enrollment has the receipt that was attached before the check
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(line=line)
    assert enrollment.receipt.read() == receipt_file("pdf").read()


def test_a_kept_receipt_token_of_another_session_is_ignored(client, agent_client):
    line = postpaid_line_with_device()
    url = reverse("protection:enroll", args=[line.pk])
    response = agent_client.post(url, {"payment_option": "monthly", "purchase_date": local_today().isoformat(),
                                       "receipt_number": "INV-7", "kept_receipt": "0" * 32, "confirm": "on"})
    assert "receipt" in response.context["form"].errors
    assert not Enrollment.objects.exists()


@pytest.mark.rule("TP-06")
def test_tp06_tab_shows_no_false_refusal_for_a_umb_enrollment_without_a_receipt(agent_client):
    # given a *500*777# subscription 20 days ago: no purchase date yet (the receipt is seen at the first claim)
    enrollment = _today_enrollment(channel="umb")
    assert enrollment.purchase_date is None
    # when the agent opens the TecProtec tab
    response = agent_client.get(reverse("accounts:line_tab", args=[enrollment.line_id, "protection"]))
    # then a claim is possible with the receipt; no purchase date is invented (not "today, after registration")
    verdict = response.context["claim_verdict"]
    assert verdict.allowed and verdict.codes == []
    page = response.content.decode()
    assert 'id="receipt-at-claim"' in page and "purchase_date_future" not in page
