"""Issue 14: what transaction pooling (Debian's PgBouncer) changes, proved on a PgBouncer this test starts.

- PgBouncer refuses libpq's `options` startup parameter, so behind it (DATABASE_PGBOUNCER=true) Django sends none
  and the role's timeouts come from the pool's `connect_query` (config.database.pgbouncer_connect_query);
- server-side prepared statements break when two clients share a server connection, so behind it psycopg never
  prepares (prepare_threshold=None; Django binds client-side anyway) and server-side cursors are off.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import environ
import psycopg
import pytest

from config.database import pgbouncer_connect_query, role_timeouts

BASE_DIR = Path(__file__).resolve().parents[2]
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pgbouncer():
    """PgBouncer in transaction mode with one server connection per pool: two clients always share it."""
    web = pgbouncer_connect_query(role_timeouts(environ.Env(), "web"))
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-test-"))
    port = _free_port()
    (folder / "userlist.txt").write_text('"postgres" ""\n')
    (folder / "pgbouncer.ini").write_text(f"""[databases]
plain = host=127.0.0.1 port=5432 dbname=postgres
web = host=127.0.0.1 port=5432 dbname=postgres connect_query='{web}'
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = 1
logfile = {folder}/pgbouncer.log
""")
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        shutil.chown(folder, "postgres")
        for path in folder.iterdir():
            shutil.chown(path, "postgres")
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="plain").close()
                break
            except psycopg.OperationalError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _connect(port, dbname="plain", **kwargs):
    return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname, autocommit=True, **kwargs)


def test_pgbouncer_refuses_the_options_startup_parameter(pgbouncer):
    with pytest.raises(psycopg.OperationalError, match="unsupported startup parameter"):
        _connect(pgbouncer, options="-c lock_timeout=2000")


def test_the_web_pool_sets_the_web_timeouts_with_its_connect_query(pgbouncer):
    with _connect(pgbouncer, dbname="web") as conn:
        assert conn.execute("SHOW lock_timeout").fetchone()[0] == "2s"
        assert conn.execute("SHOW statement_timeout").fetchone()[0] == "15s"
        assert conn.execute("SHOW idle_in_transaction_session_timeout").fetchone()[0] == "30s"


def test_prepared_statements_break_when_clients_share_a_server_connection(pgbouncer):
    first, second = _connect(pgbouncer, prepare_threshold=0), _connect(pgbouncer, prepare_threshold=0)
    try:
        first.execute("SELECT %s::int", [1])
        with pytest.raises(psycopg.errors.DuplicatePreparedStatement):
            second.execute("SELECT %s::int", [2])  # psycopg names it _pg3_0 too, on the same server session
    finally:
        first.close()
        second.close()


def test_without_prepared_statements_shared_server_connections_are_fine(pgbouncer):
    first, second = _connect(pgbouncer, prepare_threshold=None), _connect(pgbouncer, prepare_threshold=None)
    try:
        for n in range(10):  # well past psycopg's default prepare_threshold of 5
            assert first.execute("SELECT %s::int", [n]).fetchone()[0] == n
            assert second.execute("SELECT %s::int", [n]).fetchone()[0] == n
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("pgbouncer_on", [False, True])
def test_database_pgbouncer_settings(pgbouncer_on):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_ROLE": "web",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:6432/some_db",
           "DATABASE_PGBOUNCER": "true" if pgbouncer_on else "false"}
    code = ("import django; django.setup(); from django.conf import settings; d = settings.DATABASES['default']; "
            "o = d['OPTIONS']; print(repr(('options' in o, o.get('prepare_threshold', 5), "
            "d.get('DISABLE_SERVER_SIDE_CURSORS', False))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == (repr((False, None, True)) if pgbouncer_on else repr((True, 5, False)))


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("pgbouncer_on", [False, True])
def test_the_hot_path_cursor_prepares_only_without_pgbouncer(settings, pgbouncer_on):
    # The authorization's and the top-up's statements (core.prepared): prepared after a few runs on a direct
    # connection, never behind PgBouncer (where a prepared statement would reach another client's session).
    from django.db import connection

    from core.prepared import PREPARE_AFTER, PreparedCursor

    settings.DATABASE_PGBOUNCER = pgbouncer_on
    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold
    raw.prepare_threshold = None  # as Django opens it
    try:
        cursor = PreparedCursor()
        for n in range(PREPARE_AFTER + 2):
            cursor.execute(f"SELECT %(n)s::int + 0 AS hot_path_probe_{pgbouncer_on:d}", {"n": n})
            assert cursor.fetchone()[0] == n
        cursor.close()
        assert raw.prepare_threshold == (None if pgbouncer_on else PREPARE_AFTER)
        prepared = raw.execute("SELECT count(*) FROM pg_prepared_statements "
                               f"WHERE statement LIKE '%hot_path_probe_{pgbouncer_on:d}%'").fetchone()[0]
        assert prepared == (0 if pgbouncer_on else 1)
    finally:
        raw.prepare_threshold = before
