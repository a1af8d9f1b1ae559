"""Demo data for prepaid: a card for every demo prepaid line, in every state, with ledgers that verify; Prime
subscribers of each tier with renewals due soon. Deterministic (the rng is consumed the same way whatever the
database holds) and idempotent (a line that has a card is left alone)."""

import datetime as dt
import random

from django.db import transaction

from accounts.demo import DEMO_PREPAID_PREFIXES
from accounts.models import Line
from core.dates import add_months, local_today
from core.models import Channel
from core.verdicts import RuleViolation
from prepaid import services
from prepaid.ledger_checks import ledger_mismatches
from prepaid.models import ActivationArea, Card, LedgerEntry, PrimeSubscription, PrimeTier

DENOMINATIONS = [5000, 10000, 25000, 50000, 100000]
PACKAGES = ["HARIAN_1GB", "MINGGUAN_5GB", "FREEDOM_COMBO", "FREEDOM_PLUS", "UNLIMITED"]
# state, weight
STATES = [("active", 70), ("grace", 10), ("invalid", 8), ("inactive", 6), ("expiring", 6)]


def _prime(card: Card, tier: PrimeTier, started_on: dt.date) -> None:
    with transaction.atomic():
        card = services.card_lock(card)
        if card.balance < tier.monthly_fee:
            return
        subscription = PrimeSubscription.objects.create(
            card=card, tier=tier, started_on=started_on, periods_charged=1, renews_on=add_months(started_on, 1),
            tier_reviewed_for=started_on.replace(day=1))
        services.ledger_write(card=card, kind=LedgerEntry.Kind.PRIME_FEE, amount=-tier.monthly_fee,
                              reference=f"prime:{subscription.pk}:{started_on.isoformat()}", channel=Channel.SYSTEM,
                              note=tier.name)


def seed_demo_data(*, rng: random.Random, stdout) -> None:
    today = local_today()
    areas = list(ActivationArea.objects.order_by("code"))
    tiers = list(PrimeTier.objects.order_by("min_average_spend"))
    prefixes = "|".join(DEMO_PREPAID_PREFIXES)
    lines = list(Line.objects.filter(kind=Line.Kind.PREPAID, status__in=[Line.Status.ACTIVE, Line.Status.INACTIVE],
                                     msisdn__regex=rf"^\+62({prefixes})").order_by("msisdn"))
    has_card = set(Card.objects.filter(line__in=lines).values_list("line_id", flat=True))
    created = prime_count = 0
    for index, line in enumerate(lines):
        # Every random draw happens for every line, so the sequence does not depend on the database.
        state = rng.choices([s for s, _ in STATES], weights=[w for _, w in STATES])[0]
        if index < len(STATES):
            state = STATES[index][0]  # at least one card in every state
        area = areas[0] if line.customer.jabodetabek else rng.choice(areas)
        started = today - dt.timedelta(days=rng.randint(60, 400))
        topups = [rng.choice(DENOMINATIONS) for _ in range(rng.randint(1, 6))]
        packages = [rng.choice(PACKAGES) for _ in range(rng.randint(0, 3))]
        offset = rng.randint(1, 29)
        wants_prime = rng.random() < 0.2
        prime_started = today - dt.timedelta(days=rng.randint(20, 30))
        tier = tiers[index % len(tiers)]
        if line.pk in has_card:
            continue
        # PRE-07: every fifth card without Prime is a Mentari Ooredoo card (Prime is for IM3 only).
        brand = Card.Brand.MENTARI if not wants_prime and index % 5 == 4 else Card.Brand.IM3
        card = services.card_create(line=line, activation_area=area, actor=None, channel=Channel.SYSTEM,
                                    brand=brand)
        created += 1
        if state == "inactive":
            continue
        Card.objects.filter(pk=card.pk).update(state=Card.State.ACTIVE, activated_on=started,
                                               active_until=today + dt.timedelta(days=10))
        for number, amount in enumerate(topups):
            services.topup_apply(card=card, amount=amount, reference=f"demo:{line.msisdn}:t{number}",
                                 channel=Channel.UMB, today=today)
        for number, code in enumerate(packages):
            try:
                services.package_purchase(card=card, package_code=code, channel=Channel.APP,
                                          reference=f"demo:{line.msisdn}:p{number}")
            except RuleViolation:
                pass  # balance floor: the demo shows refusals too
        if wants_prime and state == "active":
            _prime(card, tier, prime_started)
            prime_count += 1
        # Move the Active Period so that the lifecycle job puts the card in its state.
        if state == "grace":
            Card.objects.filter(pk=card.pk).update(active_until=today - dt.timedelta(days=offset))
        elif state == "invalid":
            Card.objects.filter(pk=card.pk).update(active_until=today - dt.timedelta(days=30 + offset + 1))
        elif state == "expiring":
            Card.objects.filter(pk=card.pk).update(active_until=today + dt.timedelta(days=offset % 3 + 1))
    # The lifecycle itself brings the cards into grace and invalid (with their forfeiture entries).
    while True:
        with transaction.atomic():
            if not services.lifecycle_chunk(today=today).selected:
                break
    mismatches = ledger_mismatches(limit=5)
    stdout.write(f"prepaid: {created} cards created, {prime_count} IM3 Prime subscribers; "
                 f"ledgers {'verify' if not mismatches else 'DO NOT verify'}")
