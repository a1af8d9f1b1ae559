from django.db import migrations

from core.partitions import partition_by_month


class Migration(migrations.Migration):
    """Audit events partitioned by month on created_at (core.partitions, issue 14); the append-only trigger
    (issue 15) moves to the partitioned table, from where PostgreSQL puts it on every partition."""

    dependencies = [
        ('core', '0005_api_replay_store'),
    ]

    operations = [
        partition_by_month("core_auditevent", "created_at"),
    ]
