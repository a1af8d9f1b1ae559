"""No raw code where a person reads (issue 11, "Texts"): package codes, category codes, cron strings, task paths."""

import re

import pytest
from django.urls import reverse

from billing.models import BasicPackage
from core.dates import local_today
from tests.billing.factories import open_line
from tests.prepaid.factories import CardFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    """What a person reads: the page without its tags (attribute values such as option values are not read)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_spending_tab_names_the_package_and_categories_not_their_codes(agent_client):
    line = open_line(today=local_today(), package_code="halo_kick")
    text = _text(agent_client.get(reverse("accounts:line_tab", args=[line.pk, "spending"])))
    assert "Halo Kick" in text and "halo_kick" not in text
    assert "basic_package" not in text  # the package fee's category, shown by its name


def test_package_names_follow_the_language_and_the_admin_list_shows_names(agent_client):
    package = BasicPackage.objects.get(code="halo_kick")
    package.name_en = "Halo Kick (EN)"
    package.save()
    line = open_line(today=local_today(), package_code="halo_kick")
    text = _text(agent_client.get(reverse("accounts:line_tab", args=[line.pk, "spending"])))  # the agent reads English
    assert "Halo Kick (EN)" in text


def test_prepaid_purchase_page_shows_package_names_not_codes(agent_client):
    card = CardFactory(balance=200_000)
    text = _text(agent_client.get(reverse("prepaid:purchase", args=[card.line_id])))
    assert "FREEDOM COMBO 14GB" in text
    for code in ("FREEDOM_COMBO", "FREEDOM_PLUS", "HARIAN_1GB", "MINGGUAN_5GB"):
        assert code not in text


def test_jobs_page_has_no_cron_string_or_task_path(supervisor_client):
    from core.schedules import SCHEDULES, setup_schedules

    setup_schedules()
    text = _text(supervisor_client.get(reverse("core:jobs")))
    for schedule in SCHEDULES.values():
        assert schedule.task not in text and str(schedule.label) in text
    assert not re.search(r"(^|\s)[\d*/,-]+ [\d*/,-]+ \* \* [\d*]+(\s|$)", text)


def test_prepaid_tab_ledger_names_the_package_and_hides_internal_references(agent_client):
    from prepaid.services import package_purchase

    card = CardFactory(balance=200_000)
    package_purchase(card=card, package_code="HARIAN_1GB", channel="grapari", reference="counter-1", actor=None)
    text = _text(agent_client.get(reverse("accounts:line_tab", args=[card.line_id, "prepaid"])))
    assert "Freedom Daily 1GB" in text  # the English page reads the English name
    assert "HARIAN_1GB" not in text and "pkg:counter-1" not in text


def test_admin_purchase_list_shows_category_names(client):
    from billing.models import Purchase, ServiceCategory
    from tests.accounts.factories import SupervisorFactory
    from tests.security.otp import session_verify

    line = open_line(today=local_today())
    Purchase.objects.create(line=line, request_id="req-1", scope="international", category_code="roaming_addon",
                            category=ServiceCategory.objects.get(code="roaming_addon"), amount=1000,
                            decision="approved", cycle_start=local_today().replace(day=1))
    supervisor = SupervisorFactory(language="en")
    client.force_login(supervisor)
    session_verify(client, supervisor)
    text = _text(client.get(reverse("admin:billing_purchase_changelist")))
    assert "Roaming add-on package" in text and "roaming_addon" not in text and "req-1" not in text
