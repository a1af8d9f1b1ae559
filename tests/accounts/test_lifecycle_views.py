"""The agent pages of a line's life: access, what they show before submitting, bad input writes nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.identifiers import make_iccid, make_imsi
from accounts.models import IdentityCheck, Line, SimChange
from billing.models import BasicPackage, LinePackage
from billing.services import spending_limit_open
from core.models import AuditEvent
from tests.accounts.factories import PostpaidLineFactory, UserFactory, identity_checked

pytestmark = pytest.mark.django_db


@pytest.fixture
def line():
    line = PostpaidLineFactory(activated_on=dt.date(2026, 1, 1))
    spending_limit_open(line=line, package=BasicPackage.objects.get(code="halo_kick"), actor=None)
    return line


def _urls(line):
    return [reverse("accounts:line_package_change", args=[line.pk]),
            reverse("accounts:line_package_preview", args=[line.pk]),
            reverse("accounts:line_sim_replace", args=[line.pk]),
            reverse("accounts:line_terminate", args=[line.pk]),
            reverse("accounts:line_activate_preview", args=[line.customer_id])]


def test_anonymous_is_sent_to_login(client, line):
    for url in _urls(line):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_agent_and_supervisor_open_every_page(agent_client, supervisor, line):
    for url in _urls(line):
        assert agent_client.get(url).status_code == 200, url
    agent_client.force_login(supervisor)
    for url in _urls(line):
        assert agent_client.get(url).status_code == 200, url


def test_a_user_without_the_permissions_is_refused(client, line):
    client.force_login(UserFactory())
    for url in _urls(line):
        assert client.get(url).status_code == 403, url


def test_package_page_shows_the_suggestion_and_range_again(agent_client, line):
    """LIM-13: suggestion (LIM-06) and range (LIM-09) for the new package, and from when it applies."""
    plus = BasicPackage.objects.get(code="halo_plus_170")
    html = agent_client.get(reverse("accounts:line_package_preview", args=[line.pk]), {"package": plus.pk}).content
    html = html.decode()
    assert "Rp 400.000" in html and "Rp 300.000 to Rp 1.000.000" in html and "next cycle start" in html


def test_package_change_bad_input_writes_nothing(agent_client, line):
    response = agent_client.post(reverse("accounts:line_package_change", args=[line.pk]),
                                 {"package": "999999", "channel": "grapari", "confirm": "on"})
    assert response.status_code == 200 and "package" in response.context["form"].errors
    assert LinePackage.objects.get(line=line).next_package is None
    assert not AuditEvent.objects.filter(verb="line.package_changed").exists()


def test_sim_page_failed_check_is_recorded_and_nothing_else(agent_client, line):
    """ACC-10: the identity check is recorded first, whatever its result; a failed one replaces nothing."""
    response = agent_client.post(reverse("accounts:line_sim_replace", args=[line.pk]), {
        "method": "ktp_nik", "result": "failed", "reason": "lost", "new_iccid": make_iccid(810_000_001),
        "new_imsi": make_imsi(810_000_001), "confirm": "on"})
    assert response.status_code == 200
    assert "The identity check failed: the SIM cannot be replaced." in response.content.decode()
    assert IdentityCheck.objects.get(line=line).result == "failed" and not SimChange.objects.exists()


def test_sim_page_bad_iccid_writes_nothing(agent_client, line):
    response = agent_client.post(reverse("accounts:line_sim_replace", args=[line.pk]), {
        "method": "ktp_nik", "result": "passed", "reason": "lost", "new_iccid": "8962",
        "new_imsi": make_imsi(810_000_002), "confirm": "on"})
    assert response.status_code == 200 and "new_iccid" in response.context["form"].errors
    assert not IdentityCheck.objects.exists()


def test_terminate_page_needs_the_written_request(agent_client, agent, line):
    """ACC-09: the reference of the customer's written request is required; nothing ends without it."""
    identity_checked(line.customer, agent)
    page = agent_client.get(reverse("accounts:line_terminate", args=[line.pk])).content.decode()
    assert "The final bill has the basic package fee up to" in page
    response = agent_client.post(reverse("accounts:line_terminate", args=[line.pk]),
                                 {"request_reference": "  ", "reason": "moving", "confirm": "on"})
    assert response.status_code == 200 and "request_reference" in response.context["form"].errors
    assert Line.objects.get(pk=line.pk).status == "active"


def test_terminate_pages_only_for_active_postpaid_lines(agent_client, line):
    from tests.accounts.factories import LineFactory

    prepaid = LineFactory()
    assert agent_client.get(reverse("accounts:line_terminate", args=[prepaid.pk])).status_code == 404
    assert agent_client.get(reverse("accounts:line_package_change", args=[prepaid.pk])).status_code == 404
    Line.objects.filter(pk=line.pk).update(status="terminated", terminated_on=dt.date(2026, 11, 1))
    assert agent_client.get(reverse("accounts:line_terminate", args=[line.pk])).status_code == 404


def test_spending_tab_shows_the_package_and_the_pending_change(agent_client, agent, line):
    """LIM-13: the line page says which package applies now and which from the next cycle start."""
    from accounts.services import line_package_change

    line_package_change(line=line, actor=agent, params={"package": "halo_plus_170"})
    html = agent_client.get(reverse("accounts:line_tab", args=[line.pk, "spending"])).content.decode()
    assert "Halo Kick" in html and "KartuHalo 170K from" in html
