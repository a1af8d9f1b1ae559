from django.db import migrations

DEFAULTS = [
    ("quarantine_days", 90, "days", "ACC-04", "Days a permanently blocked number waits before it may be recycled."),
]


def seed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    for code, value, unit, rule, description in DEFAULTS:
        Parameter.objects.get_or_create(
            code=code, defaults={"value": value, "unit": unit, "rule": rule, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
