"""`manage.py seed_demo`: demo outlets, staff, customers and lines, then each app's demo data. Idempotent."""

import importlib
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import seed_demo_data

SEED = 20260101
# Accounts first: the other apps build on its customers and lines.
OTHER_APPS = ["billing", "protection", "prepaid", "visits", "security"]


class Command(BaseCommand):
    help = "Load demo data (outlets, agents, supervisors, ~200 customers and their lines) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with a published password: it runs only with DEBUG on "
                               "(or --force).")
        # Each app's demo data is one transaction: a failure leaves no half-seeded app behind, and the apps'
        # services and job chunks (SELECT … FOR UPDATE) run inside a transaction as they expect.
        with transaction.atomic():
            logins = seed_demo_data(rng=random.Random(SEED), stdout=self.stdout)
        for app in OTHER_APPS:
            module_name = f"{app}.demo"
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise  # a missing dependency inside the module is a real error
                continue
            with transaction.atomic():
                module.seed_demo_data(rng=random.Random(f"{SEED}-{app}"), stdout=self.stdout)
        self._print_logins(logins)

    def _print_logins(self, logins):
        width = max(len(login.username) for login in logins)
        outlet_width = max(len(login.outlet) for login in logins)
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins (http://127.0.0.1:8000/; supervisors also /admin/)"))
        self.stdout.write(f"{'username':<{width}}  {'role':<10}  {'outlet':<{outlet_width}}  password")
        self.stdout.write(f"{'-' * width}  {'-' * 10}  {'-' * outlet_width}  {'-' * len(settings.DEMO_PASSWORD)}")
        for login in logins:
            self.stdout.write(f"{login.username:<{width}}  {login.role:<10}  {login.outlet:<{outlet_width}}  "
                              f"{settings.DEMO_PASSWORD}")
