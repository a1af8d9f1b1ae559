"""Django's connection with server-side binding for the channel API's hot statements (issue 14).

Used by the purchase authorization (billing.services.purchases), the prepaid top-up (prepaid.services.topups) and
the usage-records batch (billing.services.usage_batch, for its binary array parameters):
`prepared_cursor()` is a psycopg cursor on PostgreSQL, in Django's transaction, and Django's own cursor elsewhere.
"""

import time
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.db import connection, transaction

# psycopg prepares a statement on a connection once it has run it this many times (its own default): a connection
# that authorizes once (CONN_MAX_AGE=0) never pays for a PREPARE, a long-lived one skips parse and plan from then on.
PREPARE_AFTER = 5


class PreparedCursor:
    """PostgreSQL: a psycopg cursor with server-side binding on Django's own connection (so in its transaction).

    Planning the decide statement costs PostgreSQL about 0.5 ms, four times running it, and Django's cursors bind
    parameters on the client side, so every request was parsed and planned anew. On this cursor psycopg prepares the
    hot statements (after PREPARE_AFTER runs on a connection) and PostgreSQL reuses the plan. Django leaves
    preparing off on its connections (prepare_threshold=None, for transaction-mode poolers: PgBouncer needs 1.21+
    with max_prepared_statements); setting the threshold on the connection changes nothing for Django's own cursors,
    which never prepare. Errors are Django's (IntegrityError ...); queries are logged like Django's when logging is
    on (DEBUG, CaptureQueriesContext)."""

    def __init__(self):
        import psycopg

        connection.ensure_connection()
        raw = connection.connection
        # Behind PgBouncer in transaction mode the statements are bound server-side but never prepared (a prepared
        # statement lives in one server session, which the pooler hands to other clients: tests/config).
        if raw.prepare_threshold is None and not settings.DATABASE_PGBOUNCER:
            raw.prepare_threshold = PREPARE_AFTER
        # One psycopg cursor per connection, kept from request to request: a new cursor looks every parameter's
        # dumper up again in the adapter map Django gives its connections (≈ 60 µs of an authorization's CPU).
        kept = getattr(connection, "_prepared_cursor", None)
        if kept is None or kept.closed or kept.connection is not raw:
            kept = psycopg.Cursor(raw)
            connection._prepared_cursor = kept
        self.cursor = kept

    def execute(self, sql: str, params) -> None:
        connection.validate_no_broken_transaction()  # as Django's cursors do
        started = time.monotonic()
        try:
            with connection.wrap_database_errors:
                self.cursor.execute(sql, params)
        finally:
            if connection.queries_logged:
                connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})

    def fetchone(self):
        return self.cursor.fetchone()

    def fetchall(self) -> list[tuple]:
        return self.cursor.fetchall()

    def close(self) -> None:
        """Kept open for the connection's next statement; it goes with its connection."""


@contextmanager
def prepared_cursor():
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    cursor = PreparedCursor()
    try:
        yield cursor
    finally:
        cursor.close()



def one_statement():
    """Around a hot path's single statement: in autocommit the statement is its own transaction; inside a caller's
    transaction, a savepoint, so that a replay's failed INSERT does not abort the caller's transaction."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()
