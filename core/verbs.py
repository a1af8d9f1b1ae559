"""The audit verbs core writes (registered in CoreConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from core.audit import as_choice, as_text, as_yes_no, verb_register
from core.models import ChannelClient, JobRun, OutboundSms


def register() -> None:
    counts = {
        "period": (_("period"), as_text), "selected": (_("selected"), as_text), "changed": (_("changed"), as_text),
        "skipped": (_("skipped"), as_text), "failed": (_("failed"), as_text), "chunks": (_("chunks"), None),
        "attempt": (_("attempt"), as_text), "forced": (_("forced re-run"), as_yes_no),
    }
    verb_register(f"job.{JobRun.Status.SUCCEEDED}", _("Job finished"), fields=counts)
    verb_register(f"job.{JobRun.Status.FAILED}", _("Job failed"), fields=counts)
    verb_register("job.run_requested", _("Job run requested"), fields={
        "schedule": (_("schedule"), as_text), "task": (_("task"), None), "force": (_("forced re-run"), as_yes_no),
    })
    client = {
        "name": (_("name"), as_text), "kind": (_("kind"), as_choice(ChannelClient.Kind)),
        "key_prefix": (_("key starting"), as_text), "new_client": (_("new client"), as_yes_no),
    }
    verb_register("channel_client.key_created", _("API key created"), fields=client)
    verb_register("channel_client.key_revoked", _("API key revoked"), fields=client)
    verb_register("sms.retried", _("SMS sent again"), fields={"status": (_("status"), as_choice(OutboundSms.Status))})
