"""core.prepared: the hot paths' psycopg cursor is kept per connection (a new one looked every parameter's dumper up
again), and a new connection gets a new one."""

import pytest
from django.db import connection

from core.prepared import prepared_cursor


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_cursor_is_kept_per_connection_and_renewed_with_it():
    with prepared_cursor() as first:
        first.execute("SELECT %(n)s::int", {"n": 1})
        assert first.fetchone() == (1,)
    with prepared_cursor() as second:
        second.execute("SELECT %(n)s::int", {"n": 2})
        assert second.fetchall() == [(2,)]
    assert second.cursor is first.cursor and not first.cursor.closed
    connection.close()  # as after CONN_MAX_AGE, or a lost connection
    with prepared_cursor() as third:
        third.execute("SELECT %(n)s::int", {"n": 3})
        assert third.fetchone() == (3,)
    assert third.cursor is not first.cursor and third.cursor.connection is connection.connection
