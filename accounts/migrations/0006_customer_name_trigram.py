from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def create(apps, schema_editor):
    # accounts.selectors.NameWords: ' ' || UPPER(full_name). A GIN trigram index on that expression serves
    # `LIKE '% SAPUTRA%'` (a word of the name starting with what was typed) without reading every customer.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customer_name_trgm ON accounts_customer "
            "USING gin ((' ' || UPPER(full_name)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_merge_20261201_2127")]
    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
