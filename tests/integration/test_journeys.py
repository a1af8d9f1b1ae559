"""A customer's whole life on a line, through the agent views and the services, on PostgreSQL (issue 12).

ACC-08, ACC-09, ACC-10, LIM-04, LIM-12, LIM-13, BIL-07, PRE-02, PRE-07, PRM-03, TP-12.
"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts_services
from accounts.identifiers import make_iccid, make_imsi
from accounts.models import BillingAccount, Customer, Line
from billing.models import BasicPackage, Bill, BillCharge, LinePackage, Purchase, SpendingLimit, UsageRecord
from billing.services import purchase_authorize, usage_record
from billing.tasks import cycle_close
from core.dates import local_today
from core.models import OutboundSms
from prepaid.models import Card, LedgerEntry, PrimeSubscription
from prepaid.services import lifecycle_chunk, prime_renewal_chunk
from protection.models import Claim, Enrollment, Installment
from protection.services import claim_file, installments_charge_chunk
from tests.accounts.factories import identity_checked
from tests.prepaid.factories import area
from tests.protection.factories import enroll

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

NIK = "3171014101900001"


def _clients(agent, supervisor):
    agent_client, supervisor_client = Client(), Client()
    agent_client.force_login(agent)
    supervisor_client.force_login(supervisor)
    return agent_client, supervisor_client


def _register_and_verify(agent_client, supervisor_client, *, name="Siti Rahmawati") -> Customer:
    response = agent_client.post(reverse("accounts:customer_register"), {
        "kind": "individual", "full_name": name, "id_type": "ktp", "id_number": NIK, "confirm": "on"})
    assert response.status_code == 302
    customer = Customer.objects.get(id_number=NIK)
    assert customer.verification == "pending"
    response = supervisor_client.post(reverse("accounts:customer_verification", args=[customer.pk]),
                                      {"status": "verified", "reason": "KTP checked", "confirm": "on"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.verification == "verified"  # ACC-08
    return customer


def _nothing_charged_after(line: Line, days: list[dt.date]) -> None:
    """The next cycles: no package fee, instalment, Prime fee or bill charge anywhere."""
    charges, usage = BillCharge.objects.count(), UsageRecord.objects.filter(line=line).count()
    instalments, ledger = Installment.objects.count(), LedgerEntry.objects.count()
    for day in days:
        cycle_close(today=day, force=True)
        installments_charge_chunk(today=day)
        while prime_renewal_chunk(today=day).selected:
            pass
    assert BillCharge.objects.count() == charges
    assert UsageRecord.objects.filter(line=line).count() == usage
    assert (Installment.objects.count(), LedgerEntry.objects.count()) == (instalments, ledger)


def test_journey_postpaid_from_registration_to_three_quiet_cycles(agent, supervisor):
    agent_client, supervisor_client = _clients(agent, supervisor)
    customer = _register_and_verify(agent_client, supervisor_client)
    # a billing account whose cycle starts today, so that today is the first day of the first cycle
    today = local_today()
    cycle_day = min(today.day, 28)
    response = agent_client.post(reverse("accounts:account_open", args=[customer.pk]), {
        "payment_method": "cash", "bill_cycle_day": cycle_day, "confirm": "on"})
    assert response.status_code == 302
    account = BillingAccount.objects.get(customer=customer)
    kick = BasicPackage.objects.get(code="halo_kick")

    # subscribe: the page shows LIM-06's suggestion and LIM-09's range before submitting (LIM-12)
    preview = agent_client.get(reverse("accounts:line_activate_preview", args=[customer.pk]), {
        "kind": "postpaid", "billing_account": account.pk, "package": kick.pk}).content.decode()
    assert "Rp 300.000" in preview and "Rp 1.000.000" in preview
    response = agent_client.post(reverse("accounts:line_activate", args=[customer.pk]), {
        "kind": "postpaid", "msisdn": "081234567890", "iccid": make_iccid(800_000_001),
        "imsi": make_imsi(800_000_001), "billing_account": account.pk, "package": kick.pk,
        "domestic_limit": "300000", "confirm": "on"})
    assert response.status_code == 302
    line = Line.objects.get(customer=customer)
    domestic = SpendingLimit.objects.get(line=line, scope="domestic")
    first_fee = domestic.used
    assert domestic.amount == 300_000 and SpendingLimit.objects.get(line=line, scope="international").amount
    days = (domestic.cycle_end - domestic.cycle_start).days + 1
    assert first_fee == kick.monthly_fee * ((domestic.cycle_end - today).days + 1) // days  # LIM-13

    # purchases up to the limit: > 80 % sends one SMS, reaching 100 % is allowed, one rupiah more is declined
    room = 300_000 - first_fee
    first = purchase_authorize(request_id="j-1", line=line, scope="domestic", category="addon",
                               amount=room - 50_000)
    assert first.decision == "approved"
    assert OutboundSms.objects.filter(line=line, template_code="billing_limit_warn").count() == 1
    assert purchase_authorize(request_id="j-2", line=line, scope="domestic", category="addon",
                              amount=50_000).decision == "approved"
    assert purchase_authorize(request_id="j-3", line=line, scope="domestic", category="addon",
                              amount=1).decision == "declined"
    usage_record(record_id="j-usage-1", line=line, scope="domestic", category="data", amount=1,
                 occurred_at=timezone.now())
    assert OutboundSms.objects.filter(line=line, template_code="billing_limit_full").count() == 1  # once a cycle

    # cycle close: the bill, then the agent records the payment
    next_start = domestic.cycle_end + dt.timedelta(days=1)
    cycle_close(today=next_start)
    bill = Bill.objects.get(billing_account=account)
    assert bill.total >= 300_000
    response = agent_client.post(reverse("billing:payment_record", args=[bill.pk]), {
        "amount": str(bill.total), "method": "cash", "reference": "PAY-J1", "confirm": "on"})
    assert response.status_code == 302
    bill.refresh_from_db()
    assert bill.status == "paid"

    # package change from the next cycle start (LIM-13)
    page = agent_client.get(reverse("accounts:line_package_change", args=[line.pk])).content.decode()
    assert "Halo Kick" in page
    plus = BasicPackage.objects.get(code="halo_plus_170")
    response = agent_client.post(reverse("accounts:line_package_change", args=[line.pk]), {
        "package": plus.pk, "channel": "grapari", "reason": "more data", "confirm": "on"})
    assert response.status_code == 302
    package = LinePackage.objects.get(line=line)
    assert (package.package, package.next_package) == (kick, plus)

    # SIM replacement with the identity check recorded first (ACC-10)
    response = agent_client.post(reverse("accounts:line_sim_replace", args=[line.pk]), {
        "method": "ktp_nik", "result": "passed", "reason": "damaged", "new_iccid": make_iccid(800_000_002),
        "new_imsi": make_imsi(800_000_002), "note": "", "confirm": "on"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.iccid == make_iccid(800_000_002)

    # terminate mid-cycle at the customer's written request: the final bill with the prorated fee (ACC-09)
    end_day = next_start + dt.timedelta(days=9)
    accounts_services.line_terminate(line=line, request_reference="REQ-J1", reason="moving", actor=agent,
                                     today=end_day)
    final = Bill.objects.get(billing_account=account, period_start=next_start)
    assert final.period_end == end_day
    credit = BillCharge.objects.get(bill=final, source="adjustment")
    assert not SpendingLimit.objects.filter(line=line).exists()
    line.refresh_from_db()
    assert line.status == "terminated" and line.quarantine_until > end_day
    assert credit.amount < 0 and final.subtotal == kick.monthly_fee + credit.amount  # PPN on top (BIL-10)
    assert Purchase.objects.filter(line=line).count() == 3

    # the next three cycles charge nothing anywhere
    _nothing_charged_after(line, [final.period_start.replace(day=cycle_day) + dt.timedelta(days=31 * n)
                                  for n in (1, 2, 3)])
    assert Bill.objects.filter(billing_account=account).count() == 2


def test_journey_prepaid_from_registration_to_the_invalid_card(agent, supervisor):
    agent_client, supervisor_client = _clients(agent, supervisor)
    customer = _register_and_verify(agent_client, supervisor_client, name="Budi Santoso")
    response = agent_client.post(reverse("accounts:line_activate", args=[customer.pk]), {
        "kind": "prepaid", "msisdn": "081298765432", "iccid": make_iccid(800_000_011),
        "imsi": make_imsi(800_000_011), "confirm": "on"})
    assert response.status_code == 302
    line = Line.objects.get(customer=customer)
    assert agent_client.post(reverse("prepaid:card_create", args=[line.pk]),
                             {"activation_area": area().pk, "brand": "im3"}).status_code == 302
    assert agent_client.post(reverse("prepaid:activate", args=[line.pk]), {"area": area().pk}).status_code == 302
    card = Card.objects.get(line=line)
    from prepaid.models import Denomination

    denomination = Denomination.objects.filter(is_active=True).order_by("-amount").first()
    assert agent_client.post(reverse("prepaid:topup", args=[line.pk]), {
        "denomination": denomination.pk, "reference": "V-1", "confirm": "on"}).status_code == 302
    assert agent_client.post(reverse("prepaid:prime_join", args=[line.pk]), {"confirm": "on"}).status_code == 302
    subscription = PrimeSubscription.objects.get(card=card, status="active")
    # grace, then invalid: the lifecycle job ends the line and disables Prime in the same transaction
    card.refresh_from_db()
    grace_day = card.active_until + dt.timedelta(days=1)
    while lifecycle_chunk(today=grace_day).selected:
        pass
    card.refresh_from_db()
    assert card.state == "grace"
    invalid_day = card.grace_until + dt.timedelta(days=1)
    while lifecycle_chunk(today=invalid_day).selected:
        pass
    card.refresh_from_db()
    subscription.refresh_from_db()
    line.refresh_from_db()
    assert (card.state, card.balance) == ("invalid", 0)
    assert (line.status, line.terminated_on) == ("terminated", invalid_day)
    assert (subscription.status, subscription.end_reason) == ("disabled", "line_ended")
    ledger = LedgerEntry.objects.filter(card=card).count()
    for month in range(1, 4):
        while prime_renewal_chunk(today=invalid_day + dt.timedelta(days=31 * month)).selected:
            pass
    assert LedgerEntry.objects.filter(card=card).count() == ledger


def test_journey_tecprotec_on_a_line_terminated_mid_period(agent, supervisor):
    agent_client, _ = _clients(agent, supervisor)
    from protection.services import line_device_set
    from tests.billing.factories import open_line
    from tests.protection.factories import new_imei

    line = open_line(activated_on=local_today() - dt.timedelta(days=60), today=local_today())
    line_device_set(line=line, imei=new_imei(), actor_label="network-test")
    enrollment = enroll(line, start=local_today() - dt.timedelta(days=40))
    claim = claim_file(enrollment=enrollment, imei=enrollment.imei, damage="cracked screen", actor=agent)
    identity_checked(line.customer, agent)  # ACC-10: the counter's identity check before a termination
    # an open claim refuses the termination; the agent sees why before submitting (TP-12)
    page = agent_client.get(reverse("accounts:line_terminate", args=[line.pk])).content.decode()
    assert "still open" in page
    response = agent_client.post(reverse("accounts:line_terminate", args=[line.pk]), {
        "request_reference": "REQ-T1", "reason": "moving", "confirm": "on"})
    assert response.status_code == 200 and Line.objects.get(pk=line.pk).status == "active"
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.CLOSED)
    response = agent_client.post(reverse("accounts:line_terminate", args=[line.pk]), {
        "request_reference": "REQ-T1", "reason": "moving", "confirm": "on"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.TERMINATED and enrollment.next_charge_on is None
    charged = Installment.objects.filter(enrollment=enrollment).count()
    for month in range(1, 7):
        installments_charge_chunk(today=local_today() + dt.timedelta(days=31 * month))
    assert Installment.objects.filter(enrollment=enrollment).count() == charged
    with pytest.raises(Exception) as excinfo:
        claim_file(enrollment=enrollment, imei=enrollment.imei, damage="again", actor=agent)
    assert "enrollment_terminated" in excinfo.value.codes
