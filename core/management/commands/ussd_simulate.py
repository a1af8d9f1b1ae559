"""Play a USSD session in the terminal, as the gateway would: `manage.py ussd_simulate "*888#" 08123456789`.

Reads one answer per line from stdin (so it also works piped: `printf '1\\n2\\n' | manage.py ussd_simulate …`), or
takes every answer at once with --inputs "1*2"."""

import sys
import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.ussd import ussd_answer


class Command(BaseCommand):
    help = "Play a USSD session against the registered menus (for agents' training and developers)."

    def add_arguments(self, parser):
        parser.add_argument("service_code")
        parser.add_argument("msisdn")
        parser.add_argument("--inputs", default=None, help='All answers joined by "*", instead of reading stdin.')
        parser.add_argument("--max-steps", type=int, default=50)

    def handle(self, *args, service_code, msisdn, inputs, max_steps, **options):
        from core.identifiers import normalize_msisdn

        try:
            number = normalize_msisdn(msisdn)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        session_id = f"sim-{uuid.uuid4().hex[:12]}"
        queued = inputs.split("*") if inputs else None
        answers: list[str] = []
        interactive = queued is None and sys.stdin.isatty()
        for _step in range(max_steps):
            screen = ussd_answer(session_id=session_id, service_code=service_code, msisdn=number,
                                 text="*".join(answers))
            self.stdout.write(screen)
            self.stdout.write(f"--- ({len(screen)} chars)")
            if screen.startswith("END "):
                return
            if queued is not None:
                if not queued:
                    return
                answer = queued.pop(0)
            else:
                if interactive:
                    self.stdout.write("> ", ending="")
                    self.stdout.flush()
                line = sys.stdin.readline()
                if not line:
                    self.stdout.write("(session abandoned)")
                    return
                answer = line.strip()
            if not interactive:
                self.stdout.write(f"> {answer}")
            answers.append(answer)
        self.stdout.write("(too many steps)")
