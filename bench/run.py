"""`make bench` / `python -m bench.run [--lines N] [--quick] [--only auth,wire,jobs,pages]`.

Generates or reuses the dataset, measures every item against its baseline in the same run, prints a summary with
the budgets (PASS/FAIL) and writes bench/results/<date>.md and .json. PostgreSQL only (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/backoffice_bench). See bench/README.md.
"""

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/backoffice_bench"
BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
PARTS = ("auth", "wire", "jobs", "pages", "explain")


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="lines in the dataset (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="a 20,000-line dataset and fewer requests, to try out")
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ", ".join(PARTS))
    parser.add_argument("--sample", type=int, default=20_000, help="cards in the per-row ORM loop sample")
    parser.add_argument("--requests", type=int, default=25, help="timed requests per page (after a warm-up)")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write bench/results/")
    args = parser.parse_args(argv)
    if args.quick:
        args.lines = min(args.lines, 20_000)
        args.sample = min(args.sample, 2_000)
    args.only = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = args.only - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    return args


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        sys.exit(f"The benchmark needs PostgreSQL; DATABASE_URL is {url!r}.\n"
                 f"SQLite cannot show operator-scale behaviour (no SKIP LOCKED, no concurrent writers, other plans).\n"
                 f"Unset DATABASE_URL to use {DEFAULT_DATABASE_URL}, or point it at another PostgreSQL database.")
    return url


def _create_database(url: str) -> None:
    """Create the bench database if it does not exist (connecting to the server's `postgres` database)."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    params = {"host": config.get("HOST") or None, "port": config.get("PORT") or None,
              "user": config.get("USER") or None, "password": config.get("PASSWORD") or None}
    params = {k: v for k, v in params.items() if v}
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
            if not exists:
                print(f"creating database {config['NAME']}")
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    except psycopg.OperationalError as exc:
        sys.exit(f"Cannot reach PostgreSQL at {url}: {exc}")


def _setup() -> str:
    url = _database_url()
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.chdir(BASE_DIR)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    _create_database(url)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":  # pragma: no cover - guarded above
        sys.exit("The benchmark needs PostgreSQL.")
    return url


def machine() -> dict:
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "synchronous_commit", "max_connections"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory_gb, "postgresql": pg_version,
        "postgresql_settings": settings, "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}", "load_average_at_start": list(os.getloadavg()),
    }


def main(argv=None) -> int:
    args = _arguments(argv)
    url = _setup()
    from django.core.management import call_command

    from bench import dataset, report
    from core.dates import local_today

    started = time.perf_counter()
    today = local_today()
    print(f"bench: {args.lines:,} lines on {url.rsplit('@', 1)[-1]}, parts: {', '.join(sorted(args.only))}")
    print("migrate", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    results = {"started_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
               "requested_lines": args.lines, "quick": args.quick}
    print("dataset", flush=True)
    results["dataset"] = dataset.ensure(lines=args.lines, today=today)
    print(f"  {json.dumps(results['dataset'])}", flush=True)

    if "auth" in args.only:
        from bench import authorize

        print("1. purchase authorization", flush=True)
        results["authorization"] = authorize.run(quick=args.quick)
    if "wire" in args.only:
        from bench import wire

        print("5. the channel API at wire speed (vs a one-SELECT view)", flush=True)
        results["wire"] = wire.run(quick=args.quick)
    if "jobs" in args.only:
        from bench import jobs

        print("2. batch jobs (and 4. worker memory)", flush=True)
        results["jobs"] = jobs.run(today=today, sample=args.sample)
    if "pages" in args.only:
        from bench import pages

        print("3. agent pages", flush=True)
        results["pages"] = pages.run(requests=args.requests)
    if "explain" in args.only:
        from bench import explain

        print("EXPLAIN ANALYZE of the key queries", flush=True)
        results["explain"] = explain.run()

    results["seconds"] = round(time.perf_counter() - started, 1)
    results["budgets"] = report.budgets(results)
    text = report.markdown(results)
    print()
    print(report.summary(results))
    if not args.no_write:
        RESULTS_DIR.mkdir(exist_ok=True)
        stem = dt.date.today().isoformat() + ("-quick" if args.quick else "")
        (RESULTS_DIR / f"{stem}.md").write_text(text)
        (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
        print(f"written: bench/results/{stem}.md and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
