"""The bench dataset: N generated lines (half prepaid, half postpaid) with their prepaid cards, ledgers, Prime
subscriptions, spending limits, bills, payments and audit history. Generated once, reused afterwards.

Customers, accounts and lines come from `manage.py generate_lines --count N` (COPY). Everything else is set-based
SQL (INSERT … SELECT) driven by a per-card plan table, `bench_card_plan`, that this module owns in the bench
database only. Each card's class is a pure function of its line's sequence number `n`:

    h1 < 5    active, Active Period ended 1–3 days ago        → the lifecycle job moves it to grace
    h1 < 10   grace, grace ended 1–3 days ago                 → the lifecycle job voids its balance (invalid)
    h1 < 13   grace, not yet due
    h1 < 15   invalid (balance already forfeited)
    else      active, Active Period ends in 1–120 days;  ~24 % of them on IM3 Prime (≈ 20 % of all cards),
              of which 10 % renew today and 1 % cannot pay (balance Rp 1.000 → Prime disabled, SMS)

Dates are stored as offsets from the day the plan is applied, so `reset_due_state()` can put the due rows back
exactly as they were (a job run changes them) on any day.
"""

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

PREFIX = "+62822"  # generate_lines' reserved range
BASE_DIR = Path(__file__).resolve().parent.parent

H1 = "mod(mod(p.n * 2654435761, 4294967296), 100)"
H2 = "mod(mod(p.n * 2246822519, 4294967291), 100)"
H3 = "mod(mod(p.n * 3266489917, 4294967311), 1000)"


def _sql(statement: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def _one(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        row = cursor.fetchone()
    return row[0] if row else None


def _step(label: str, statement: str, params=None) -> int:
    started = time.perf_counter()
    count = _sql(statement, params)
    print(f"    {label}: {count:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    return count


def generated_lines() -> int:
    return _one("SELECT count(*) FROM accounts_line WHERE msisdn >= %s AND msisdn < %s",
                [PREFIX, PREFIX[:-1] + "3"])


def _meta_tables() -> None:
    _sql("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)")
    _sql(
        "CREATE TABLE IF NOT EXISTS bench_card_plan ("
        " line_id bigint PRIMARY KEY, card_id bigint NOT NULL UNIQUE, n bigint NOT NULL, batch int NOT NULL,"
        " klass text NOT NULL, balance bigint NOT NULL, forfeited bigint NOT NULL,"
        " active_off int, grace_off int, invalid_off int, package_idx int NOT NULL,"
        " prime_sub_id bigint, tier_idx int, prime_due boolean NOT NULL DEFAULT false, prime_off int)"
    )


def _meta_get(key: str) -> str | None:
    return _one("SELECT value FROM bench_meta WHERE key = %s", [key])


def _meta_set(key: str, value: str) -> None:
    _sql("INSERT INTO bench_meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
         [key, value])


def _catalogue() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, price FROM prepaid_package ORDER BY id")
        packages = cursor.fetchall()
        cursor.execute("SELECT id, monthly_fee, name FROM prepaid_primetier ORDER BY min_average_spend")
        tiers = cursor.fetchall()
        cursor.execute("SELECT id FROM prepaid_activationarea ORDER BY id")
        areas = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id, monthly_fee FROM billing_basicpackage ORDER BY monthly_fee")
        basic = cursor.fetchall()
    if not (packages and tiers and areas and basic):
        raise SystemExit("The prepaid/billing catalogues are empty: run the migrations first.")
    return {
        "package_ids": [p[0] for p in packages], "package_prices": [p[1] for p in packages],
        "tier_ids": [t[0] for t in tiers], "tier_fees": [t[1] for t in tiers], "tier_names": [t[2] for t in tiers],
        "areas": areas, "basic_ids": [b[0] for b in basic], "basic_fees": [b[1] for b in basic],
    }


def _cycle_values(today: dt.date) -> str:
    from billing.cycles import cycle_for

    rows = []
    for day in range(1, 29):
        start, end = cycle_for(today, day)
        rows.append(f"({day}, DATE '{start.isoformat()}', DATE '{end.isoformat()}')")
    return "(VALUES " + ", ".join(rows) + ") AS cyc(day, cycle_start, cycle_end)"


# --------------------------------------------------------------------------------------------------- generation


def ensure(*, lines: int, today: dt.date) -> dict:
    """Make the dataset hold at least `lines` generated lines with everything around them; returns a summary."""
    _meta_tables()
    started = time.perf_counter()
    existing = generated_lines()
    reused = existing >= lines
    if not reused:
        missing = lines - existing
        print(f"  generate_lines --count {missing:,} (have {existing:,})", flush=True)
        subprocess.run([sys.executable, "manage.py", "generate_lines", "--count", str(missing)], cwd=BASE_DIR,
                       check=True)
    else:
        print(f"  reusing {existing:,} generated lines (asked for {lines:,})", flush=True)
    cat = _catalogue()
    batch = int(_one("SELECT COALESCE(max(batch), 0) + 1 FROM bench_card_plan"))
    _prepaid(cat, batch, today)
    _postpaid(cat, today)
    _history(today)
    if _meta_get("plan_day") is None:
        _meta_set("plan_day", today.isoformat())
    elif _meta_get("plan_day") != today.isoformat():
        reset_due_state(today=today, everything=True)
        _meta_set("plan_day", today.isoformat())
    _meta_set("lines", str(generated_lines()))
    with connection.cursor() as cursor:
        for table in ("prepaid_card", "prepaid_ledgerentry", "prepaid_primesubscription", "prepaid_packagepurchase",
                      "billing_spendinglimit", "billing_bill", "billing_payment", "billing_linepackage",
                      "core_auditevent", "bench_card_plan", "accounts_line", "accounts_customer"):
            cursor.execute(f"ANALYZE {table}")
    summary = counts()
    summary["reused"] = reused
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary


def counts() -> dict:
    queries = {
        "lines": "SELECT count(*) FROM accounts_line",
        "customers": "SELECT count(*) FROM accounts_customer",
        "billing_accounts": "SELECT count(*) FROM accounts_billingaccount",
        "prepaid_cards": "SELECT count(*) FROM prepaid_card",
        "prime_active": "SELECT count(*) FROM prepaid_primesubscription WHERE status = 'active'",
        "ledger_entries": "SELECT count(*) FROM prepaid_ledgerentry",
        "spending_limits": "SELECT count(*) FROM billing_spendinglimit",
        "bills": "SELECT count(*) FROM billing_bill",
        "payments": "SELECT count(*) FROM billing_payment",
        "audit_events": "SELECT count(*) FROM core_auditevent",
    }
    with connection.cursor() as cursor:
        result = {}
        for key, sql in queries.items():
            cursor.execute(sql)
            result[key] = cursor.fetchone()[0]
    return result


def _prepaid(cat: dict, batch: int, today: dt.date) -> None:
    print("  prepaid cards, ledgers, Prime", flush=True)
    _step("card plan", f"""
        INSERT INTO bench_card_plan (line_id, card_id, n, batch, klass, balance, forfeited, active_off, grace_off,
                                     invalid_off, package_idx, prime_sub_id, tier_idx, prime_due, prime_off)
        SELECT line_id, nextval(pg_get_serial_sequence('prepaid_card', 'id')), n, %(batch)s, klass,
               CASE WHEN klass = 'invalid' THEN 0 WHEN prime AND mod(h3, 100) = 0 THEN 1000
                    WHEN prime THEN 50000 + 1000 * mod(h3, 100) ELSE 1000 * mod(h3, 150) END,
               CASE WHEN klass = 'invalid' THEN 1000 + 1000 * mod(h3, 50) ELSE 0 END,
               CASE klass WHEN 'to_grace' THEN -1 - mod(n, 3)::int WHEN 'to_invalid' THEN -31 - mod(n, 3)::int
                          WHEN 'grace' THEN -29 + mod(n, 28)::int WHEN 'invalid' THEN -61 - mod(n, 200)::int
                          ELSE 1 + mod(n, 120)::int END,
               CASE klass WHEN 'to_invalid' THEN -1 - mod(n, 3)::int WHEN 'grace' THEN 1 + mod(n, 28)::int
                          WHEN 'invalid' THEN -31 - mod(n, 200)::int END,
               CASE WHEN klass = 'invalid' THEN -30 - mod(n, 200)::int END,
               mod(h2, %(packages)s)::int,
               CASE WHEN prime THEN nextval(pg_get_serial_sequence('prepaid_primesubscription', 'id')) END,
               CASE WHEN prime THEN mod(h3, %(tiers)s)::int END,
               prime AND mod(h3, 10) = 0,
               CASE WHEN prime THEN 1 + mod(n, 27)::int END
        FROM (
            SELECT p.line_id, p.n, {H2} AS h2, {H3} AS h3,
                   CASE WHEN {H1} < 5 THEN 'to_grace' WHEN {H1} < 10 THEN 'to_invalid' WHEN {H1} < 13 THEN 'grace'
                        WHEN {H1} < 15 THEN 'invalid' ELSE 'active' END AS klass,
                   {H1} >= 15 AND {H2} < 24 AS prime
            FROM (SELECT l.id AS line_id, substr(l.msisdn, 7)::bigint AS n FROM accounts_line l
                  WHERE l.kind = 'prepaid' AND l.msisdn >= %(lo)s AND l.msisdn < %(hi)s
                  AND NOT EXISTS (SELECT 1 FROM bench_card_plan b WHERE b.line_id = l.id)) p
        ) q
    """, {"batch": batch, "packages": len(cat["package_ids"]), "tiers": len(cat["tier_ids"]), "lo": PREFIX,
          "hi": PREFIX[:-1] + "3"})
    params = {"batch": batch, "today": today, "areas": cat["areas"], "pkg_ids": cat["package_ids"],
              "pkg_prices": cat["package_prices"], "tier_ids": cat["tier_ids"], "tier_fees": cat["tier_fees"],
              "tier_names": cat["tier_names"]}
    _step("cards", """
        INSERT INTO prepaid_card (id, line_id, activation_area_id, state, balance, active_until, grace_until,
                                  activated_on, invalid_since, reminder_sent_for, created_at, updated_at, brand)
        SELECT p.card_id, p.line_id, (%(areas)s::bigint[])[1 + mod(p.n, cardinality(%(areas)s::bigint[]))],
               CASE p.klass WHEN 'to_grace' THEN 'active' WHEN 'to_invalid' THEN 'grace' WHEN 'active' THEN 'active'
                    ELSE p.klass END,
               p.balance, %(today)s::date + p.active_off, %(today)s::date + p.grace_off, l.activated_on,
               %(today)s::date + p.invalid_off, NULL, now(), now(), 'im3'
        FROM bench_card_plan p JOIN accounts_line l ON l.id = p.line_id WHERE p.batch = %(batch)s
    """, params)
    # Prime: the due ones started a month ago (renews today); the others 1–27 days ago. First fee taken at start.
    prime_start = ("CASE WHEN p.prime_due THEN (%(today)s::date - interval '1 month')::date "
                   "ELSE %(today)s::date - p.prime_off END")
    _step("Prime subscriptions", f"""
        INSERT INTO prepaid_primesubscription (id, card_id, tier_id, status, started_on, periods_charged, renews_on,
                                               ended_on, end_reason, tier_reviewed_for, created_at)
        SELECT p.prime_sub_id, p.card_id, (%(tier_ids)s::bigint[])[1 + p.tier_idx], 'active', s.started_on, 1,
               (s.started_on + interval '1 month')::date, NULL, '', date_trunc('month', s.started_on)::date, now()
        FROM bench_card_plan p CROSS JOIN LATERAL (SELECT {prime_start} AS started_on) s
        WHERE p.batch = %(batch)s AND p.prime_sub_id IS NOT NULL
    """, params)
    # Ledger: top-up, package purchase, [first Prime fee], [forfeiture]: the sum is the card's balance.
    fee = "CASE WHEN p.prime_sub_id IS NULL THEN 0 ELSE (%(tier_fees)s::bigint[])[1 + p.tier_idx] END"
    price = "(%(pkg_prices)s::bigint[])[1 + p.package_idx]"
    _step("ledger: top-ups", f"""
        INSERT INTO prepaid_ledgerentry (card_id, kind, reference, amount, balance_after, created_at, channel,
                                         actor_id, note)
        SELECT p.card_id, 'topup', 'bench:topup:' || p.card_id, p.balance + p.forfeited + {price} + {fee},
               p.balance + p.forfeited + {price} + {fee}, now() - interval '90 days', 'app', NULL, ''
        FROM bench_card_plan p WHERE p.batch = %(batch)s
    """, params)
    _step("ledger: package purchases", f"""
        INSERT INTO prepaid_ledgerentry (card_id, kind, reference, amount, balance_after, created_at, channel,
                                         actor_id, note)
        SELECT p.card_id, 'package_purchase', 'bench:package:' || p.card_id, -{price},
               p.balance + p.forfeited + {fee}, now() - interval '80 days', 'umb', NULL, ''
        FROM bench_card_plan p WHERE p.batch = %(batch)s
    """, params)
    _step("package purchases", """
        INSERT INTO prepaid_packagepurchase (card_id, package_id, reference, price, purchased_at, valid_until,
                                             rollover, entry_id)
        SELECT e.card_id, (%(pkg_ids)s::bigint[])[1 + p.package_idx], e.reference, -e.amount, e.created_at,
               (e.created_at + interval '30 days')::date, false, e.id
        FROM prepaid_ledgerentry e JOIN bench_card_plan p ON p.card_id = e.card_id
        WHERE p.batch = %(batch)s AND e.reference = 'bench:package:' || p.card_id
    """, params)
    _step("ledger: first Prime fees", f"""
        INSERT INTO prepaid_ledgerentry (card_id, kind, reference, amount, balance_after, created_at, channel,
                                         actor_id, note)
        SELECT p.card_id, 'prime_fee', 'prime:' || p.prime_sub_id || ':' || s.started_on, -{fee}, p.balance,
               s.started_on, 'grapari', NULL, (%(tier_names)s::text[])[1 + p.tier_idx]
        FROM bench_card_plan p JOIN prepaid_primesubscription s ON s.id = p.prime_sub_id
        WHERE p.batch = %(batch)s
    """, params)
    _step("ledger: past forfeitures", """
        INSERT INTO prepaid_ledgerentry (card_id, kind, reference, amount, balance_after, created_at, channel,
                                         actor_id, note)
        SELECT p.card_id, 'forfeiture', 'bench:forfeit:' || p.card_id, -p.forfeited, 0,
               (%(today)s::date + p.invalid_off)::timestamptz, 'system', NULL, 'PRE-02 grace period ended'
        FROM bench_card_plan p WHERE p.batch = %(batch)s AND p.klass = 'invalid'
    """, params)


def _postpaid(cat: dict, today: dt.date) -> None:
    print("  postpaid packages, limits, bills, payments", flush=True)
    lines = ("SELECT l.id, l.billing_account_id, substr(l.msisdn, 7)::bigint AS n, l.activated_on "
             "FROM accounts_line l WHERE l.kind = 'postpaid' AND l.msisdn >= %(lo)s AND l.msisdn < %(hi)s")
    params = {"lo": PREFIX, "hi": PREFIX[:-1] + "3", "basic": cat["basic_ids"], "today": today}
    _step("line packages", f"""
        INSERT INTO billing_linepackage (line_id, package_id, since)
        SELECT x.id, (%(basic)s::bigint[])[1 + mod(x.n, cardinality(%(basic)s::bigint[]))], x.activated_on
        FROM ({lines}) x WHERE NOT EXISTS (SELECT 1 FROM billing_linepackage lp WHERE lp.line_id = x.id)
    """, params)
    # Domestic: Rp 300.000–1.000.000, 0–89 % used; international: Rp 1.000.000, 0–19 % used.
    _step("spending limits", f"""
        INSERT INTO billing_spendinglimit (line_id, scope, amount, used, settled, cycle_start, cycle_end,
                                           warn_notified, full_notified, updated_at)
        SELECT x.id, sc.scope, sc.amount, sc.amount * mod(x.n * 40503, sc.pct) / 100, 0, cyc.cycle_start,
               cyc.cycle_end, false, false, now()
        FROM ({lines}) x JOIN accounts_billingaccount a ON a.id = x.billing_account_id
        JOIN {_cycle_values(today)} ON cyc.day = a.bill_cycle_day
        CROSS JOIN LATERAL (VALUES ('domestic', (ARRAY[300000, 500000, 700000, 1000000])[1 + mod(x.n, 4)], 80),
                                   ('international', 1000000, 20)) AS sc(scope, amount, pct)
        WHERE NOT EXISTS (SELECT 1 FROM billing_spendinglimit s WHERE s.line_id = x.id)
    """, params)
    # Four monthly bills per account: three closed and paid, the latest open (2 % of accounts overdue).
    _step("bills", f"""
        INSERT INTO billing_bill (billing_account_id, period_start, period_end, issued_on, due_date, total, paid,
                                  status, paid_on, overdue_blocked_on, created_at, taxable_amount, ppn_percent, ppn)
        SELECT a.id, b.period_start, b.period_end, b.issued_on, b.issued_on + 20,
               100000 + mod(a.id * 7919 + k * 104729, 400000),
               CASE WHEN open THEN 0 ELSE 100000 + mod(a.id * 7919 + k * 104729, 400000) END,
               CASE WHEN open THEN 'open' ELSE 'paid' END,
               CASE WHEN open THEN NULL ELSE b.issued_on + mod(a.id, 20)::int END, NULL, now(),
               t.total * 100 / 111, 11, t.total - t.total * 100 / 111  -- BIL-10: the total includes PPN
        FROM accounts_billingaccount a
        JOIN {_cycle_values(today)} ON cyc.day = a.bill_cycle_day
        CROSS JOIN generate_series(1, 4) AS k
        CROSS JOIN LATERAL (SELECT (cyc.cycle_start - k * interval '1 month')::date AS period_start,
                                   (cyc.cycle_start - (k - 1) * interval '1 month')::date - 1 AS period_end,
                                   (cyc.cycle_start - (k - 1) * interval '1 month')::date AS issued_on) b
        CROSS JOIN LATERAL (SELECT k = 1 AND (b.issued_on + 20 >= %(today)s::date OR mod(a.id, 50) = 0) AS open) o
        CROSS JOIN LATERAL (SELECT 100000 + mod(a.id * 7919 + k * 104729, 400000) AS total) t
        WHERE a.number LIKE '5%%' AND NOT EXISTS (SELECT 1 FROM billing_bill x WHERE x.billing_account_id = a.id)
    """, params)
    _step("payments", """
        INSERT INTO billing_payment (billing_account_id, bill_id, line_id, scope, method, reference, amount,
                                     paid_on, channel, recorded_by_id, created_at)
        SELECT b.billing_account_id, b.id, NULL, '', a.payment_method, 'bench:pay:' || b.id, b.total, b.paid_on,
               'grapari', NULL, now()
        FROM billing_bill b JOIN accounts_billingaccount a ON a.id = b.billing_account_id
        WHERE b.status = 'paid' AND NOT EXISTS (SELECT 1 FROM billing_payment p WHERE p.bill_id = b.id)
    """)


def _history(today: dt.date) -> None:
    print("  audit history", flush=True)
    _step("audit events (one per line)", """
        INSERT INTO core_auditevent (created_at, actor_id, actor_label, outlet_id, channel, verb, subject_type,
                                     subject_id, subject_repr, line_id, customer_id, old, new, reason)
        SELECT l.activated_on::timestamptz, NULL, 'bench', c.registered_at_id, 'grapari',
               CASE WHEN l.kind = 'prepaid' THEN 'card.activated' ELSE 'limit.opened' END, 'accounts.line',
               l.id::text, '0' || substr(l.msisdn, 4), l.id, l.customer_id, NULL,
               jsonb_build_object('kind', l.kind), ''
        FROM accounts_line l JOIN accounts_customer c ON c.id = l.customer_id
        WHERE l.msisdn >= %s AND l.msisdn < %s
        AND NOT EXISTS (SELECT 1 FROM core_auditevent e WHERE e.line_id = l.id)
    """, [PREFIX, PREFIX[:-1] + "3"])


# --------------------------------------------------------------------------------------------------- due state


def reset_due_state(*, today: dt.date, everything: bool = False) -> None:
    """Put the cards and Prime subscriptions the jobs change back to the plan (balance, state, dates), and remove
    what the jobs wrote (forfeiture and Prime fee entries, Prime SMS and audit rows). With `everything`, every card
    is re-dated to `today` (used when the plan was applied on another day)."""
    started = time.perf_counter()
    where = "" if everything else "AND (p.klass IN ('to_grace', 'to_invalid') OR p.prime_due)"
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM prepaid_ledgerentry WHERE kind = 'forfeiture' AND reference LIKE 'forfeit:%%'")
        cursor.execute(
            "DELETE FROM prepaid_ledgerentry e USING prepaid_primesubscription s, bench_card_plan p "
            "WHERE e.kind = 'prime_fee' AND s.id = p.prime_sub_id AND e.card_id = p.card_id "
            "AND e.reference <> 'prime:' || s.id || ':' || s.started_on")
        cursor.execute("DELETE FROM core_outboundsms WHERE dedup_key LIKE 'prime-disabled:%%'")
        cursor.execute("DELETE FROM core_auditevent WHERE (verb = 'prime.disabled' AND actor_label = "
                       "'job:prepaid.prime_renewal') OR actor_label = 'bench:raw'")
        cursor.execute(f"""
            UPDATE prepaid_card c SET
                state = CASE p.klass WHEN 'to_grace' THEN 'active' WHEN 'to_invalid' THEN 'grace'
                        WHEN 'active' THEN 'active' ELSE p.klass END,
                balance = p.balance, active_until = %s::date + p.active_off, grace_until = %s::date + p.grace_off,
                invalid_since = %s::date + p.invalid_off, updated_at = now()
            FROM bench_card_plan p WHERE c.id = p.card_id {where}
        """, [today, today, today])
        cursor.execute(f"""
            UPDATE prepaid_primesubscription s SET status = 'active', ended_on = NULL, end_reason = '',
                periods_charged = 1, started_on = x.started_on, renews_on = (x.started_on + interval '1 month')::date
            FROM bench_card_plan p CROSS JOIN LATERAL (
                SELECT CASE WHEN p.prime_due THEN (%s::date - interval '1 month')::date
                            ELSE %s::date - p.prime_off END AS started_on) x
            WHERE s.id = p.prime_sub_id {where}
        """, [today, today])
        if everything:
            cursor.execute("UPDATE prepaid_ledgerentry e SET reference = 'prime:' || s.id || ':' || s.started_on, "
                           "created_at = s.started_on FROM prepaid_primesubscription s "
                           "WHERE e.card_id = s.card_id AND e.kind = 'prime_fee' AND e.reference LIKE 'prime:%%'")
    print(f"    due state reset in {time.perf_counter() - started:.1f} s", flush=True)


def due_counts(today: dt.date) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FILTER (WHERE state = 'active' AND active_until < %s), "
                       "count(*) FILTER (WHERE state = 'grace' AND grace_until < %s) FROM prepaid_card",
                       [today, today])
        to_grace, to_invalid = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM prepaid_primesubscription WHERE status = 'active' AND renews_on <= %s",
                       [today])
        prime_due = cursor.fetchone()[0]
    return {"to_grace": to_grace, "to_invalid": to_invalid, "prime_due": prime_due}


def state_fingerprint() -> dict:
    """What the jobs change, summed up, to compare the job's result with the raw SQL's."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT state, count(*), sum(balance) FROM prepaid_card GROUP BY state ORDER BY state")
        cards = {row[0]: [row[1], int(row[2] or 0)] for row in cursor.fetchall()}
        cursor.execute("SELECT status, end_reason, count(*), sum(periods_charged), max(renews_on) "
                       "FROM prepaid_primesubscription GROUP BY status, end_reason ORDER BY 1, 2")
        prime = [[row[0], row[1], row[2], int(row[3]), str(row[4])] for row in cursor.fetchall()]
        cursor.execute("SELECT kind, count(*), sum(amount) FROM prepaid_ledgerentry GROUP BY kind ORDER BY kind")
        ledger = {row[0]: [row[1], int(row[2])] for row in cursor.fetchall()}
        cursor.execute("SELECT count(*) FROM core_outboundsms WHERE dedup_key LIKE 'prime-disabled:%%'")
        sms = cursor.fetchone()[0]
    return {"cards": cards, "prime": prime, "ledger": ledger, "prime_sms": sms}
