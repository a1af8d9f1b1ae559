"""Budgets (PASS/FAIL, printed, never asserted in tests) and the Markdown report."""

import json
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MAX_QUERIES = 30  # per page; the admin changelists show 100 rows


def _smaller_run(lines: int) -> dict | None:
    """The newest earlier result on a smaller dataset (e.g. --quick), to compare query counts with."""
    best = None
    for path in sorted(RESULTS_DIR.glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        size = data.get("dataset", {}).get("lines", 0)
        if data.get("pages") and size and size * 5 <= lines:
            best = data
    return best


def budgets(results: dict) -> list[dict]:
    checks = []

    def check(name: str, value: str, budget: str, ok: bool) -> None:
        checks.append({"budget": name, "measured": value, "target": budget, "pass": bool(ok)})

    auth = results.get("authorization")
    if auth:
        single = next(row for row in auth["rows"] if row["clients"] == 1)
        share = single["service"]["rate"] / single["raw"]["rate"]
        check("authorization in-process vs raw SQL (1 client)", f"{share:.0%}", "≥ 50 %", share >= 0.5)
        check("no line over its limit after the run", str(auth["lines_over_limit"]), "0", auth["lines_over_limit"] == 0)
    wire = results.get("wire")
    if wire:
        for row in wire["rows"]:
            for name, label in (("authorize", "HTTP authorization"), ("topup", "HTTP top-up")):
                share = row[f"{name}_vs_baseline"]
                check(f"{label} vs one-SELECT view ({row['clients']} client{'s' if row['clients'] > 1 else ''})",
                      f"{share:.0%} (median of {len(row[name]['runs'])} paired rounds; {row[name]['rate']:,.0f} vs "
                      f"{row['baseline']['rate']:,.0f} req/s overall)", "≥ 60 %",
                      share >= 0.6)
                cpu = row[name]["worker_cpu_ms"]
                check(f"{label} worker CPU per request ({row['clients']} client{'s' if row['clients'] > 1 else ''})",
                      f"{cpu:.1f} ms (one-SELECT view {row['baseline']['worker_cpu_ms']:.1f})", "≤ 4 ms", cpu <= 4)
        usage = wire["usage"]
        check(f"usage-records (batches of {usage['batch']:,}) vs raw INSERT … ON CONFLICT",
              f"{usage['http_vs_raw']:.1%} ({usage['http_rate']:,.0f} vs {usage['raw_rate']:,.0f} records/s)",
              "≥ 50 %", usage["http_vs_raw"] >= 0.5)
    jobs = results.get("jobs")
    if jobs:
        for name in ("lifecycle", "prime_renewal"):
            job = jobs[name]
            ratio = job["job_vs_raw"]
            check(f"{name} job vs raw SQL ({job['rows']:,} rows)", f"{ratio:.2f}×", "≤ 2×",
                  ratio is not None and ratio <= 2)
            check(f"{name} job: same end state as raw SQL", str(job["same_end_state"]), "True", job["same_end_state"])
            check(f"{name} worker peak memory", f"{job['job']['peak_rss_mb']:.0f} MB", "< 300 MB",
                  job["job"]["peak_rss_mb"] < 300)
    pages = results.get("pages")
    if pages:
        smaller = _smaller_run(results.get("dataset", {}).get("lines", 0))
        before = {p["page"]: p for p in smaller["pages"]["pages"]} if smaller else {}
        for page in pages["pages"]:
            if page["page"].startswith("search"):
                check(f"{page['page']} p95", f"{page['p95_ms']:.1f} ms", "≤ 50 ms", page["p95_ms"] <= 50)
            elif page["page"].startswith("line page"):
                check(f"{page['page']} p95", f"{page['p95_ms']:.1f} ms", "≤ 150 ms", page["p95_ms"] <= 150)
        # An N+1 shows as a count that follows the rows shown (lists of 25–100 rows) or the subject's history; the
        # kind of subject (one line → redirect, SAMU → list; prepaid or postpaid tabs) moves it by one or two.
        growing = []
        for page in pages["pages"]:
            earlier = before.get(page["page"])
            if earlier is not None and page["queries_max"] > earlier["queries_max"]:
                growing.append(f"{page['page']} {earlier['queries_max']}→{page['queries_max']}")
            elif page["queries_max"] - page["queries_min"] > 2 or page["queries_max"] > MAX_QUERIES:
                growing.append(f"{page['page']} {page['queries_min']}–{page['queries_max']}")
        basis = (f"vs the {smaller['dataset']['lines']:,}-line run" if smaller
                 else f"spread ≤ 2 across subjects, ≤ {MAX_QUERIES} per page")
        check(f"query counts do not grow with the data ({basis})", "; ".join(growing) or "bounded",
              "bounded", not growing)
        by_size = pages.get("line_page_by_customer_size")
        if by_size:
            sizes = " vs ".join(f"{size:,}" for size in by_size["sizes"])
            check(f"line page with its 360 header: queries, customer with {sizes} lines",
                  " vs ".join(str(count) for count in by_size["queries"]), "equal", by_size["constant"])
    return checks


def summary(results: dict) -> str:
    lines = ["| budget | measured | target | |", "|---|---:|---:|---|"]
    for item in results["budgets"]:
        lines.append(f"| {item['budget']} | {item['measured']} | {item['target']} | "
                     f"{'PASS' if item['pass'] else '**FAIL**'} |")
    return "\n".join(lines)


def _machine(m: dict) -> str:
    pg = m["postgresql_settings"]
    return (f"{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM; PostgreSQL {m['postgresql']} "
            f"(shared_buffers {pg['shared_buffers']}, work_mem {pg['work_mem']}, synchronous_commit "
            f"{pg['synchronous_commit']}); Python {m['python']}; {m['os']}; load average at start "
            f"{', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}")


def markdown(results: dict) -> str:
    out = [f"# Benchmark {results['started_at']}", ""]
    out.append(f"**Machine:** {_machine(results['machine'])}")
    out.append("")
    d = results["dataset"]
    out.append(f"**Dataset** ({'reused' if d['reused'] else 'generated'} in {d['seconds']} s): "
               + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in d.items() if isinstance(v, int)
                           and not isinstance(v, bool)))
    out.append("")
    out.append("## Budgets")
    out.append("")
    out.append(summary(results))
    auth = results.get("authorization")
    if auth:
        out += ["", "## 1. Purchase authorization", "",
                f"Each variant: its own pool of {auth['pool_lines']} postpaid lines, Rp {auth['amount']:,} per "
                "purchase, limits set so that about 80 % are approved. gunicorn: "
                f"{auth['gunicorn']['workers']} workers × {auth['gunicorn']['threads']} threads, "
                f"{auth['gunicorn']['settings']}. Lines over their limit afterwards: {auth['lines_over_limit']}.", "",
                "| clients | variant | requests | req/s | p50 ms | p95 ms | approved | declined | vs raw |",
                "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for row in auth["rows"]:
            for variant in ("raw", "service", "http"):
                r = row[variant]
                ratio = r["rate"] / row["raw"]["rate"]
                out.append(f"| {row['clients']} | {variant} | {r['requests']:,} | {r['rate']:,.0f} | {r['p50_ms']} | "
                           f"{r['p95_ms']} | {r['approved']:,} | {r['declined']:,} | {ratio:.0%} |")
    wire = results.get("wire")
    if wire:
        out += ["", "## 5. The channel API at wire speed", "",
                f"gunicorn {wire['gunicorn']['workers']} workers × {wire['gunicorn']['threads']} threads, throttle "
                f"cache {wire['gunicorn']['cache']}; {wire['rounds']} interleaved rounds per client count (baseline, "
                "authorize, top-up, baseline, …); vs baseline: the median over the rounds of each round's rate over "
                "that round's baseline. Worker CPU: utime + stime of the gunicorn workers "
                "(/proc/<pid>/stat) over the run / requests; client CPU: the load generator's own.", "",
                "| clients | endpoint | requests | req/s (runs) | vs baseline | p50 ms | p95 ms | worker CPU ms/req | "
                "client CPU ms/req |", "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for row in wire["rows"]:
            for name in ("baseline", "authorize", "topup"):
                r = row[name]
                share = f"{row[f'{name}_vs_baseline']:.0%}" if name != "baseline" else "—"
                out.append(f"| {row['clients']} | {name} | {r['requests']:,} | {r['rate']:,.0f} "
                           f"({', '.join(f'{x:,.0f}' for x in r['runs'])}) | {share} | {r['p50_ms']} | {r['p95_ms']} "
                           f"| {r['worker_cpu_ms']} | {r['client_cpu_ms']} |")
        u = wire["usage"]
        out += ["", f"usage-records: {u['batches']} batches of {u['batch']:,}: HTTP {u['http_rate']:,.0f} records/s, "
                f"raw psycopg {u['raw_rate']:,.0f} records/s ({u['http_vs_raw']:.1%}); worker CPU "
                f"{u['worker_cpu_ms_per_record']} ms per record."]
    jobs = results.get("jobs")
    if jobs:
        out += ["", f"## 2. Batch jobs over {jobs['cards']:,} cards (and 4. worker memory)", "",
                "| job | due rows | raw SQL s | job s | job / raw | per-row ORM (sample → extrapolated) | "
                "peak RSS | same end state |", "|---|---:|---:|---:|---:|---|---:|---|"]
        for name in ("lifecycle", "prime_renewal"):
            j = jobs[name]
            out.append(f"| {name} | {j['rows']:,} | {j['raw_seconds']} | {j['job']['seconds']} | {j['job_vs_raw']}× | "
                       f"{j['orm_sample_seconds']} s for {j['orm_sample_rows']:,} → {j['orm_extrapolated_seconds']} s "
                       f"| {j['job']['peak_rss_mb']:.0f} MB (before the job {j['job']['rss_before_job_mb']:.0f}) | "
                       f"{j['same_end_state']} |")
    pages = results.get("pages")
    if pages:
        out += ["", f"## 3. Agent pages ({pages['requests']} requests each after {pages['warmup']} warm-up)", "",
                "| page | p50 ms | p95 ms | max ms | queries | statuses |", "|---|---:|---:|---:|---:|---|"]
        for p in pages["pages"]:
            queries = (str(p["queries_min"]) if p["queries_min"] == p["queries_max"]
                       else f"{p['queries_min']}–{p['queries_max']}")
            out.append(f"| {p['page']} | {p['p50_ms']} | {p['p95_ms']} | {p['max_ms']} | {queries} | "
                       f"{', '.join(f'{k}×{v}' for k, v in p['statuses'].items())} |")
    if results.get("explain"):
        out += ["", "## EXPLAIN ANALYZE of the key queries", ""]
        for item in results["explain"]:
            out += [f"**{item['query']}**", "", "```", item["plan"], "```", ""]
    out += ["", f"Total bench time: {results['seconds']} s.", ""]
    return "\n".join(out)
