import django.db.models.deletion
from django.db import migrations, models


def customer_from_line(apps, schema_editor):
    """The checks recorded before a SIM replacement were the line's customer's."""
    IdentityCheck = apps.get_model("accounts", "IdentityCheck")
    Line = apps.get_model("accounts", "Line")
    IdentityCheck.objects.filter(customer__isnull=True).update(
        customer=models.Subquery(Line.objects.filter(pk=models.OuterRef("line_id")).values("customer_id")[:1]))


class Migration(migrations.Migration):
    """A separate migration: PostgreSQL refuses to alter a table with pending foreign-key checks from the update."""

    dependencies = [("accounts", "0006_identity_check_customer_visit")]

    operations = [
        migrations.RunPython(customer_from_line, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="identitycheck",
            name="customer",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="identity_checks",
                                    to="accounts.customer", verbose_name="customer"),
        ),
    ]
