from django.db import migrations, models

from core.partitions import UniqueKey, partition_by_month


class Migration(migrations.Migration):
    """Purchases and usage records partitioned by month on created_at (core.partitions, issue 14); request_id and
    record_id stay unique over all months in billing_purchase_key / billing_usagerecord_key (filled by trigger)."""

    dependencies = [
        ('billing', '0010_merge_20261201_2130'),
    ]

    operations = [
        migrations.CreateModel(
            name='PurchaseKey',
            fields=[
                ('request_id', models.CharField(max_length=175, primary_key=True, serialize=False, verbose_name='request id')),
                ('purchase_id', models.BigIntegerField(verbose_name='purchase')),
                ('created_at', models.DateTimeField(verbose_name='when')),
            ],
            options={
                'verbose_name': 'purchase request id',
                'verbose_name_plural': 'purchase request ids',
                'db_table': 'billing_purchase_key',
            },
        ),
        migrations.CreateModel(
            name='UsageRecordKey',
            fields=[
                ('record_id', models.CharField(max_length=175, primary_key=True, serialize=False, verbose_name='record id')),
                ('usage_record_id', models.BigIntegerField(verbose_name='usage record')),
                ('created_at', models.DateTimeField(verbose_name='received')),
            ],
            options={
                'verbose_name': 'usage record id',
                'verbose_name_plural': 'usage record ids',
                'db_table': 'billing_usagerecord_key',
            },
        ),
        partition_by_month("billing_purchase", "created_at",
                           key=UniqueKey(column="request_id", key_table="billing_purchase_key",
                                         key_column="request_id", id_column="purchase_id")),
        partition_by_month("billing_usagerecord", "created_at",
                           key=UniqueKey(column="record_id", key_table="billing_usagerecord_key",
                                         key_column="record_id", id_column="usage_record_id")),
    ]
