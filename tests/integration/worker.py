"""The one Celery worker harness of the test suite: a real `celery worker` subprocess on Redis, against this test
run's PostgreSQL database, started in its own process group so that a test can kill it (or its pool child)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database this test run uses (the test database, with xdist's suffix)."""
    db = connection.settings_dict
    return (f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


def start_worker(queue: str, *, include: tuple[str, ...] = (), pool: str = "solo", concurrency: int = 1,
                 env: dict | None = None) -> subprocess.Popen:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(),
                   "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"], "PYTHONPATH": str(ROOT), **(env or {})}
    celery = str(Path(sys.executable).with_name("celery"))
    command = [celery, "-A", "config", "worker", "-Q", queue, f"--pool={pool}", f"--concurrency={concurrency}",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"]
    for module in include:
        command += ["-I", module]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def pool_children(worker: subprocess.Popen) -> list[int]:
    """The pids of a prefork worker's pool processes."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == worker.pid:
            children.append(int(entry.name))
    return children


def wait_for(condition, timeout: float = 120.0, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def stop(worker: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop the worker and everything it started (its process group)."""
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
