"""The counter's SLA (`visit_wait_target_minutes`) as a rule parameter row, so that supervisors see and edit it."""

from django.db import migrations


# As visits/parameters.py had it (a migration keeps its own copy).
PARAMETERS = {
    "visit_wait_target_minutes": (15, "minutes", "", "A customer waiting longer than this is an SLA breach."),
}


def seed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    for code, (value, unit, rule, description) in PARAMETERS.items():
        Parameter.objects.get_or_create(code=code, defaults={
            "value": value, "unit": unit, "rule": rule, "description": description})


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_counter_visits"), ("core", "0006_auditevent_interaction")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
