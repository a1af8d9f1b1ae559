import django.db.models.deletion
from django.db import migrations, models

from core.partitions import UniqueKey, partition_by_month


class Migration(migrations.Migration):
    """Ledger entries partitioned by month on created_at (core.partitions, issue 14). The reference stays unique
    over all months in prepaid_ledgerentry_key, which the package purchase's and SIM replacement's foreign keys now
    point at (entry_id, unique); in Django's state those two fields have no database constraint of their own."""

    dependencies = [
        ('prepaid', '0010_merge_20261201_2130'),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerReference',
            fields=[
                ('reference', models.CharField(max_length=175, primary_key=True, serialize=False, verbose_name='reference')),
                ('entry_id', models.BigIntegerField(unique=True, verbose_name='ledger entry')),
                ('created_at', models.DateTimeField(verbose_name='when')),
            ],
            options={
                'verbose_name': 'ledger reference',
                'verbose_name_plural': 'ledger references',
                'db_table': 'prepaid_ledgerentry_key',
            },
        ),
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='packagepurchase',
            name='entry',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='purchase', to='prepaid.ledgerentry', verbose_name='ledger entry'),
        ),
        migrations.AlterField(
            model_name='simreplacement',
            name='entry',
            field=models.OneToOneField(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sim_replacement', to='prepaid.ledgerentry', verbose_name='ledger entry'),
        ),
        ]),
        partition_by_month("prepaid_ledgerentry", "created_at",
                           key=UniqueKey(column="reference", key_table="prepaid_ledgerentry_key",
                                         key_column="reference", id_column="entry_id")),
    ]
