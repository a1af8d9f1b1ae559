"""Purchase-authorization throughput: the service in-process vs the same SQL run raw with psycopg.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_billing_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_billing_bench .venv/bin/python -m bench.billing_authorize

Each request is one transaction: the conditional UPDATE of the limit row and the INSERT of the purchase row
(the service also looks the line up with its block/bill flags and the category). All clients hit ONE line, the
worst case for the row lock. Prints a Markdown table.
"""

import os
import sys
import threading
import time
import uuid

REQUESTS_PER_CLIENT = int(os.environ.get("BENCH_REQUESTS", "300"))


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import django

    django.setup()


def _line():
    import datetime as dt
    import random

    from accounts.identifiers import make_iccid, make_imsi, make_msisdn, make_nik
    from billing.models import BasicPackage, SpendingLimit
    from billing.services import spending_limit_open
    from tests.accounts.factories import PostpaidLineFactory

    rng = random.Random()
    number = rng.randrange(10**8)
    birth = dt.date(1990, 1, 1) + dt.timedelta(rng.randrange(9000))
    line = PostpaidLineFactory(msisdn=make_msisdn(number), iccid=make_iccid(number), imsi=make_imsi(number),
                               billing_account__number=f"2{number:09d}",
                               customer__id_number=make_nik(rng, birth, serial=rng.randrange(1, 9999)))
    spending_limit_open(line=line, package=BasicPackage.objects.get(code="halo_kick"), actor=None)
    SpendingLimit.objects.filter(line=line).update(amount=10**15)
    return line


def _run(clients: int, work) -> float:
    barrier = threading.Barrier(clients + 1)
    errors = []

    def target(index):
        try:
            barrier.wait()
            work(index)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return clients * REQUESTS_PER_CLIENT / elapsed


def service_work(line, tag):
    from django.db import connection

    from billing.services import purchase_authorize

    def work(index):
        try:
            for n in range(REQUESTS_PER_CLIENT):
                purchase = purchase_authorize(request_id=f"{tag}-{index}-{n}", line=line, scope="domestic",
                                              category="addon", amount=1_000)
                assert purchase.decision == "approved", purchase.reason
        finally:
            connection.close()
    return work


def raw_work(line, tag, dsn):
    import psycopg

    from billing.models import ServiceCategory

    category_id = ServiceCategory.objects.get(code="addon").pk

    def work(index):
        with psycopg.connect(dsn) as conn:
            for n in range(REQUESTS_PER_CLIENT):
                with conn.transaction(), conn.cursor() as cur:
                    cur.execute(
                        "UPDATE billing_spendinglimit SET used = used + %s, updated_at = now() WHERE line_id = %s "
                        "AND scope = 'domestic' AND used - settled + %s <= amount RETURNING used, amount, "
                        "cycle_start", (1_000, line.pk, 1_000))
                    used, amount, cycle_start = cur.fetchone()
                    cur.execute(
                        "INSERT INTO billing_purchase (request_id, line_id, scope, category_code, category_id, amount,"
                        " description, channel, client, decision, reason, counted, usage_after, limit_amount,"
                        " cycle_start, created_at) VALUES (%s, %s, 'domestic', 'addon', %s, %s, '', 'api', '',"
                        " 'approved', '', true, %s, %s, %s, now())",
                        (f"{tag}-{index}-{n}", line.pk, category_id, 1_000, used, amount, cycle_start))
    return work


def main():
    _setup()
    from django.conf import settings

    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        sys.exit("Run against PostgreSQL: set DATABASE_URL=postgres://… (a migrated database).")
    dsn = f"host={db['HOST']} port={db['PORT'] or 5432} dbname={db['NAME']} user={db['USER']}"
    if db.get("PASSWORD"):
        dsn += f" password={db['PASSWORD']}"
    run = uuid.uuid4().hex[:8]
    rows = []
    for clients in (1, 32):
        raw = _run(clients, raw_work(_line(), f"raw-{run}-{clients}", dsn))
        service = _run(clients, service_work(_line(), f"svc-{run}-{clients}"))
        rows.append((clients, raw, service))
    print(f"| clients | raw psycopg (req/s) | service in-process (req/s) | service / raw |  ({REQUESTS_PER_CLIENT} "
          "requests per client, one line)")
    print("|---:|---:|---:|---:|")
    for clients, raw, service in rows:
        print(f"| {clients} | {raw:,.0f} | {service:,.0f} | {service / raw:.0%} |")


if __name__ == "__main__":
    main()
