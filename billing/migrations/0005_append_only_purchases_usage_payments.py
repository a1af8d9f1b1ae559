from django.db import migrations

from core.append_only import append_only_triggers


class Migration(migrations.Migration):
    """Purchases, usage records and payments refuse UPDATE and DELETE in the database (core.append_only)."""

    dependencies = [
        ("billing", "0004_longer_ids"),
        ("core", "0004_outbox_claims_delivery_reports_stale_runs"),
    ]

    operations = [append_only_triggers("billing_purchase", "billing_usagerecord", "billing_payment")]
