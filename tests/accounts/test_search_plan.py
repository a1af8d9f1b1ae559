"""The name search's query shape matches its PostgreSQL index (a plan check, not a stopwatch)."""

import pytest
from django.db import connection

from accounts.selectors import search
from tests.accounts.factories import CustomerFactory


@pytest.mark.postgres
@pytest.mark.django_db
def test_name_prefix_search_is_served_by_the_name_key_index_in_order():
    # given a few customers (the planner is told not to prefer a sequential scan of a tiny table)
    for name in ("Budi Santoso", "Budiman Hakim", "Siti Rahayu"):
        CustomerFactory(full_name=name)
    result = search("budi")
    sql, params = result.customers[:50].query.sql_with_params()
    # when
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # then: an ordered index scan on the name key, no separate sort of the matches
    assert "customer_name_key" in plan
    assert "Sort" not in plan.split("customer_name_key")[0]
    assert [customer.full_name for customer in result.customers] == ["Budi Santoso", "Budiman Hakim"]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db
def test_surname_search_is_served_by_the_trigram_index_not_a_scan():
    # given
    for name in ("Nur Saputra", "Andi Saputra Wijaya", "Siti Rahayu", "Saputrawan Hadi"):
        CustomerFactory(full_name=name)
    # when: a word that is not the first one
    result = search("Saputra")
    # then: the GIN trigram index on ' ' || UPPER(name) finds the matches (pg_trgm), no sequential scan
    plan = _plan(result.customers[:50])
    assert "customer_name_trgm" in plan
    assert "Seq Scan" not in plan
    assert [customer.full_name for customer in result.customers] == [
        "Andi Saputra Wijaya", "Nur Saputra", "Saputrawan Hadi"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_lines_of_a_surname_search_find_their_customers_through_the_trigram_index():
    CustomerFactory(full_name="Nur Saputra")
    plan = _plan(search("saputra").lines[:26])
    assert "customer_name_trgm" in plan
    assert "Seq Scan on accounts_customer" not in plan
