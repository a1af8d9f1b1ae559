import django.db.models.deletion
from django.db import migrations, models

from core.partitions import UniqueKey, partition_by_month


class Migration(migrations.Migration):
    """Audit events and the SMS outbox partitioned by month on created_at (core.partitions, issue 14). The audit
    events' append-only trigger (issue 15) moves to the partitioned table, from where PostgreSQL puts it on every
    partition. The SMS dedup key stays unique over all months in core_outboundsms_key, which the delivery reports'
    foreign key now points at (sms_id, unique); in Django's state that field has no database constraint of its own."""

    dependencies = [
        ('core', '0005_api_replay_store'),
    ]

    operations = [
        migrations.CreateModel(
            name='OutboundSmsKey',
            fields=[
                ('dedup_key', models.CharField(max_length=200, primary_key=True, serialize=False, verbose_name='dedup key')),
                ('sms_id', models.BigIntegerField(unique=True, verbose_name='SMS')),
                ('created_at', models.DateTimeField(verbose_name='created')),
            ],
            options={
                'verbose_name': 'SMS dedup key',
                'verbose_name_plural': 'SMS dedup keys',
                'db_table': 'core_outboundsms_key',
            },
        ),
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='deliveryreport',
            name='sms',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='delivery_reports', to='core.outboundsms', verbose_name='SMS'),
        ),
        ]),
        partition_by_month("core_auditevent", "created_at"),
        partition_by_month("core_outboundsms", "created_at",
                           key=UniqueKey(column="dedup_key", key_table="core_outboundsms_key",
                                         key_column="dedup_key", id_column="sms_id")),
    ]
