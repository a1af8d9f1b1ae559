"""`manage.py verify_ledgers`: every prepaid card's balance equals the sum of its ledger; exit 1 otherwise."""

from django.core.management.base import BaseCommand, CommandError

from prepaid.ledger_checks import ledger_mismatches
from prepaid.models import Card


class Command(BaseCommand):
    help = "Check that every prepaid card's balance equals the sum of its ledger entries."

    def add_arguments(self, parser):
        parser.add_argument("--show", type=int, default=20, help="How many mismatching cards to list.")

    def handle(self, *args, **options):
        mismatches = ledger_mismatches()
        checked = Card.objects.count()
        for mismatch in mismatches[: options["show"]]:
            self.stderr.write(f"card {mismatch.card_id}: balance {mismatch.balance} != ledger {mismatch.ledger_total}")
        if mismatches:
            raise CommandError(f"{len(mismatches)} of {checked} cards do not match their ledger.")
        self.stdout.write(self.style.SUCCESS(f"{checked} cards checked: every balance equals its ledger."))
