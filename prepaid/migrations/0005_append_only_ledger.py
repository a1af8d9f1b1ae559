from django.db import migrations

from core.append_only import append_only_triggers


class Migration(migrations.Migration):
    """Ledger entries refuse UPDATE and DELETE in the database (core.append_only)."""

    dependencies = [
        ("prepaid", "0004_ledger_time_index"),
        ("core", "0004_outbox_claims_delivery_reports_stale_runs"),
    ]

    operations = [append_only_triggers("prepaid_ledgerentry")]
