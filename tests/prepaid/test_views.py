import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.identifiers import make_iccid
from accounts.models import Block, Line
from core.models import AuditEvent
from prepaid import services
from prepaid.models import AppPass, Card, Denomination, LedgerEntry, PackagePurchase, PrimeSubscription
from tests.accounts.factories import LineFactory, PostpaidLineFactory
from tests.prepaid.factories import CardFactory, area, prime

pytestmark = pytest.mark.django_db

ACTIONS = ["ledger", "topup", "purchase", "sim_replace", "block", "unblock", "app_pass", "prime_join"]


def _url(name, line):
    return reverse(f"prepaid:{name}", args=[line.pk])


def _tab(client, line):
    return client.get(reverse("accounts:line_tab", args=[line.pk, "prepaid"]))


# ---------------------------------------------------------------------------------------- access


@pytest.mark.parametrize("name", ACTIONS + ["card_create", "activate", "prime_cancel"])
def test_anonymous_is_sent_to_login(client, name):
    card = CardFactory()
    response = client.get(_url(name, card.line))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.fixture
def two_clients(agent, supervisor):
    """An agent and a supervisor, each with their own client (the `client` fixture is shared)."""
    agent_client, supervisor_client = Client(), Client()
    agent_client.force_login(agent)
    supervisor_client.force_login(supervisor)
    return agent_client, supervisor_client


@pytest.mark.parametrize("name", ACTIONS)
def test_agent_and_supervisor_open_every_page(two_clients, name):
    agent_client, supervisor_client = two_clients
    card = CardFactory(balance=50000)
    assert agent_client.get(_url(name, card.line)).status_code == 200
    assert supervisor_client.get(_url(name, card.line)).status_code == 200


def test_user_without_role_is_refused(client):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory())
    card = CardFactory()
    assert client.get(_url("topup", card.line)).status_code == 403
    assert client.get(_url("ledger", card.line)).status_code == 403


def test_pages_404_without_card(agent_client):
    line = LineFactory()
    assert agent_client.get(_url("topup", line)).status_code == 404
    assert agent_client.get(_url("prime_cancel", CardFactory().line)).status_code == 404


# ---------------------------------------------------------------------------------------- tab


@pytest.mark.rule("PRM-04")
def test_tab_shows_state_balance_prime_and_benefits(agent_client):
    card = CardFactory(balance=42000, active_until=dt.date.today() + dt.timedelta(days=2))
    prime(card, "joy", started_on=dt.date(2026, 11, 2))
    response = _tab(agent_client, card.line)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rp 42.000" in html and 'id="days-left"' in html and "text-bg-danger" in html
    assert '<span class="badge text-bg-primary" id="prime-tier">Prime Joy</span>' in html and "185" in html
    assert html.count("<li><strong>") == 8  # PRM-04 benefits, the Wednesday draw included for Joy
    assert 'id="action-topup"' in html and 'id="action-app-pass"' in html


def test_tab_only_for_prepaid_lines(agent_client):
    assert _tab(agent_client, PostpaidLineFactory()).status_code == 404


def test_tab_query_count_is_constant(agent_client):
    def count(card):
        with CaptureQueriesContext(connection) as queries:
            assert _tab(agent_client, card.line).status_code == 200
        return len(queries)

    small = CardFactory(balance=1000)
    big = CardFactory(balance=1000)
    prime(small, "lite")
    prime(big, "lite")
    for index in range(30):
        services.topup_apply(card=big, amount=5000, reference=f"t{index}", channel="api")
    assert count(small) == count(big)


def test_tab_without_card_offers_to_record_it(agent_client):
    line = LineFactory()
    html = _tab(agent_client, line).content.decode()
    assert 'id="no-card"' in html and 'id="action-card-create"' in html


# ---------------------------------------------------------------------------------------- actions


def test_card_create_and_activate(agent_client):
    line = LineFactory(status=Line.Status.INACTIVE, activated_on=None)
    response = agent_client.post(_url("card_create", line), {"activation_area": area().pk})
    assert response.status_code == 302
    card = Card.objects.get(line=line)
    # wrong area: refused with the reason, nothing changed
    response = agent_client.post(_url("activate", line), {"area": area("jatim").pk})
    assert response.status_code == 200 and "Jabodetabek" in response.content.decode()
    assert Card.objects.get(pk=card.pk).state == Card.State.INACTIVE
    response = agent_client.post(_url("activate", line), {"area": area().pk})
    assert response.status_code == 302
    assert Card.objects.get(pk=card.pk).state == Card.State.ACTIVE


def test_topup_form(agent_client):
    card = CardFactory()
    denomination = Denomination.objects.get(amount=10000)
    response = agent_client.post(_url("topup", card.line), {"denomination": denomination.pk, "reference": "V-1"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.balance == 10000
    entry = LedgerEntry.objects.get(card=card)
    assert entry.reference == "grapari:V-1" and entry.actor is not None


@pytest.mark.parametrize("data", [{}, {"denomination": "999999", "reference": "x"},
                                  {"denomination": "", "reference": ""}])
def test_topup_bad_input(agent_client, data):
    card = CardFactory()
    response = agent_client.post(_url("topup", card.line), data)
    assert response.status_code == 200 and not LedgerEntry.objects.filter(card=card).exists()


def test_purchase_check_then_confirm(agent_client):
    card = CardFactory(balance=10000)
    check = agent_client.post(_url("purchase", card.line), {"package": "HARIAN_1GB", "check": "1"})
    assert check.status_code == 200 and 'data-allowed="true"' in check.content.decode()
    assert not PackagePurchase.objects.exists()
    unconfirmed = agent_client.post(_url("purchase", card.line), {"package": "HARIAN_1GB"})
    assert unconfirmed.status_code == 200 and not PackagePurchase.objects.exists()
    done = agent_client.post(_url("purchase", card.line), {"package": "HARIAN_1GB", "confirm": "on"})
    assert done.status_code == 302 and PackagePurchase.objects.filter(card=card).count() == 1


def test_purchase_refusal_shows_balance_floor(agent_client):
    card = CardFactory(balance=5000)
    response = agent_client.post(_url("purchase", card.line), {"package": "FREEDOM_COMBO", "check": "1"})
    assert 'data-code="balance_floor"' in response.content.decode()
    response = agent_client.post(_url("purchase", card.line), {"package": "NOPE", "confirm": "on"})
    assert response.status_code == 200 and not PackagePurchase.objects.exists()


def test_sim_replace_form(agent_client):
    card = CardFactory(balance=20000)
    new_iccid = make_iccid(777_000_001)
    response = agent_client.post(_url("sim_replace", card.line),
                                 {"reason": "lost", "new_iccid": new_iccid, "note": "", "confirm": "on"})
    assert response.status_code == 302
    assert Line.objects.get(pk=card.line_id).iccid == new_iccid
    bad = agent_client.post(_url("sim_replace", card.line),
                            {"reason": "lost", "new_iccid": "8962", "confirm": "on"})
    assert bad.status_code == 200 and Line.objects.get(pk=card.line_id).iccid == new_iccid


def test_block_needs_supervisor_and_reference(two_clients):
    agent_client, supervisor_client = two_clients
    card = CardFactory()
    refused = agent_client.post(_url("block", card.line), {"reason": "misuse", "note": "x", "confirm": "on"})
    assert refused.status_code == 200 and not Block.objects.exists()
    assert refused.context["form"].non_field_errors()  # the service's supervisor_only refusal
    missing = supervisor_client.post(_url("block", card.line),
                                     {"reason": "institution_request", "note": "x", "confirm": "on"})
    assert missing.status_code == 200 and not Block.objects.exists()
    done = supervisor_client.post(_url("block", card.line), {"reason": "institution_request", "note": "court",
                                                             "reference": "PN-1", "confirm": "on"})
    assert done.status_code == 302 and Block.objects.get().reference == "PN-1"
    lifted = supervisor_client.post(_url("unblock", card.line), {"block": Block.objects.get().pk, "note": "done",
                                                                 "confirm": "on"})
    assert lifted.status_code == 302 and Block.objects.get().ended_at is not None


def test_prime_join_app_pass_and_cancel(agent_client):
    card = CardFactory(balance=50000)
    assert agent_client.post(_url("prime_join", card.line), {"confirm": "on"}).status_code == 302
    assert PrimeSubscription.objects.filter(card=card, status="active").exists()
    assert agent_client.post(_url("app_pass", card.line), {"confirm": "on"}).status_code == 302
    assert AppPass.objects.filter(card=card).count() == 1
    again = agent_client.post(_url("app_pass", card.line), {"confirm": "on"})
    assert again.status_code == 200 and AppPass.objects.count() == 1
    assert agent_client.post(_url("prime_cancel", card.line), {"reason": "", "confirm": "on"}).status_code == 200
    done = agent_client.post(_url("prime_cancel", card.line), {"reason": "too dear", "confirm": "on"})
    assert done.status_code == 302
    assert AuditEvent.objects.filter(verb="prime.cancelled").count() == 1


def test_ledger_is_paged(agent_client):
    card = CardFactory()
    for index in range(30):
        services.topup_apply(card=card, amount=5000, reference=f"t{index}", channel="api")
    first = agent_client.get(_url("ledger", card.line))
    assert len(first.context["page"].object_list) == 25 and 'id="ledger-next"' in first.content.decode()
    second = agent_client.get(_url("ledger", card.line) + "?page=2")
    assert len(second.context["page"].object_list) == 5
    assert agent_client.get(_url("ledger", card.line) + "?page=zzz").status_code == 200


def test_admin_pages_for_supervisor(supervisor_client):
    card = CardFactory(balance=1000)
    for model in ["card", "ledgerentry", "package", "denomination", "primetier", "tariffday", "primesubscription",
                  "packagepurchase", "simreplacement", "apppass", "voucherdraw", "passapp", "activationarea",
                  "smsusagerecord", "smshourcounter"]:
        assert supervisor_client.get(f"/admin/prepaid/{model}/").status_code == 200, model
    assert supervisor_client.get(f"/admin/prepaid/card/{card.pk}/change/").status_code == 200


@pytest.mark.parametrize("query", ["", "?kind__exact=prime_fee", "?_facets=1"])
def test_admin_ledger_list_reads_no_whole_table(supervisor_client, query):
    # given
    from core.admin_base import LargeTablePaginator

    for index in range(3):
        CardFactory(balance=1000 * (index + 1))
    # when
    with CaptureQueriesContext(connection) as queries:
        response = supervisor_client.get("/admin/prepaid/ledgerentry/" + query)
    # then: no date hierarchy (DISTINCT months + MIN/MAX over every row), no "of N" total, no facet counts,
    # no DISTINCT-scanning filter; newest first as the ledger_time index
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert changelist.date_hierarchy is None and changelist.show_full_result_count is False
    assert isinstance(changelist.paginator, LargeTablePaginator)
    assert changelist.result_count == (3 if not query.startswith("?kind") else 0)
    sql = [captured["sql"].upper() for captured in queries.captured_queries]
    assert not any("DISTINCT" in statement or "MIN(" in statement or "FILTER (WHERE" in statement
                   for statement in sql)
    assert any('ORDER BY "PREPAID_LEDGERENTRY"."CREATED_AT" DESC, "PREPAID_LEDGERENTRY"."ID" DESC' in statement
               for statement in sql)
    assert "ledger_time" in {index.name for index in LedgerEntry._meta.indexes}
