"""Two workers at once on PostgreSQL (SKIP LOCKED): every card and subscription is processed exactly once."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from accounts.identifiers import make_iccid, make_imsi, make_msisdn
from accounts.models import Line
from core.models import AuditEvent, Channel, JobRun
from prepaid import services, tasks
from prepaid.ledger_checks import ledger_mismatches
from prepaid.models import ActivationArea, Card, LedgerEntry, PrimeSubscription, PrimeTier
from tests.accounts.factories import CustomerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _cards(count: int, offset: int, **fields) -> list[Card]:
    customer = CustomerFactory()
    area = ActivationArea.objects.get(code="jabotabek")
    lines = Line.objects.bulk_create([
        Line(msisdn=make_msisdn(500_000_000 + offset + i), iccid=make_iccid(500_000_000 + offset + i),
             imsi=make_imsi(500_000_000 + offset + i), kind=Line.Kind.PREPAID, status=Line.Status.ACTIVE,
             customer=customer, activated_on=dt.date(2025, 1, 1))
        for i in range(count)
    ])
    balance = fields.pop("balance", 0)
    cards = Card.objects.bulk_create([
        Card(line=line, activation_area=area, activated_on=dt.date(2025, 1, 1), balance=balance, **fields)
        for line in lines
    ])
    if balance:
        LedgerEntry.objects.bulk_create([
            LedgerEntry(card=card, kind=LedgerEntry.Kind.ADJUSTMENT, amount=balance, balance_after=balance,
                        reference=f"opening:{card.pk}") for card in cards
        ])
    return cards


def _in_parallel(*targets):
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as error:  # pragma: no cover - surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_two_lifecycle_workers_process_every_card_once():
    # given: 300 cards due for grace and 300 due to become invalid
    to_grace = _cards(300, 0, state=Card.State.ACTIVE, active_until=dt.date(2026, 6, 1), balance=1000)
    to_invalid = _cards(300, 1000, state=Card.State.GRACE, active_until=dt.date(2026, 4, 1),
                        grace_until=dt.date(2026, 5, 1), balance=2500)
    # when: two workers run the same day's job at once, in chunks of 25
    _in_parallel(lambda: tasks.lifecycle_task(day="2026-06-10", chunk_size=25),
                 lambda: tasks.lifecycle_task(day="2026-06-10", chunk_size=25))
    # then
    assert set(Card.objects.filter(pk__in=[c.pk for c in to_grace]).values_list("state", flat=True)) == {"grace"}
    assert set(Card.objects.filter(pk__in=[c.pk for c in to_invalid]).values_list("state", flat=True)) == {"invalid"}
    per_card = (LedgerEntry.objects.filter(kind=LedgerEntry.Kind.FORFEITURE).values("card_id")
                .annotate(n=Count("id")).values_list("n", flat=True))
    assert len(per_card) == 300 and set(per_card) == {1}
    run = JobRun.objects.get(job="prepaid.lifecycle", period_key="2026-06-10")
    assert run.changed == 600 and run.skipped == 0
    assert ledger_mismatches() == []


def test_two_renewal_workers_charge_every_subscription_once():
    # given: 150 subscriptions that can pay and 150 one rupiah short
    lite = PrimeTier.objects.get(code="lite")
    payers = _cards(150, 2000, state=Card.State.ACTIVE, active_until=dt.date(2026, 12, 1), balance=lite.monthly_fee)
    short = _cards(150, 3000, state=Card.State.ACTIVE, active_until=dt.date(2026, 12, 1),
                   balance=lite.monthly_fee - 1)
    PrimeSubscription.objects.bulk_create([
        PrimeSubscription(card=card, tier=lite, started_on=dt.date(2026, 5, 10), renews_on=dt.date(2026, 6, 10),
                          periods_charged=1) for card in payers + short
    ])
    # when: two workers in chunks of 20, and concurrent top-ups on paying cards for good measure
    _in_parallel(
        lambda: tasks.prime_renewal_task(day="2026-06-10", chunk_size=20),
        lambda: tasks.prime_renewal_task(day="2026-06-10", chunk_size=20),
        lambda: [services.topup_apply(card=card, amount=5000, reference=f"t-{card.pk}", channel=Channel.API,
                                      today=dt.date(2026, 6, 10)) for card in payers[:40]],
    )
    # then
    fees = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PRIME_FEE)
    assert fees.count() == 150
    assert set(fees.values_list("card_id", flat=True)) == {card.pk for card in payers}
    assert set(PrimeSubscription.objects.filter(card__in=payers).values_list("renews_on", flat=True)) == {
        dt.date(2026, 7, 10)}
    assert set(PrimeSubscription.objects.filter(card__in=short).values_list("status", flat=True)) == {"disabled"}
    assert not Card.objects.filter(balance__lt=0).exists()
    # balance_after is each card's balance right after its fee, top-up or not
    for entry in fees.select_related("card"):
        later = LedgerEntry.objects.filter(card=entry.card, id__gt=entry.id).aggregate(total=Sum("amount"))["total"]
        assert entry.balance_after == entry.card.balance - (later or 0)
    run = JobRun.objects.get(job="prepaid.prime_renewal", period_key="2026-06-10")
    assert run.changed == 300 and run.selected == 300
    assert ledger_mismatches() == []


def test_renewal_chunk_is_set_based_queries_do_not_grow_with_the_chunk():
    # given: 10, then 200 subscriptions due that can pay
    lite = PrimeTier.objects.get(code="lite")

    def due(count, offset):
        cards = _cards(count, offset, state=Card.State.ACTIVE, active_until=dt.date(2026, 12, 1),
                       balance=lite.monthly_fee)
        PrimeSubscription.objects.bulk_create([
            PrimeSubscription(card=card, tier=lite, started_on=dt.date(2026, 5, 10), renews_on=dt.date(2026, 6, 10),
                              periods_charged=1) for card in cards])

    counts = []
    for count, offset in ((10, 5000), (200, 6000)):
        due(count, offset)
        # when
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            result = services.prime_renewal_chunk(today=dt.date(2026, 6, 10))
        # then
        assert result.selected == result.changed == count
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PRIME_FEE).count() == 210
    assert ledger_mismatches() == []


def test_concurrent_topups_with_one_reference_apply_once():
    card = _cards(1, 4000, state=Card.State.ACTIVE, active_until=dt.date(2026, 12, 1))[0]

    def topup():
        services.topup_apply(card=card, amount=10000, reference="dup", channel=Channel.API, today=dt.date(2026, 6, 10))

    _in_parallel(topup, topup, topup)
    card.refresh_from_db()
    assert card.balance == 10000 and card.ledger.count() == 1


def _api_topups(card: Card, bodies: list[dict]) -> list:
    """POST each body from its own thread (its own connection), all at once; the responses in order."""
    from django.test import Client

    from tests.core.factories import make_client

    _client, key = make_client()
    responses = [None] * len(bodies)

    def post(index):
        def run():
            responses[index] = Client().post("/api/v1/prepaid/topups", bodies[index], content_type="application/json",
                                             HTTP_AUTHORIZATION=f"Token {key}")
        return run

    _in_parallel(*[post(index) for index in range(len(bodies))])
    return responses


def test_concurrent_identical_api_topups_apply_once_and_answer_alike():
    # given one card, and the charging system sending one top-up three times at once (issue 14)
    card = _cards(1, 4100, state=Card.State.GRACE, active_until=dt.date(2026, 4, 1), grace_until=dt.date(2027, 1, 1),
                  balance=1000)[0]
    body = {"request_id": "same", "msisdn": card.line.msisdn, "amount": 10000, "channel": "umb"}
    # when
    responses = _api_topups(card, [body, body, body])
    # then one ledger entry and one audit event; every answer is the first one
    assert [r.status_code for r in responses] == [200, 200, 200], [r.content for r in responses]
    assert len({r.content for r in responses}) == 1
    assert sorted(r.get("Idempotent-Replayed", "") for r in responses) == ["", "true", "true"]
    card.refresh_from_db()
    assert card.balance == 11000 and card.state == Card.State.ACTIVE and card.grace_until is None
    assert card.ledger.filter(kind=LedgerEntry.Kind.TOPUP).count() == 1
    assert AuditEvent.objects.filter(verb="prepaid.topup", line=card.line).count() == 1
    assert ledger_mismatches() == []


def test_concurrent_api_topups_on_one_card_each_extend_the_period_once():
    # given one active card and four different top-ups at once
    card = _cards(1, 4200, state=Card.State.ACTIVE, active_until=dt.date(2099, 1, 1))[0]
    bodies = [{"request_id": f"t-{n}", "msisdn": card.line.msisdn, "amount": 10000, "channel": "app"}
              for n in range(4)]
    # when
    responses = _api_topups(card, bodies)
    # then each applied under the card's lock, one after the other: balances and dates add up
    assert [r.status_code for r in responses] == [200] * 4, [r.content for r in responses]
    assert sorted(r.json()["balance"] for r in responses) == [10000, 20000, 30000, 40000]
    assert sorted(r.json()["active_until"] for r in responses) == [
        (dt.date(2099, 1, 1) + dt.timedelta(days=15 * n)).isoformat() for n in range(1, 5)]
    card.refresh_from_db()
    assert card.balance == 40000 and card.active_until == dt.date(2099, 1, 1) + dt.timedelta(days=60)
    assert ledger_mismatches() == []
