"""PRE-08 on a real Celery worker (Redis): the announcement job killed half-way and run again sends the notice to
every affected customer exactly once."""

import datetime as dt
import os
import signal
import uuid

import pytest
from django.db.models import Count

from accounts.identifiers import make_iccid, make_imsi, make_msisdn
from accounts.models import Customer, Line
from core.models import JobRun, OutboundSms
from prepaid.models import ActivationArea, Card, LedgerEntry, Package, PackagePurchase, PriceChange
from tests.integration.worker import start_worker, stop, wait_for

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
COUNT = 300


def _buyers(count: int, package: Package) -> None:
    """`count` customers, each with an active card that bought the package last week (bulk, for speed)."""
    customers = Customer.objects.bulk_create([
        Customer(full_name=f"Buyer {i}", id_type=Customer.IdType.PASSPORT, id_number=f"PC{i:07d}")
        for i in range(count)])
    area = ActivationArea.objects.get(code="jabotabek")
    lines = Line.objects.bulk_create([
        Line(msisdn=make_msisdn(600_000_000 + i), iccid=make_iccid(600_000_000 + i), imsi=make_imsi(600_000_000 + i),
             kind=Line.Kind.PREPAID, status=Line.Status.ACTIVE, customer=customer, activated_on=dt.date(2025, 1, 1))
        for i, customer in enumerate(customers)])
    cards = Card.objects.bulk_create([Card(line=line, activation_area=area, state=Card.State.ACTIVE,
                                           activated_on=dt.date(2025, 1, 1),
                                           active_until=dt.date(2027, 1, 1)) for line in lines])
    bought = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC)
    LedgerEntry.objects.bulk_create([  # the top-up that paid for it, so that each ledger still verifies
        LedgerEntry(card=card, kind=LedgerEntry.Kind.TOPUP, amount=package.price, balance_after=package.price,
                    reference=f"pc-topup:{card.pk}", created_at=bought - dt.timedelta(hours=1)) for card in cards])
    entries = LedgerEntry.objects.bulk_create([
        LedgerEntry(card=card, kind=LedgerEntry.Kind.PACKAGE_PURCHASE, amount=-package.price, balance_after=0,
                    reference=f"pc:{card.pk}", created_at=bought) for card in cards])
    PackagePurchase.objects.bulk_create([
        PackagePurchase(card=card, package=package, reference=f"pc:{card.pk}", price=package.price,
                        purchased_at=bought, valid_until=dt.date(2026, 12, 25), entry=entry)
        for card, entry in zip(cards, entries, strict=True)])


@pytest.mark.rule("PRE-08")
def test_pre08_announcement_worker_killed_mid_way_then_rerun_notifies_every_customer_once():
    from config.celery_app import app

    # given 300 customers who bought FREEDOM COMBO and a change scheduled for 20 December
    package = Package.objects.get(code="FREEDOM_COMBO")
    _buyers(COUNT, package)
    change = PriceChange.objects.create(package=package, new_price=70_000, effective_on=dt.date(2026, 12, 20),
                                        scheduled_on=dt.date(2026, 12, 1), reason="test")
    queue = f"test-price-{uuid.uuid4().hex[:8]}"
    kwargs = {"at": "2026-12-01T10:15:00+07:00", "chunk_size": 2}
    worker = start_worker(queue)
    try:
        app.send_task("prepaid.tasks.price_changes_task", kwargs=kwargs, queue=queue)
        # when the worker is killed once some chunks are committed
        assert wait_for(lambda: PriceChange.objects.filter(pk=change.pk, announced_count__gte=20).exists())
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        stop(worker, signal.SIGKILL)
    change.refresh_from_db()
    assert change.announced_at is None and 20 <= change.announced_count < COUNT
    # and the next run (the next hour) finishes on a fresh worker
    worker = start_worker(queue)
    try:
        app.send_task("prepaid.tasks.price_changes_task", kwargs={**kwargs, "at": "2026-12-01T11:15:00+07:00"},
                      queue=queue)
        assert wait_for(lambda: JobRun.objects.filter(job="prepaid.price_changes_announce", period_key="2026-12-01T11",
                                                   status=JobRun.Status.SUCCEEDED).exists())
    finally:
        stop(worker, signal.SIGKILL)
    # then every customer got exactly one notice
    change.refresh_from_db()
    assert change.announced_at is not None and change.announced_count == COUNT
    notices = OutboundSms.objects.filter(template_code="prepaid_price_change")
    assert notices.count() == COUNT
    assert not notices.values("line__customer_id").annotate(n=Count("id")).filter(n__gt=1).exists()
