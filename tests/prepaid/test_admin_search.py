"""Supervisors find ledger rows by a number in any form or an exact reference; no search reads the whole table."""

import pytest
from django.urls import reverse

from core.models import Channel
from prepaid.models import LedgerEntry
from prepaid.services import topup_apply
from tests.prepaid.factories import CardFactory

pytestmark = pytest.mark.django_db


def _search(client, term):
    response = client.get(reverse("admin:prepaid_ledgerentry_changelist"), {"q": term})
    assert response.status_code == 200
    return {entry.reference for entry in response.context["cl"].result_list}


def test_ledger_search_by_number_in_every_form_and_by_exact_reference(supervisor_client):
    # given two cards with a top-up each
    mine, other = CardFactory(), CardFactory()
    topup_apply(card=mine, amount=25_000, reference="TOPUP-MINE-1", channel=Channel.GRAPARI)
    topup_apply(card=other, amount=50_000, reference="TOPUP-OTHER-1", channel=Channel.GRAPARI)
    national = mine.line.msisdn_national
    mine_refs = set(LedgerEntry.objects.filter(card=mine).values_list("reference", flat=True))
    # when / then: 08…, 628… and +628… all find only this card's entries
    assert _search(supervisor_client, national) == mine_refs
    assert _search(supervisor_client, "62" + national[1:]) == mine_refs
    assert _search(supervisor_client, mine.line.msisdn) == mine_refs
    # an exact reference finds its entry; a fragment finds nothing (exact, indexed lookups only)
    assert _search(supervisor_client, "TOPUP-OTHER-1") == {"TOPUP-OTHER-1"}
    assert _search(supervisor_client, "TOPUP") == set()
    # a malformed number is no match, not an error
    assert _search(supervisor_client, "0812") == set()
