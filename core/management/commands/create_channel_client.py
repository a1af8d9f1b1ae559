from django.core.management.base import BaseCommand, CommandError

from core.models import ChannelClient
from core.services import channel_client_create


class Command(BaseCommand):
    help = "Create a channel API client (or a new key for an existing one). The key is printed once, last."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--kind", required=True, choices=ChannelClient.Kind.values)
        parser.add_argument("--rate", default="", help="Throttle rate such as 600/min (default: the kind's).")

    def handle(self, *args, name, kind, rate, **options):
        from django.core.exceptions import ValidationError

        try:
            client, key, created = channel_client_create(name=name, kind=kind, throttle_rate=rate, actor=None)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        verb = "Created" if created else "New key for"
        self.stdout.write(f"{verb} channel client {client.name} (kind {client.kind}).")
        self.stdout.write("Store this key now; it is not shown again:")
        self.stdout.write(key)
