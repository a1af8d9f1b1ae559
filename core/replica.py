"""Reads from a PostgreSQL read replica (issue 14): `DATABASE_REPLICA_URL` adds the `replica` alias and this router
sends the reads of the views marked `@replica_reads` (agent searches, the line and customer pages, their tabs,
reports) to it. Everything else stays on the primary:

- writes, always (`db_for_write` is `default`, also for an object that was read from the replica);
- everything outside a marked view: the channel API and authorization, jobs, commands, the admin, login;
- reads inside `transaction.atomic` (the primary's snapshot and locks are what the transaction decides on);
- every read after a write in the same request (a request-scoped "used primary" flag): the agent sees what they
  just did, never a lagging copy of it. Append-only logs that the request never reads back (the access log)
  do not set the flag;
- sessions, users, MFA devices, lockouts and Celery's tables: what login and jobs decide on is never stale.

Without `DATABASE_REPLICA_URL` there is no alias and every query goes to `default`, as before.
"""

import contextvars
import functools

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PRIMARY_ONLY_APPS = {"sessions", "otp_totp", "otp_static", "axes", "django_celery_beat", "django_celery_results"}
PRIMARY_ONLY_MODELS = {"accounts.user"}
# Writes that leave the request's later reads on the replica: append-only rows nobody reads back in the request.
WRITES_KEEPING_REPLICA_READS = {"security.accesslog"}


class _RequestReads:
    __slots__ = ("used_primary",)

    def __init__(self):
        self.used_primary = False


_reads: contextvars.ContextVar[_RequestReads | None] = contextvars.ContextVar("replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_reads(view):
    """Mark a read-mostly view: its reads may go to the replica until its first write."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        token = _reads.set(_RequestReads())
        try:
            return view(request, *args, **kwargs)
        finally:
            _reads.reset(token)

    return wrapper


def _primary_only(model) -> bool:
    return model._meta.app_label in PRIMARY_ONLY_APPS or model._meta.label_lower in PRIMARY_ONLY_MODELS


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _reads.get()
        if state is None or state.used_primary or not replica_configured() or _primary_only(model):
            return DEFAULT_DB_ALIAS  # explicit: else Django follows the instance's own database (the replica)
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _reads.get()
        if state is not None and model._meta.label_lower not in WRITES_KEEPING_REPLICA_READS:
            state.used_primary = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows: objects from either are the same data

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA  # the replica gets its schema by replication
