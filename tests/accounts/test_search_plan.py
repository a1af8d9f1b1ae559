"""The name search's query shape matches its PostgreSQL index (a plan check, not a stopwatch)."""

import pytest
from django.db import connection

from accounts.models import Customer
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



def _plan(queryset, *settings: str) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db
def test_surname_search_has_the_shape_of_the_trigram_index():
    # given
    for name in ("Nur Saputra", "Andi Saputra Wijaya", "Siti Rahayu", "Saputrawan Hadi"):
        CustomerFactory(full_name=name)
    # when: a word that is not the first one
    result = search("Saputra")
    # then: without a sequential scan (nor the name key's ordered scan) the GIN trigram index on
    # ' ' || UPPER(name) still answers the word match, so the query and the index have the same expression (pg_trgm)
    plan = _plan(result.customers[:50], "enable_seqscan", "enable_indexscan")
    assert "Bitmap Index Scan on customer_name_trgm" in plan
    assert "Seq Scan" not in plan
    assert [customer.full_name for customer in result.customers] == [
        "Andi Saputra Wijaya", "Nur Saputra", "Saputrawan Hadi"]
    lines_plan = _plan(search("saputra").lines[:26], "enable_seqscan", "enable_indexscan")
    assert "Bitmap Index Scan on customer_name_trgm" in lines_plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_rare_surname_among_thousands_of_customers_is_found_through_the_trigram_index():
    # given: 15,000 customers (a table too big for a sequential scan to win), two "Saputra", fresh statistics
    Customer.objects.bulk_create([
        Customer(full_name=f"{FIRST[n % 7]} {LAST[n % len(LAST)]} {n}", id_type=Customer.IdType.PASSPORT,
                 id_number=f"P{n:07d}", city="Jakarta") for n in range(15_000)], batch_size=5_000)
    CustomerFactory(full_name="Nur Saputra")
    CustomerFactory(full_name="Dewi Saputra Lestari")
    with connection.cursor() as cursor:
        # new rows wait in the GIN index's pending list until a vacuum; flush it as autovacuum would have
        cursor.execute("SELECT gin_clean_pending_list('customer_name_trgm')")
        cursor.execute("ANALYZE accounts_customer")
    # when: the planner chooses freely
    result = search("saputra")
    plan = _plan(result.customers[:26])
    # then
    assert "customer_name_trgm" in plan, plan
    assert "Seq Scan" not in plan
    assert [customer.full_name for customer in result.customers] == ["Dewi Saputra Lestari", "Nur Saputra"]


FIRST = ["Budi", "Siti", "Agus", "Dewi", "Eko", "Rina", "Joko"]
LAST = ["Santoso", "Hakim", "Wijaya", "Rahayu", "Lestari", "Pratama", "Hidayat", "Kusuma", "Lubis", "Nasution",
        "Siregar", "Harahap", "Setiawan"]
