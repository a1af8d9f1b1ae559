"""Core writes: channel clients and their keys."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api.keys import key_generate
from core.audit import audit_record
from core.models import Channel, ChannelApiKey, ChannelClient


@transaction.atomic
def channel_client_create(*, name: str, kind: str, actor, throttle_rate: str = "",
                          channel: str = Channel.ADMIN) -> tuple[ChannelClient, str, bool]:
    """Create a client, or add a key to an existing one of the same kind. Returns (client, key, created);
    the key is only ever in this return value (its SHA-256 is stored)."""
    client = ChannelClient.objects.select_for_update().filter(name=name).first()
    created = client is None
    if created:
        client = ChannelClient(name=name, kind=kind, throttle_rate=throttle_rate)
        client.full_clean()
        client.save()
    elif client.kind != kind:
        raise ValidationError(_("Client %(name)s exists with kind %(kind)s.") % {"name": name, "kind": client.kind})
    key, prefix, digest = key_generate()
    ChannelApiKey.objects.create(client=client, prefix=prefix, key_hash=digest)
    audit_record(actor=actor, verb="channel_client.key_created", subject=client, channel=channel,
                 new={"name": client.name, "kind": client.kind, "key_prefix": prefix, "new_client": created})
    return client, key, created


@transaction.atomic
def channel_key_revoke(*, api_key: ChannelApiKey, actor, reason: str = "") -> ChannelApiKey:
    api_key = ChannelApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, verb="channel_client.key_revoked", subject=api_key.client, channel=Channel.ADMIN,
                     old={"key_prefix": api_key.prefix}, reason=reason)
    return api_key


def _task_for(name: str):
    from config.celery_app import app

    app.loader.import_default_modules()
    task = app.tasks.get(name)
    if task is None:
        raise ValidationError(_("Task %(task)s is not known to this server.") % {"task": name})
    return task


class PeriodDone(Exception):
    """"Run now" on a period that is already finished: nothing was queued; a forced re-run (with a reason) is the
    way to run it again."""

    def __init__(self, run):
        super().__init__(run.period_key)
        self.run = run


def job_run_now(*, schedule_name: str, force: bool, actor, reason: str = "") -> str:
    """A supervisor's "run now": queue the schedule's task at once. `force` re-runs a finished period (passed to the
    task as force=True when the task takes it). Returns the Celery task id. Without `force`, a period that is
    already done raises PeriodDone and queues nothing (the task would only find it done)."""
    import inspect
    import json

    from django_celery_beat.models import PeriodicTask

    from core.schedules import SCHEDULES

    periodic = PeriodicTask.objects.filter(name=schedule_name).first()
    if periodic is not None:
        task_name, kwargs = periodic.task, json.loads(periodic.kwargs or "{}")
    elif schedule_name in SCHEDULES:
        task_name, kwargs = SCHEDULES[schedule_name].task, dict(SCHEDULES[schedule_name].kwargs)
    else:
        raise ValidationError(_("Unknown schedule %(name)s.") % {"name": schedule_name})
    task = _task_for(task_name)
    takes_force = "force" in inspect.signature(task.run).parameters
    if force and takes_force:
        kwargs["force"] = True
    elif takes_force:
        from core.dates import parse_day
        from core.selectors import job_period_done

        done = job_period_done(task_name=task_name, day=parse_day(kwargs.get("day")))
        if done is not None:
            raise PeriodDone(done)
    with transaction.atomic():
        audit_record(actor=actor, verb="job.run_requested", subject=periodic or actor, channel=Channel.ADMIN,
                     new={"schedule": schedule_name, "task": task_name, "force": bool(force and takes_force)},
                     reason=reason)
    result = task.apply_async(kwargs=kwargs)
    return result.id
