"""POST usage-records works on SQLite too (the embedded default of `make run`; it answered 503 on the PostgreSQL
`::` casts of the batch SQL): tests/billing/sqlite_usage_cases.py runs in a pytest of its own on a SQLite database,
whatever database this run uses (PostgreSQL in CI)."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
CASES = Path(__file__).with_name("sqlite_usage_cases.py")


def test_usage_records_work_on_sqlite(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"  # pytest-django then tests on an in-memory copy
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(CASES)],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout, result.stdout[-2000:]
