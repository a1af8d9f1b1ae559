"""Tasks renamed to `<job>_task` (issue 10): the beat schedules stored by `setup_schedules` and the job runs (whose
task the watchdog re-queues and the Jobs page groups by) take the new names. The old names stay registered as aliases
for one release (core.jobs.renamed_task) for messages queued before the deploy."""

from django.db import migrations

RENAMED = {
    "prepaid.tasks.lifecycle": "prepaid.tasks.lifecycle_task",
    "prepaid.tasks.prime_renewal": "prepaid.tasks.prime_renewal_task",
    "prepaid.tasks.prime_tier_review": "prepaid.tasks.prime_tier_review_task",
    "prepaid.tasks.prime_voucher_draw": "prepaid.tasks.prime_voucher_draw_task",
    "prepaid.tasks.expiry_reminders": "prepaid.tasks.expiry_reminders_task",
    "prepaid.tasks.price_changes": "prepaid.tasks.price_changes_task",
    "prepaid.tasks.sms_fair_usage": "prepaid.tasks.sms_fair_usage_task",
    "protection.tasks.installments_charge": "protection.tasks.installments_charge_task",
    "protection.tasks.enrollments_expire": "protection.tasks.enrollments_expire_task",
    "protection.tasks.claims_flag_sla": "protection.tasks.claims_flag_sla_task",
    "protection.tasks.reimbursements_flag_overdue": "protection.tasks.reimbursements_flag_overdue_task",
    "security.tasks.retention": "security.tasks.retention_task",
    "core.tasks.sms_dispatch": "core.tasks.sms_dispatch_task",
    "core.tasks.jobs_watchdog": "core.tasks.jobs_watchdog_task",
}


def _rename(apps, mapping):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    JobRun = apps.get_model("core", "JobRun")
    for old, new in mapping.items():
        PeriodicTask.objects.filter(task=old).update(task=new)
        JobRun.objects.filter(task_name=old).update(task_name=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_api_replay_store"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
