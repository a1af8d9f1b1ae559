"""Bounded waits per connection role (issue 15): every PostgreSQL session starts with its role's
`lock_timeout`, `statement_timeout` and `idle_in_transaction_session_timeout`.

- `web` (gunicorn, set in config/wsgi.py): short, so a page behind a held lock answers 503 at once;
- `job` (the Celery worker and beat, set in config/celery_app.py): longer, for set-based chunks;
- `command` (manage.py: migrations, bulk loads; the test run): no statement or lock timeout.

The role comes from DATABASE_ROLE; the figures from the environment (README, Configuration). Behind a
transaction-pooling PgBouncer that drops startup options, set the same values per database user instead
(`ALTER ROLE … SET lock_timeout = …`)."""

import os

ROLES = ("web", "job", "command")


def role_timeouts(env, role: str) -> dict[str, int]:
    """The three timeouts (milliseconds, 0 = none) of a role."""
    if role not in ROLES:
        raise ValueError(f"DATABASE_ROLE must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "command":
        return {"lock_timeout": 0, "statement_timeout": 0, "idle_in_transaction_session_timeout": 0}
    name = role.upper()
    defaults = {"web": (2_000, 15_000, 30_000), "job": (30_000, 300_000, 300_000)}[role]
    return {
        "lock_timeout": env.int(f"DATABASE_{name}_LOCK_TIMEOUT_MS", default=defaults[0]),
        "statement_timeout": env.int(f"DATABASE_{name}_STATEMENT_TIMEOUT_MS", default=defaults[1]),
        "idle_in_transaction_session_timeout": env.int(f"DATABASE_{name}_IDLE_TIMEOUT_MS", default=defaults[2]),
    }


def pg_options(timeouts: dict[str, int]) -> str:
    """libpq's `options` startup parameter: `-c lock_timeout=2000 -c …`."""
    return " ".join(f"-c {name}={value}" for name, value in timeouts.items())


def current_role() -> str:
    return os.environ.get("DATABASE_ROLE", "command")


def pgbouncer_connect_query(timeouts: dict[str, int]) -> str:
    """The same timeouts as a PgBouncer pool's `connect_query` (PgBouncer refuses the `options` startup parameter):
    one pool per role, e.g. `backoffice_web = host=… dbname=backoffice connect_query='SET lock_timeout = 2000; …'`."""
    return "; ".join(f"SET {name} = {value}" for name, value in timeouts.items())
