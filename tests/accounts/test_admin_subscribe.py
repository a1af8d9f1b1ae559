"""Subscribing a postpaid line through the admin (ACC-08, LIM-12): the same service as the agent workspace, with the
package, the initial limit, the suggestion and range shown, audited with the admin channel, behind the second
factor."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.identifiers import make_iccid, make_imsi
from accounts.models import Line
from billing.models import LinePackage, SpendingLimit
from core.models import AuditEvent
from tests.accounts.factories import BillingAccountFactory, CustomerFactory, SupervisorFactory
from tests.security.otp import confirmed_device

pytestmark = pytest.mark.django_db


def _url(account) -> str:
    return reverse("admin:accounts_billingaccount_subscribe", args=[account.pk])


def _data(**change) -> dict:
    return {"msisdn": "081298765432", "iccid": make_iccid(710_000_001), "imsi": make_imsi(710_000_001),
            "package": "", "domestic_limit": "", "confirm": "on", **change}


def _package_pk(code: str = "halo_kick") -> int:
    from billing.models import BasicPackage

    return BasicPackage.objects.get(code=code).pk


@pytest.mark.rule("LIM-12")
def test_the_page_shows_the_suggestion_and_range_for_the_chosen_package(supervisor_client):
    account = BillingAccountFactory(payment_method="cash", bill_cycle_day=1)
    response = supervisor_client.get(_url(account), {"package": _package_pk()})
    assert response.status_code == 200
    notes = response.context["verdict"].details["notes"]
    assert any("Rp 300.000" in note and "Rp 1.000.000" in note for note in notes)  # LIM-09 range, cash, new line
    assert "suggested" in response.context["verdict"].details  # LIM-06
    # the account's change page links to it
    change = supervisor_client.get(reverse("admin:accounts_billingaccount_change", args=[account.pk]))
    assert _url(account) in change.content.decode()


@pytest.mark.rule("LIM-12")
@pytest.mark.rule("ACC-08")
def test_a_supervisor_subscribes_a_line_with_package_and_limit_audited_as_admin(supervisor_client, supervisor):
    account = BillingAccountFactory(payment_method="cash", bill_cycle_day=1)
    response = supervisor_client.post(_url(account), _data(package=_package_pk(), domestic_limit=450_000))
    line = Line.objects.get(msisdn="+6281298765432")
    assert response.status_code == 302 and response["Location"] == reverse("admin:accounts_line_change",
                                                                            args=[line.pk])
    assert (line.kind, line.billing_account, line.customer) == ("postpaid", account, account.customer)
    assert LinePackage.objects.get(line=line).package.code == "halo_kick"
    assert SpendingLimit.objects.get(line=line, scope="domestic").amount == 450_000
    event = AuditEvent.objects.get(verb="line.activated", line=line)
    assert (event.actor, event.channel) == (supervisor, "admin")
    assert AuditEvent.objects.get(verb="limit.opened", line=line).channel == "admin"


@pytest.mark.rule("LIM-12")
def test_a_limit_outside_the_range_or_no_package_subscribes_nothing(supervisor_client):
    account = BillingAccountFactory(payment_method="cash", bill_cycle_day=1)
    for data, code in ((_data(package=_package_pk(), domestic_limit=299_999), "out_of_range"),
                       (_data(domestic_limit=300_000), "package_required")):
        response = supervisor_client.post(_url(account), data)
        assert response.status_code == 200
        verdict = response.context["verdict"]
        assert code in verdict.codes + [need.code for need in verdict.needed]  # a missing package is a hint
        assert response.context["form"].errors
    assert not Line.objects.exists()


@pytest.mark.rule("ACC-08")
def test_an_unverified_customer_gets_no_line(supervisor_client):
    account = BillingAccountFactory(customer=CustomerFactory(verification="pending"))
    response = supervisor_client.post(_url(account), _data(package=_package_pk(), domestic_limit=300_000))
    assert response.status_code == 200 and "not_verified" in response.context["verdict"].codes
    assert not Line.objects.exists()


def test_check_shows_the_verdict_without_subscribing(supervisor_client):
    account = BillingAccountFactory()
    response = supervisor_client.post(_url(account), _data(package=_package_pk(), domestic_limit=300_000,
                                                           check="1"))
    assert response.status_code == 200 and response.context["verdict"].allowed
    assert not Line.objects.exists()


def test_the_page_needs_the_second_factor():
    supervisor = SupervisorFactory()
    confirmed_device(supervisor)
    client = Client()
    client.force_login(supervisor, otp=False)
    account = BillingAccountFactory()
    for response in (client.get(_url(account)), client.post(_url(account), _data(package=_package_pk(),
                                                                                  domestic_limit=300_000))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("security:mfa_verify"))
    assert not Line.objects.exists()
