"""5. The channel API at wire speed (issue 14), against a bare Django view doing one indexed SELECT
(bench/views.py) behind the same gunicorn, settings and middleware, measured interleaved in the same run:

* `POST /api/v1/purchases/authorize` and `POST /api/v1/prepaid/topups` at 1 and 32 clients: req/s as a share of
  the baseline's (target ≥ 60 %), and the gunicorn workers' CPU per request from /proc/<pid>/stat (utime + stime
  of every worker, delta over the run / requests; target ≤ 4 ms);
* `POST /api/v1/usage-records` in batches of 1,000 against raw psycopg writing the same rows in one statement
  (one `INSERT` of fresh record ids + the limit update, one transaction; the key table keeps record_id unique over
  the monthly partitions, core.partitions): records/s (target ≥ 50 %).

The load generator is threads with http.client keep-alive connections (one per client); its own CPU per request is
printed next to the server's, to show it is not the bottleneck.
"""

import datetime as dt
import http.client
import json
import os
import random
import statistics
import time
import uuid
from pathlib import Path

from django.db import connection

from bench.authorize import CATEGORY, SCOPE, Gunicorn, HttpWorkers, _channel_key, _drive, _dsn, _pool

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
TOPUP_AMOUNT = 5_000  # a catalogue denomination
BATCH = 1_000  # usage records per POST (the endpoint's maximum)
POOL_OFFSET = 10  # line pools 10… of WIRE_POOL lines: the authorization part uses 0–5 and 99 of 64
# Spread as real traffic is (2,000 authorizations/s over 10 M lines hardly ever meet on one limit row): the race on a
# hot row is part 1's subject (64 lines), not this part's, which measures what the API layer costs.
WIRE_POOL = 256
NO_ROOM_EVERY = 5  # one line in five has no room left: its purchases are declined for the limit (LIM-02)


def _wire_pool(index: int) -> list[tuple[int, str]]:
    """A pool as the charging system meets lines: most far under their limit (a threshold SMS, LIM-04, is sent twice
    per line and cycle, so almost never per request), one in NO_ROOM_EVERY with no room (declined)."""
    lines = _pool(index, 1, WIRE_POOL)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE billing_spendinglimit SET amount = CASE WHEN line_id %% %s = 0 THEN 0 ELSE %s END "
                       "WHERE scope = 'domestic' AND line_id = ANY(%s)",
                       [NO_ROOM_EVERY, 10**12, [line_id for line_id, _msisdn in lines]])
    return lines


# --------------------------------------------------------------------------------------------------- /proc


def worker_pids(master: int) -> list[int]:
    """gunicorn's worker processes: the master's children."""
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes (all their threads), in seconds."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5), after "pid (comm)"
    return total / CLOCK_TICKS


# --------------------------------------------------------------------------------------------------- workers


class BaselineWorkers(HttpWorkers):
    """POST /api/v1/bench/one-select: the bare view with one indexed SELECT."""

    PATH = "/api/v1/bench/one-select"

    def body(self, request_id: str, msisdn: str) -> dict:
        return {"msisdn": msisdn}

    def decision(self, answer: dict) -> str:
        if answer["line"] is None:
            raise RuntimeError(f"baseline: no line answered: {answer!r}")
        return "approved"


class TopupWorkers(HttpWorkers):
    """POST /api/v1/prepaid/topups on active prepaid cards."""

    PATH = "/api/v1/prepaid/topups"

    def body(self, request_id: str, msisdn: str) -> dict:
        return {"request_id": request_id, "msisdn": msisdn, "amount": TOPUP_AMOUNT, "channel": "api"}

    def decision(self, answer: dict) -> str:
        return "approved"


def _cards(count: int = 256) -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.id, l.msisdn FROM prepaid_card c JOIN accounts_line l ON l.id = c.line_id "
                       "WHERE c.state = 'active' AND l.status = 'active' AND c.active_until > CURRENT_DATE + 5 "
                       "AND NOT EXISTS (SELECT 1 FROM accounts_block b WHERE b.line_id = l.id AND b.ended_at IS NULL) "
                       "ORDER BY c.id LIMIT %s", [count])
        return cursor.fetchall()


# --------------------------------------------------------------------------------------------------- HTTP rounds


def _measured(server, clients: int, per_client: int, workers) -> dict:
    pids = worker_pids(server.process.pid)
    cpu_before, client_before = cpu_seconds(pids), time.process_time()
    result = _drive(clients, per_client, workers)
    result["worker_cpu_s"] = cpu_seconds(pids) - cpu_before
    result["client_cpu_s"] = time.process_time() - client_before
    return result


def _combine(runs: list[dict]) -> dict:
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    return {
        "requests": requests, "seconds": round(seconds, 2), "rate": round(requests / seconds, 1),
        "p50_ms": round(sorted(r["p50_ms"] for r in runs)[len(runs) // 2], 2),
        "p95_ms": round(max(r["p95_ms"] for r in runs), 2),
        "worker_cpu_ms": round(1000 * sum(r["worker_cpu_s"] for r in runs) / requests, 2),
        "client_cpu_ms": round(1000 * sum(r["client_cpu_s"] for r in runs) / requests, 2),
        "runs": [r["rate"] for r in runs],
        "approved": sum(r.get("approved", 0) for r in runs), "declined": sum(r.get("declined", 0) for r in runs),
    }


def _http_rows(server, key: str, tag: str, *, rounds: int, plans) -> list[dict]:
    cards = _cards()
    rows = []
    for clients, per_client in plans:
        runs = {"baseline": [], "authorize": [], "topup": []}
        for round_ in range(rounds):
            # Interleaved: baseline, authorize, top-up, baseline, … so that a load change hits all of them.
            lines = _wire_pool(POOL_OFFSET + round_)
            runs["baseline"].append(_measured(server, clients, per_client,
                                              BaselineWorkers(lines, "", server.port, "")))
            runs["authorize"].append(_measured(server, clients, per_client,
                                               HttpWorkers(lines, f"wire-{tag}-{clients}-{round_}", server.port,
                                                           key)))
            runs["topup"].append(_measured(server, clients, per_client,
                                           TopupWorkers(cards, f"wire-topup-{tag}-{clients}-{round_}", server.port,
                                                        key)))
        row = {"clients": clients, **{name: _combine(value) for name, value in runs.items()}}
        for name in ("authorize", "topup"):
            # Each round's rate over the baseline's of the same round, seconds apart, and the median of the
            # rounds: on a shared 2-core VM the whole machine runs ±20 % faster or slower from one second to the
            # next, which the pairing cancels and the median keeps one odd round from deciding.
            paired = sorted(r["rate"] / b["rate"] for r, b in zip(runs[name], runs["baseline"], strict=True))
            row[f"{name}_vs_baseline"] = round(statistics.median(paired), 3)
            row[f"{name}_vs_baseline_rounds"] = [round(x, 3) for x in paired]
        for name in ("baseline", "authorize", "topup"):
            r = row[name]
            share = ""
            if name != "baseline":
                share = (f"  {row[f'{name}_vs_baseline']:.0%} of baseline (median of rounds "
                         f"{', '.join(f'{x:.0%}' for x in row[f'{name}_vs_baseline_rounds'])})")
            if name == "authorize":
                share += f"  (approved {r['approved']}, declined {r['declined']})"
            print(f"  {clients:>2} client(s) {name:<9} {r['rate']:>7,.0f} req/s (runs {r['runs']})  "
                  f"p50 {r['p50_ms']:.1f} ms  p95 {r['p95_ms']:.1f} ms  worker CPU {r['worker_cpu_ms']:.2f} ms/req  "
                  f"client CPU {r['client_cpu_ms']:.2f} ms/req{share}", flush=True)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------------- usage batches


RAW_USAGE_SQL = """
WITH r AS (SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::timestamptz[])
           AS r(record_id, msisdn, amount, occurred_at)),
ins AS (
    INSERT INTO billing_usagerecord (record_id, line_id, scope, category_id, amount, occurred_at, counted,
                                     cycle_start, late_cycle_start, client, created_at)
    SELECT r.record_id, l.id, %s, %s, r.amount, r.occurred_at, true, s.cycle_start, NULL, 'bench-raw', now()
    FROM r JOIN accounts_line l ON l.msisdn = r.msisdn AND l.status <> 'recycled'
    JOIN billing_spendinglimit s ON s.line_id = l.id AND s.scope = %s
    RETURNING line_id, amount)
UPDATE billing_spendinglimit s SET used = used + t.total, updated_at = now()
FROM (SELECT line_id, sum(amount) AS total FROM ins GROUP BY line_id) t
WHERE s.line_id = t.line_id AND s.scope = %s
"""


def _records(lines, tag: str) -> list[dict]:
    occurred = dt.datetime.now(dt.UTC).isoformat()
    rng = random.Random(tag)
    return [{"record_id": f"{tag}-{n}", "msisdn": lines[rng.randrange(len(lines))][1], "scope": SCOPE,
             "category": CATEGORY, "amount": 1, "occurred_at": occurred} for n in range(BATCH)]


def _raw_batch(conn, category_id: int, records: list[dict]) -> None:
    with conn.transaction():
        conn.execute(RAW_USAGE_SQL, [[r["record_id"] for r in records], [r["msisdn"] for r in records],
                                     [r["amount"] for r in records], [r["occurred_at"] for r in records],
                                     SCOPE, category_id, SCOPE, SCOPE])


def _http_batch(conn, key: str, records: list[dict]) -> dict:
    conn.request("POST", "/api/v1/usage-records", body=json.dumps(records),
                 headers={"Authorization": f"Token {key}", "Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    if response.status != 200:
        raise RuntimeError(f"usage-records HTTP {response.status}: {payload[:300]!r}")
    result = json.loads(payload)
    if result["accepted"] != len(records):
        raise RuntimeError(f"usage-records: {result['rejected']} rejected: {result['errors'][:3]}")
    return result


def _usage(server, key: str, tag: str, *, rounds: int) -> dict:
    import psycopg

    lines = _pool(POOL_OFFSET + 20, 10**7)  # a limit so high that no threshold SMS is due
    raw_conn = psycopg.connect(_dsn())
    http_conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    category_id = raw_conn.execute("SELECT id FROM billing_servicecategory WHERE code = %s AND scope = %s",
                                   [CATEGORY, SCOPE]).fetchone()[0]
    raw_conn.commit()
    pids = worker_pids(server.process.pid)
    times = {"raw": 0.0, "http": 0.0}
    cpu = 0.0
    try:
        _http_batch(http_conn, key, _records(lines, f"usage-warm-{tag}")[:50])
        for round_ in range(rounds):
            records = _records(lines, f"usage-raw-{tag}-{round_}")
            began = time.perf_counter()
            _raw_batch(raw_conn, category_id, records)
            times["raw"] += time.perf_counter() - began
            records = _records(lines, f"usage-http-{tag}-{round_}")
            cpu_before = cpu_seconds(pids)
            began = time.perf_counter()
            _http_batch(http_conn, key, records)
            times["http"] += time.perf_counter() - began
            cpu += cpu_seconds(pids) - cpu_before
    finally:
        raw_conn.close()
        http_conn.close()
    total = rounds * BATCH
    result = {"batch": BATCH, "batches": rounds, "raw_rate": round(total / times["raw"], 1),
              "http_rate": round(total / times["http"], 1),
              "worker_cpu_ms_per_record": round(1000 * cpu / total, 3)}
    result["http_vs_raw"] = round(result["http_rate"] / result["raw_rate"], 3)
    print(f"  usage-records, {rounds} batches of {BATCH:,}: raw {result['raw_rate']:,.0f} records/s, HTTP "
          f"{result['http_rate']:,.0f} records/s ({result['http_vs_raw']:.1%} of raw), worker CPU "
          f"{result['worker_cpu_ms_per_record']:.3f} ms/record", flush=True)
    return result


# --------------------------------------------------------------------------------------------------- run


def run(*, quick: bool) -> dict:
    tag = uuid.uuid4().hex[:8]
    key = _channel_key()
    plans = [(1, 300 if quick else 1000), (32, 20 if quick else 40)]
    rounds = 5 if quick else 7
    with Gunicorn() as server:
        print(f"  gunicorn on 127.0.0.1:{server.port}: {server.workers} workers × {server.threads} threads "
              f"(gthread), workers {worker_pids(server.process.pid)}", flush=True)
        warm = _wire_pool(POOL_OFFSET + 9)
        for workers in (BaselineWorkers(warm, "", server.port, ""),
                        HttpWorkers(warm, f"wire-warm-{tag}", server.port, key),
                        TopupWorkers(_cards(), f"wire-topup-warm-{tag}", server.port, key)):
            # Every worker thread (each has its own database connection) has connected, cached the key and the
            # catalogue, and run the hot statements often enough for psycopg to prepare them.
            _drive(server.workers * server.threads, 8, workers)
        rows = _http_rows(server, key, tag, rounds=rounds, plans=plans)
        usage = _usage(server, key, tag, rounds=rounds)
        cache = server.env.get("CACHE_URL", "locmem")
    return {"rows": rows, "usage": usage, "rounds": rounds,
            "gunicorn": {"workers": server.workers, "threads": server.threads, "cache": cache.split("@")[-1]}}
