"""EXPLAIN (ANALYZE, BUFFERS) of the key queries on the bench data, for the report and bench/README.md."""

from django.db import connection


def _plans() -> list[tuple[str, object]]:
    from accounts import selectors
    from core.dates import local_today
    from prepaid.models import Card, PrimeSubscription

    today = local_today()
    with connection.cursor() as cursor:
        cursor.execute("SELECT l.msisdn, c.id_number, c.full_name FROM accounts_line l JOIN accounts_customer c "
                       "ON c.id = l.customer_id WHERE l.msisdn LIKE '+62822%%' AND l.kind = 'postpaid' "
                       "ORDER BY l.id DESC LIMIT 1")
        msisdn, nik, name = cursor.fetchone()
    by_msisdn = selectors.search("0" + msisdn[3:])
    by_nik = selectors.search(nik)
    by_name = selectors.search(name.split()[0][:4])
    by_surname = selectors.search(name.split()[-1])  # any word of the name: the GIN trigram index
    from bench.authorize import RawWorkers

    authorization = (RawWorkers.LINE_SQL, [today, msisdn])
    return [
        ("search by MSISDN: lines", by_msisdn.lines[:51]),
        ("search by NIK: lines", by_nik.lines[:51]),
        ("search by name prefix: customers (with line counts)", by_name.customers[:51]),
        ("search by name prefix: their lines", by_name.lines[:51]),
        ("search by surname: customers (with line counts)", by_surname.customers[:51]),
        ("search by surname: their lines", by_surname.lines[:51]),
        ("purchase authorization: the line with its block and overdue-bill flags (the service's query)",
         authorization),
        ("lifecycle chunk: cards past their Active Period",
         Card.objects.filter(state="active", active_until__lt=today).order_by("active_until", "id")
         .values_list("id", flat=True)[:5000]),
        ("lifecycle chunk: cards past their grace period",
         Card.objects.filter(state="grace", grace_until__lt=today).order_by("grace_until", "id")
         .values_list("id", flat=True)[:5000]),
        *_partition_plans(today),
        ("Prime renewal chunk: subscriptions due",
         PrimeSubscription.objects.filter(status="active", renews_on__lte=today).select_related("tier", "card__line")
         .order_by("renews_on", "id")[:500]),
    ]


def _partition_plans(today) -> list[tuple[str, object]]:
    """The hot queries on the monthly-partitioned tables (core/partitions.py): one month prunes to one partition,
    the undated ones use each partition's index."""
    import datetime as dt

    from django.db.models import Q
    from django.utils import timezone

    from accounts.selectors import line_timeline
    from billing.models import Purchase
    from core.models import OutboundSms
    from core.partitions import month_bound
    from prepaid.models import Card
    from prepaid.selectors import card_ledger

    card = Card.objects.order_by("-id").first()
    purchase = Purchase.objects.order_by("-id").first()
    if card is None or purchase is None:
        return []
    month = today.replace(day=1)
    start = dt.datetime.fromisoformat(month_bound(month))
    end = dt.datetime.fromisoformat(month_bound((month + dt.timedelta(days=32)).replace(day=1)))
    now = timezone.now()
    due = Q(status__in=["queued", "failed"], next_attempt_at__lte=now) | Q(status="sending", lease_until__lte=now)
    return [
        ("partitions: a line's purchases this month (prunes to one partition)",
         Purchase.objects.filter(line_id=purchase.line_id, created_at__gte=start, created_at__lt=end)
         .order_by("-created_at")[:20]),
        ("partitions: a replayed request id (each partition's request_id index)",
         Purchase.objects.filter(request_id=purchase.request_id)[:1]),
        ("partitions: a card's ledger page", card_ledger(card)[:20]),
        ("partitions: a line's timeline", line_timeline(card.line)),
        ("partitions: the outbox claim", OutboundSms.objects.filter(due).order_by("next_attempt_at", "id")[:20]),
    ]


def run() -> list[dict]:
    plans = []
    for label, queryset in _plans():
        if isinstance(queryset, tuple):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + queryset[0], queryset[1])
                text = "\n".join(row[0] for row in cursor.fetchall())
        else:
            text = queryset.explain(analyze=True, buffers=True)
        plans.append({"query": label, "plan": text})
        last = text.strip().splitlines()[-1]
        print(f"  {label}: {last.strip()}", flush=True)
    return plans
