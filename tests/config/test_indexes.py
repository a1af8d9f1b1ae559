"""Issue 14: no index that another index on the same table already serves. An index whose columns (with their
operator classes) lead another, full index is never needed by a query, and every insert pays for it: Django gives
each ForeignKey an index of its own, which a composite (line, created_at) or a unique (line, scope) leading with
the same column makes redundant. The project's models say `db_index=False` there."""

import pytest
from django.apps import apps
from django.db import connection

# Index columns and operator classes as text arrays (int2vector / oidvector), per table, partitions left out (they
# repeat their parent's indexes), expression indexes left out.
REDUNDANT_SQL = """
WITH idx AS (
  SELECT c.relname AS tbl, i.indexrelid::regclass::text AS idx, string_to_array(i.indkey::text, ' ') AS cols,
         string_to_array(i.indclass::text, ' ') AS ops, i.indisunique AS uniq, i.indpred IS NOT NULL AS partial
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND NOT c.relispartition AND i.indexprs IS NULL
)
SELECT a.tbl, a.idx, b.idx FROM idx a JOIN idx b ON a.tbl = b.tbl AND a.idx <> b.idx
WHERE NOT a.uniq AND NOT a.partial AND NOT b.partial
  AND cardinality(a.cols) <= cardinality(b.cols)
  AND a.cols = b.cols[1:cardinality(a.cols)] AND a.ops = b.ops[1:cardinality(a.cols)]
ORDER BY 1, 2, 3
"""

# Tables of Django and of the packages, whose models the project does not own.
NOT_OURS = ("auth_", "axes_", "django_", "accounts_user_groups", "accounts_user_user_permissions", "otp_")


@pytest.mark.django_db
@pytest.mark.postgres
def test_no_index_is_covered_by_another_on_the_same_table():
    with connection.cursor() as cursor:
        cursor.execute(REDUNDANT_SQL)
        redundant = [row for row in cursor.fetchall() if not row[0].startswith(NOT_OURS)]
    assert redundant == [], redundant


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_check_finds_a_covered_index():
    # The query itself: an index on line_id beside purchase_line_cycle (line_id, cycle_start, decision) is found.
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX test_covered_line ON billing_purchase (line_id)")
        cursor.execute(REDUNDANT_SQL)
        found = [row for row in cursor.fetchall() if row[1] == "test_covered_line"]
    assert found == [("billing_purchase", "test_covered_line", "purchase_line_cycle")]


@pytest.mark.django_db
def test_every_constraint_and_index_of_the_models_is_in_the_database():
    # An AlterField to db_index=False once dropped a partial unique index on the same column (a one-active rule):
    # the migrations must leave every constraint and index the models declare.
    missing = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            present = set(connection.introspection.get_constraints(cursor, model._meta.db_table))
            missing += [(model._meta.db_table, item.name) for item in [*model._meta.constraints, *model._meta.indexes]
                        if item.name not in present]
    assert missing == []
