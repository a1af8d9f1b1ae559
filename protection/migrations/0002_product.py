from django.db import migrations

TECPROTEC = {
    "name": "TecProtec",
    "is_active": True,
    "monthly_price": 20_000,  # TP-03
    "installment_count": 6,  # TP-03
    "upfront_price": 100_000,  # TP-03
    "period_months": 6,  # TP-04
    "waiting_days": 14,  # TP-07
    "claims_per_period": 1,  # TP-08
    "claim_limit": 1_000_000,  # TP-08
    "claim_fee": 50_000,  # TP-09
    "max_device_age_months": 24,  # TP-06
    "sla_days_jabodetabek": 7,  # TP-10
    "sla_days_elsewhere": 14,  # TP-10
    "reimbursement_working_days": 5,  # TP-11
    "receipt_max_kb": 5120,
    "partner_name": "PT Amtrust Mobile Solutions Indonesia (AMSI)",
    "partner_call_centre": "0804-1401-078",
}


def seed(apps, schema_editor):
    Product = apps.get_model("protection", "Product")
    Product.objects.get_or_create(code="tecprotec", defaults=TECPROTEC)


class Migration(migrations.Migration):
    dependencies = [("protection", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
