from django.db import migrations


def create(apps, schema_editor):
    # The name key of accounts.selectors.name_key(): UPPER(full_name) in the "C" collation, then id. Its btree serves
    # the prefix range of LIKE 'BUDI%' and the ORDER BY … LIMIT of the search page, so a common prefix reads 50 rows
    # instead of every match. Replaces the varchar_pattern_ops index, which could not serve the ordering.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_name_upper_prefix")
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS customer_name_key ON accounts_customer ((UPPER(full_name) COLLATE "C"), id)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_name_key")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customer_name_upper_prefix "
            "ON accounts_customer (UPPER(full_name) varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_roles")]
    operations = [migrations.RunPython(create, drop)]
