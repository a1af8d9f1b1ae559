from django.core.management.base import BaseCommand

from core.schedules import SCHEDULES, setup_schedules


class Command(BaseCommand):
    help = "Write the registered beat schedules to django-celery-beat. Safe to run again: existing entries keep " \
           "a supervisor's edits unless --overwrite."

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true", help="Reset existing entries to the code's schedule.")

    def handle(self, *args, overwrite=False, **options):
        created, updated = setup_schedules(overwrite=overwrite)
        for schedule in SCHEDULES.values():
            self.stdout.write(f"  {schedule.name}: {schedule.task} {schedule.crontab}")
        self.stdout.write(self.style.SUCCESS(
            f"{created} schedule(s) created, {updated} updated, {len(SCHEDULES) - created - updated} unchanged."))
