"""1. Purchase authorization (LIM-02): the service in-process and over HTTP (gunicorn) against raw psycopg running
the same SQL, with 1 and 32 clients. Every variant gets its own pool of lines, reset to the same state, whose
limits allow about 80 % of the requests: the rest are declined, so the run also proves that no line ends over its
limit under concurrency.
"""

import http.client
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
POOL = 64  # lines per variant
AMOUNT = 1_000  # Rp per purchase
CATEGORY = "addon"
SCOPE = "domestic"
CLIENT_NAME = "bench-charging"


def _dsn() -> str:
    db = settings.DATABASES["default"]
    parts = [f"dbname={db['NAME']}"]
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if db.get(key):
            parts.append(f"{name}={db[key]}")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------------- line pools


def _pool(index: int, total_requests: int, size: int = POOL) -> list[tuple[int, str]]:
    """`size` active postpaid lines without blocks or overdue bills, reset: usage 0, flags off, limit ≈ 80 %."""
    from core.dates import local_today

    today = local_today()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.id, l.msisdn FROM accounts_line l "
            "JOIN billing_spendinglimit s ON s.line_id = l.id AND s.scope = 'domestic' "
            "WHERE l.kind = 'postpaid' AND l.status = 'active' "
            "AND NOT EXISTS (SELECT 1 FROM accounts_block b WHERE b.line_id = l.id AND b.ended_at IS NULL) "
            "AND NOT EXISTS (SELECT 1 FROM billing_bill x WHERE x.billing_account_id = l.billing_account_id "
            "                AND x.status = 'open' AND x.due_date < %s) "
            "ORDER BY l.id LIMIT %s OFFSET %s", [today, size, index * size])
        lines = cursor.fetchall()
        ids = [row[0] for row in lines]
        limit = AMOUNT * math.ceil(0.8 * total_requests / len(ids))
        cursor.execute("UPDATE billing_spendinglimit SET used = 0, settled = 0, warn_notified = false, "
                       "full_notified = false, amount = %s WHERE scope = 'domestic' AND line_id = ANY(%s)",
                       [limit, ids])
        cursor.execute("DELETE FROM core_outboundsms WHERE line_id = ANY(%s) AND template_code LIKE 'billing_limit%%'",
                       [ids])
    return lines


def _pool_check(lines, approved: int) -> dict:
    ids = [row[0] for row in lines]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(sum(used), 0), count(*) FILTER (WHERE used - settled > amount) "
                       "FROM billing_spendinglimit WHERE scope = 'domestic' AND line_id = ANY(%s)", [ids])
        used, over = cursor.fetchone()
    return {"usage_sum": int(used), "approved_sum": approved * AMOUNT, "lines_over_limit": over}


# --------------------------------------------------------------------------------------------------- drivers


def _drive(clients: int, per_client: int, make_worker) -> dict:
    """Start `clients` threads at once; each runs `per_client` requests. Returns rate and latency."""
    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []
    latencies: list[list[float]] = [[] for _ in range(clients)]
    decisions = {"approved": 0, "declined": 0}
    lock = threading.Lock()

    def target(index: int) -> None:
        try:
            work = make_worker(index)
            barrier.wait()
            mine = {"approved": 0, "declined": 0}
            for n in range(per_client):
                began = time.perf_counter()
                decision = work(n)
                latencies[index].append(time.perf_counter() - began)
                mine[decision] += 1
            with lock:
                for key, value in mine.items():
                    decisions[key] += value
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            try:
                barrier.abort()
            except threading.BrokenBarrierError:
                pass
        finally:
            closer = getattr(make_worker, "close", None)
            if closer:
                closer(index)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    flat = sorted(x for per in latencies for x in per)
    total = clients * per_client
    return {
        "clients": clients, "requests": total, "seconds": round(elapsed, 2), "rate": round(total / elapsed, 1),
        "p50_ms": round(statistics.median(flat) * 1000, 2),
        "p95_ms": round(flat[max(0, math.ceil(0.95 * len(flat)) - 1)] * 1000, 2), **decisions,
    }


class RawWorkers:
    """The same statements as the service, by hand, with psycopg: replay check, line and flags, category, the
    conditional debit, the LIM-04 flags and SMS row, the purchase row; one transaction per request."""

    LINE_SQL = (
        "SELECT l.id, l.kind, l.status, "
        "EXISTS (SELECT 1 FROM accounts_block b WHERE b.line_id = l.id AND b.ended_at IS NULL "
        "        AND b.reason = 'customer_request'), "
        "EXISTS (SELECT 1 FROM accounts_block b WHERE b.line_id = l.id AND b.ended_at IS NULL "
        "        AND b.reason = 'system_hold'), "
        "EXISTS (SELECT 1 FROM accounts_block b WHERE b.line_id = l.id AND b.ended_at IS NULL "
        "        AND b.reason = 'unpaid_bill'), "
        "EXISTS (SELECT 1 FROM accounts_block b WHERE b.line_id = l.id AND b.ended_at IS NULL "
        "        AND b.scope IN ('all', 'purchases') "
        "        AND b.reason NOT IN ('customer_request', 'system_hold', 'unpaid_bill')), "
        "EXISTS (SELECT 1 FROM billing_bill x WHERE x.billing_account_id = l.billing_account_id "
        "        AND x.status = 'open' AND x.due_date < %s), "
        "a.id, a.number, a.payment_method "
        "FROM accounts_line l LEFT JOIN accounts_billingaccount a ON a.id = l.billing_account_id "
        "WHERE l.msisdn = %s AND l.status <> 'recycled' LIMIT 1"
    )
    DEBIT_SQL = (
        "UPDATE billing_spendinglimit SET used = used + %s, updated_at = now() WHERE line_id = %s AND scope = %s "
        "AND used - settled + %s <= amount RETURNING id, used, settled, amount, cycle_start, warn_notified, "
        "full_notified"
    )
    INSERT_SQL = (
        "INSERT INTO billing_purchase (request_id, line_id, scope, category_code, category_id, amount, description, "
        "channel, client, decision, reason, counted, usage_after, limit_amount, cycle_start, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, '', 'api', '', %s, %s, %s, %s, %s, %s, now())"
    )

    def __init__(self, lines, tag: str, today):
        self.lines = lines
        self.tag = tag
        self.today = today
        self.connections = {}

    def __call__(self, index: int):
        import psycopg

        conn = psycopg.connect(_dsn())
        self.connections[index] = conn
        rng = random.Random(index)
        # The service caches the catalogue row per process; so does this.
        category = conn.execute("SELECT id, scope, counts_against_limit FROM billing_servicecategory "
                                "WHERE code = %s LIMIT 1", [CATEGORY]).fetchone()
        conn.commit()

        def work(n: int) -> str:
            _line_id, msisdn = self.lines[rng.randrange(len(self.lines))]
            request_id = f"{self.tag}-{index}-{n}"
            with conn.transaction():
                if conn.execute("SELECT id FROM billing_purchase WHERE request_id = %s", [request_id]).fetchone():
                    raise RuntimeError("replay")
                row = conn.execute(self.LINE_SQL, [self.today, msisdn]).fetchone()
                blocked = row[1] != "postpaid" or any(row[3:8]) or row[2] != "active"
                limit = None if blocked else conn.execute(self.DEBIT_SQL, [AMOUNT, row[0], SCOPE, AMOUNT]).fetchone()
                if limit is not None:
                    self._thresholds(conn, row, limit)
                    usage, amount, cycle = limit[1] - limit[2], limit[3], limit[4]
                    decision, reason = "approved", ""
                else:
                    current = conn.execute("SELECT used, settled, amount, cycle_start FROM billing_spendinglimit "
                                           "WHERE line_id = %s AND scope = %s LIMIT 1", [row[0], SCOPE]).fetchone()
                    usage, amount, cycle = current[0] - current[1], current[2], current[3]
                    decision, reason = "declined", "limit_exceeded"
                conn.execute(self.INSERT_SQL, [request_id, row[0], SCOPE, CATEGORY, category[0], AMOUNT, decision,
                                               reason, decision == "approved", usage, amount, cycle])
            return decision

        return work

    @staticmethod
    def _thresholds(conn, line_row, limit) -> None:
        limit_id, used, settled, amount, cycle, warn, full = limit
        counted = used - settled
        for flag, done, percent, template in (("warn_notified", warn, 80, "billing_limit_warn"),
                                              ("full_notified", full, 100, "billing_limit_full")):
            if done or counted * 100 <= amount * percent:  # LIM-04: above the threshold
                continue
            claimed = conn.execute(f"UPDATE billing_spendinglimit SET {flag} = true WHERE id = %s AND NOT {flag}",
                                   [limit_id]).rowcount
            if claimed:
                key = f"limit:{line_row[0]}:{SCOPE}:{cycle.isoformat()}:{template.rsplit('_', 1)[1]}"
                conn.execute(
                    "INSERT INTO core_outboundsms (msisdn, line_id, template_code, language, text, dedup_key, status, "
                    "attempts, next_attempt_at, last_error, gateway_message_id, created_at, updated_at) "
                    "SELECT l.msisdn, l.id, t.code, 'id', replace(t.text_id, '{percent}', %s::text), %s, 'queued', "
                    "0, now(), '', '', now(), now() FROM accounts_line l, core_smstemplate t "
                    "WHERE l.id = %s AND t.code = %s "
                    # the outbox is partitioned by month: its dedup key is unique in core_outboundsms_key, which
                    # ON CONFLICT does not see (core/partitions.py); the flag claimed above serialises this insert
                    "AND NOT EXISTS (SELECT 1 FROM core_outboundsms_key k WHERE k.dedup_key = %s)",
                    [percent, key, line_row[0], template, key])

    def close(self, index: int) -> None:
        conn = self.connections.pop(index, None)
        if conn is not None:
            conn.close()


class ServiceWorkers:
    """billing.services.purchase_authorize in-process, one Django connection per thread."""

    def __init__(self, lines, tag: str):
        self.lines = lines
        self.tag = tag

    def __call__(self, index: int):
        from billing.services import purchase_authorize

        rng = random.Random(index)

        def work(n: int) -> str:
            _line_id, msisdn = self.lines[rng.randrange(len(self.lines))]
            purchase = purchase_authorize(request_id=f"{self.tag}-{index}-{n}", msisdn=msisdn, scope=SCOPE,
                                          category=CATEGORY, amount=AMOUNT)
            if purchase.decision == "declined" and purchase.reason != "limit_exceeded":
                raise RuntimeError(f"unexpected decline: {purchase.reason}")
            return purchase.decision

        return work

    def close(self, index: int) -> None:
        connection.close()


class HttpWorkers:
    """POST /api/v1/purchases/authorize on gunicorn, one keep-alive connection per client. The other wire workers
    (bench/wire.py) change PATH, body() and decision()."""

    PATH = "/api/v1/purchases/authorize"

    def __init__(self, lines, tag: str, port: int, key: str):
        self.lines = lines
        self.tag = tag
        self.port = port
        self.key = key
        self.connections = {}

    def body(self, request_id: str, msisdn: str) -> dict:
        return {"request_id": request_id, "msisdn": msisdn, "scope": SCOPE, "category": CATEGORY, "amount": AMOUNT}

    def decision(self, answer: dict) -> str:
        return answer["decision"]

    def __call__(self, index: int):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.connections[index] = conn
        rng = random.Random(index)
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = f"Token {self.key}"

        def work(n: int) -> str:
            _id, msisdn = self.lines[rng.randrange(len(self.lines))]
            conn.request("POST", self.PATH, body=json.dumps(self.body(f"{self.tag}-{index}-{n}", msisdn)),
                         headers=headers)
            response = conn.getresponse()
            payload = response.read()
            if response.status != 200:
                raise RuntimeError(f"{self.PATH}: HTTP {response.status}: {payload[:300]!r}")
            return self.decision(json.loads(payload))

        return work

    def close(self, index: int) -> None:
        conn = self.connections.pop(index, None)
        if conn is not None:
            conn.close()


# --------------------------------------------------------------------------------------------------- gunicorn


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _channel_key() -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "create_channel_client", CLIENT_NAME, "--kind", "charging", "--rate",
         "1000000/s"], cwd=BASE_DIR, check=True, capture_output=True, text=True)
    return result.stdout.strip().splitlines()[-1].strip()


class Gunicorn:
    def __init__(self):
        self.port = _free_port()
        self.workers = max(2, 2 * (os.cpu_count() or 1))
        self.threads = 8
        self.process = None

    def __enter__(self):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_CONN_MAX_AGE": "600"}
        broker = os.environ.get("CELERY_BROKER_URL", "")
        if "CACHE_URL" not in env and broker.startswith("redis://"):
            env["CACHE_URL"] = broker  # the throttle's counter in Redis, shared by the workers, as in production
        self.env = env
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--threads", str(self.threads), "--worker-class", "gthread",
             "--keep-alive", "75", "--log-level", "warning"],
            cwd=BASE_DIR, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/accounts/login/")
                conn.getresponse().read()
                conn.close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited")
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start within 60 s")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --------------------------------------------------------------------------------------------------- run


def run(*, quick: bool) -> dict:
    from core.dates import local_today

    today = local_today()
    plans = [(1, 300 if quick else 2000), (32, 15 if quick else 100)]
    key = _channel_key()
    tag = uuid.uuid4().hex[:8]
    rows = []
    pool_index = 0
    over_all = 0
    with Gunicorn() as server:
        print(f"  gunicorn on 127.0.0.1:{server.port}: {server.workers} workers × {server.threads} threads (gthread)",
              flush=True)
        # Warm-up: one pass of each variant so that connections, caches and plans are ready.
        warm = _pool(99, 40)
        _drive(2, 10, RawWorkers(warm, f"warm-raw-{tag}", today))
        _drive(2, 10, ServiceWorkers(warm, f"warm-svc-{tag}"))
        _drive(4, 10, HttpWorkers(warm, f"warm-http-{tag}", server.port, key))
        for clients, per_client in plans:
            row = {"clients": clients}
            for variant in ("raw", "service", "http"):
                lines = _pool(pool_index, clients * per_client)
                pool_index += 1
                vtag = f"{variant}-{tag}-{clients}"
                if variant == "raw":
                    workers = RawWorkers(lines, vtag, today)
                elif variant == "service":
                    workers = ServiceWorkers(lines, vtag)
                else:
                    workers = HttpWorkers(lines, vtag, server.port, key)
                result = _drive(clients, per_client, workers)
                result.update(_pool_check(lines, result["approved"]))
                over_all += result["lines_over_limit"]
                row[variant] = result
                print(f"  {clients:>2} client(s) {variant:<8} {result['rate']:>8,.0f} req/s  "
                      f"p50 {result['p50_ms']:.1f} ms  p95 {result['p95_ms']:.1f} ms  approved {result['approved']}, "
                      f"declined {result['declined']}, over limit {result['lines_over_limit']}", flush=True)
                if result["usage_sum"] != result["approved_sum"]:
                    raise AssertionError(f"{variant}: usage {result['usage_sum']} != approved {result['approved_sum']}")
            row["service_vs_raw"] = round(row["service"]["rate"] / row["raw"]["rate"], 3)
            row["http_vs_raw"] = round(row["http"]["rate"] / row["raw"]["rate"], 3)
            rows.append(row)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM billing_spendinglimit WHERE used - settled > amount")
        over_table = cursor.fetchone()[0]
    print(f"  lines over their limit after the run: {over_table} (whole table), {over_all} (bench pools)", flush=True)
    assert over_table == 0, f"{over_table} spending limits end over their limit"
    return {"rows": rows, "lines_over_limit": over_table, "pool_lines": POOL, "amount": AMOUNT,
            "gunicorn": {"workers": server.workers, "threads": server.threads, "settings": "bench.settings (local, "
                         "DEBUG off)", "conn_max_age": 600}}
