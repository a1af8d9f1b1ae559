"""Job runs: chunked, resumable, once per period unless forced; beat schedules; the Jobs page; a real worker."""

import os
import signal
import uuid
from pathlib import Path

import pytest
from django.test import override_settings
from django_celery_beat.models import PeriodicTask

from core.jobs import ChunkResult, job_run
from core.models import AuditEvent, JobRun, OutboundSms
from core.schedules import SCHEDULES, register_schedule, setup_schedules
from tests.core.celery_jobs import TEMPLATE, slow_chunk
from tests.core.factories import OutboundSmsFactory
from tests.integration.worker import start_worker, stop, wait_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def rows(count: int) -> list[OutboundSms]:
    return [OutboundSmsFactory(template_code=TEMPLATE) for _ in range(count)]


def test_job_processes_every_row_in_chunks_and_records_counts():
    # given
    rows(12)
    # when
    run = job_run(job="demo", period_key="2026-11-22", chunk=slow_chunk(5, 0), total=12)
    # then
    assert run.status == JobRun.Status.SUCCEEDED and run.finished_at is not None
    assert (run.selected, run.changed, run.chunks) == (12, 12, 3)
    assert run.progress_percent == 100 and run.duration is not None
    assert set(OutboundSms.objects.values_list("attempts", flat=True)) == {1}
    event = AuditEvent.objects.get(verb="job.succeeded")
    assert event.subject_id == str(run.pk) and event.new["changed"] == 12 and event.channel == "system"


def test_finished_period_is_not_run_again():
    # given
    run = job_run(job="demo", period_key="2026-11", chunk=lambda: ChunkResult(selected=0))
    calls = []

    def chunk():
        calls.append(1)
        return ChunkResult(selected=0)

    # when
    again = job_run(job="demo", period_key="2026-11", chunk=chunk)
    # then
    assert calls == [] and again.pk == run.pk and again.attempts == 1
    assert JobRun.objects.count() == 1


def test_another_period_is_a_new_run():
    job_run(job="demo", period_key="2026-11-22", chunk=lambda: ChunkResult(selected=0))
    job_run(job="demo", period_key="2026-11-23", chunk=lambda: ChunkResult(selected=0))
    assert JobRun.objects.count() == 2


def test_forced_rerun_runs_again_with_fresh_counts():
    # given
    rows(3)
    job_run(job="demo", period_key="p", chunk=slow_chunk(5, 0))
    OutboundSms.objects.update(status=OutboundSms.Status.QUEUED, next_attempt_at="2026-11-22T00:00Z")
    # when
    run = job_run(job="demo", period_key="p", chunk=slow_chunk(2, 0), force=True)
    # then
    assert run.forced and run.attempts == 2 and run.status == JobRun.Status.SUCCEEDED
    assert (run.selected, run.chunks) == (3, 2)
    assert AuditEvent.objects.filter(verb="job.succeeded").count() == 2


def test_failed_chunk_marks_the_run_failed_and_a_rerun_finishes_exactly_once():
    # given: 10 rows; the third chunk crashes half-way (after updating rows inside its transaction)
    rows(10)
    good = slow_chunk(3, 0)
    calls = {"n": 0}

    def crashing_chunk():
        calls["n"] += 1
        result = good()
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return result

    # when
    with pytest.raises(RuntimeError):
        job_run(job="demo", period_key="p", chunk=crashing_chunk)
    # then: two chunks committed, the third rolled back
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.FAILED and "power cut" in run.error
    assert run.selected == 6 and OutboundSms.objects.filter(status=OutboundSms.Status.SENT).count() == 6
    assert AuditEvent.objects.filter(verb="job.failed").count() == 1
    # when: run again (no force needed for an unfinished period)
    run = job_run(job="demo", period_key="p", chunk=good)
    # then
    assert run.status == JobRun.Status.SUCCEEDED and run.attempts == 2 and run.error == ""
    assert run.selected == 10 and run.changed == 10
    assert set(OutboundSms.objects.values_list("attempts", flat=True)) == {1}


def test_max_chunks_leaves_the_run_open_for_the_next_call():
    # given
    rows(6)
    # when
    first = job_run(job="demo", period_key="p", chunk=slow_chunk(2, 0), max_chunks=1)
    # then
    assert first.status == JobRun.Status.RUNNING and first.selected == 2
    second = job_run(job="demo", period_key="p", chunk=slow_chunk(2, 0))
    assert second.status == JobRun.Status.SUCCEEDED and second.selected == 6 and second.attempts == 2


def test_chunk_must_return_a_chunk_result():
    with pytest.raises(TypeError):
        job_run(job="demo", period_key="p", chunk=lambda: 3)
    assert JobRun.objects.get().status == JobRun.Status.FAILED


def test_progress_percent_uses_total():
    run = JobRun(job="x", period_key="p", started_at=None, total=200, changed=50, skipped=25, failed=25)
    assert run.progress_percent == 50
    assert JobRun(job="x", period_key="p", total=None).progress_percent == 0


# --- schedules --------------------------------------------------------------------------------------------------------


def test_setup_schedules_is_idempotent_and_keeps_supervisor_edits():
    # given
    register_schedule("test: nightly", "core.tasks.sms_dispatch_task", {"minute": "5", "hour": "1"})
    try:
        # when
        created, _ = setup_schedules()
        task = PeriodicTask.objects.get(name="test: nightly")
        task.crontab.hour = "1"
        task.enabled = False
        task.save()
        created_again, updated = setup_schedules()
        # then
        assert created == len(SCHEDULES) and created_again == 0 and updated == 0
        assert PeriodicTask.objects.filter(name="test: nightly").count() == 1
        assert PeriodicTask.objects.get(name="test: nightly").enabled is False
        assert task.crontab.minute == "5"
        # when: overwrite puts the code's schedule back
        setup_schedules(overwrite=True)
        assert PeriodicTask.objects.get(name="test: nightly").crontab.hour == "1"
    finally:
        SCHEDULES.pop("test: nightly")


def test_setup_schedules_command(capsys):
    from django.core.management import call_command

    call_command("setup_schedules")
    call_command("setup_schedules")
    out = capsys.readouterr().out
    assert "0 schedule(s) created" in out
    assert PeriodicTask.objects.filter(name="core: send queued SMS", task="core.tasks.sms_dispatch_task").count() == 1


def test_register_schedule_refuses_unknown_crontab_fields():
    with pytest.raises(ValueError):
        register_schedule("bad", "x", {"second": "1"})


def test_broker_folders_are_created(tmp_path):
    from config.celery_app import ensure_broker_folders

    options = {"data_folder_in": str(tmp_path / "b" / "out"), "data_folder_out": str(tmp_path / "b" / "out"),
               "processed_folder": str(tmp_path / "b" / "processed")}
    with override_settings(CELERY_BROKER_TRANSPORT_OPTIONS=options):
        ensure_broker_folders()
    assert (tmp_path / "b" / "out").is_dir() and (tmp_path / "b" / "processed").is_dir()


# --- the Jobs page ---------------------------------------------------------------------------------------------------


def test_jobs_page_anonymous_is_redirected_to_login(client):
    response = client.get("/core/jobs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_jobs_page_is_refused_to_agents(agent_client):
    assert agent_client.get("/core/jobs/").status_code == 403
    assert agent_client.post("/core/jobs/", {"schedule": "core: send queued SMS"}).status_code == 403


def test_jobs_page_shows_runs_with_counts_and_progress(supervisor_client):
    # given
    JobRun.objects.create(job="test-cycle", period_key="2026-11", started_at="2026-11-01T00:00Z", total=10,
                          selected=5, changed=4, skipped=1)
    # when
    response = supervisor_client.get("/core/jobs/")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "test-cycle" in body and "2026-11" in body and 'style="width: 50%"' in body
    assert "core: send queued SMS" in body
    assert [run.job for run in response.context["page"]] == ["test-cycle"]
    assert list(supervisor_client.get("/core/jobs/?status=failed").context["page"]) == []


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_run_now_queues_the_task_and_audits(supervisor_client, supervisor):
    from config.celery_app import app

    # given
    app.conf.task_always_eager = True
    OutboundSmsFactory()
    try:
        # when
        response = supervisor_client.post("/core/jobs/", {"schedule": "core: send queued SMS"}, follow=True)
    finally:
        app.conf.task_always_eager = False
    # then
    assert response.status_code == 200
    assert OutboundSms.objects.get().status == OutboundSms.Status.SENT
    event = AuditEvent.objects.get(verb="job.run_requested")
    assert event.actor == supervisor and event.new["task"] == "core.tasks.sms_dispatch_task"


def test_force_needs_a_reason(supervisor_client):
    response = supervisor_client.post("/core/jobs/", {"schedule": "core: send queued SMS", "force": "on"},
                                      follow=True)
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(verb="job.run_requested").exists()
    assert len(list(response.context["messages"])) == 1


def test_run_now_of_an_unknown_schedule_is_a_message_not_an_error(supervisor_client):
    response = supervisor_client.post("/core/jobs/", {"schedule": "nope"}, follow=True)
    assert response.status_code == 200
    assert "nope" in response.content.decode()
    assert not AuditEvent.objects.exists()


# --- a real worker killed half-way ---------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_job_killed_half_way_and_run_again_processes_every_row_exactly_once():
    from config.celery_app import app

    # given: 40 rows; chunks of 4 taking 0.3 s each
    rows(40)
    queue = f"test-platform-{uuid.uuid4().hex[:8]}"
    kwargs = {"period_key": "2026-11-22", "chunk_size": 4, "pause": 0.3}
    worker = start_worker(queue, include=("tests.core.celery_jobs",))
    try:
        app.send_task("tests.core.slow_job", kwargs=kwargs, queue=queue)
        # when: the worker is killed (SIGKILL) once a few chunks are committed
        assert wait_for(lambda: JobRun.objects.filter(job="test-slow-job", changed__gte=12).exists())
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        stop(worker, signal.SIGKILL)
    run = JobRun.objects.get(job="test-slow-job")
    sent_before = OutboundSms.objects.filter(status=OutboundSms.Status.SENT).count()
    # then: the job died half-way
    assert run.status == JobRun.Status.RUNNING
    assert 12 <= sent_before < 40 and run.changed == sent_before

    # when: it runs again (as beat would), on a fresh worker
    worker = start_worker(queue, include=("tests.core.celery_jobs",))
    try:
        app.send_task("tests.core.slow_job", kwargs=kwargs, queue=queue)
        assert wait_for(lambda: JobRun.objects.filter(job="test-slow-job", status="succeeded").exists())
    finally:
        stop(worker)
    # then: every row processed exactly once, and the counts say so
    run.refresh_from_db()
    assert run.attempts == 2
    assert (run.selected, run.changed) == (40, 40)
    assert OutboundSms.objects.filter(status=OutboundSms.Status.SENT).count() == 40
    assert set(OutboundSms.objects.values_list("attempts", flat=True)) == {1}


def test_run_now_on_a_finished_period_says_it_is_done_and_offers_the_forced_rerun(supervisor_client, supervisor,
                                                                                   monkeypatch):
    from celery.app.task import Task

    from config.celery_app import app
    from core.dates import local_today
    from protection import tasks as protection_tasks

    # given today's SLA run already finished (run as the worker runs it)
    protection_tasks.claims_flag_sla_task.apply()
    run = JobRun.objects.get(job="protection.sla", period_key=local_today().isoformat())
    assert (run.status, run.task_name) == ("succeeded", "protection.tasks.claims_flag_sla_task")
    queued = []
    monkeypatch.setattr(Task, "apply_async", lambda self, *a, **kw: queued.append(self.name))
    # when a supervisor presses "run now" without force
    response = supervisor_client.post("/core/jobs/", {"schedule": "protection-sla"}, follow=True)
    # then the page says the period is done, queues nothing, audits nothing, and offers the forced re-run
    body = response.content.decode()
    assert queued == [] and not AuditEvent.objects.filter(verb="job.run_requested").exists()
    assert [str(m) for m in response.context["messages"]] == [
        f"Flag TecProtec claims past their return date: the period {run.period_key} is already done; nothing was "
        "queued. To run it again, force a re-run and give the reason."]
    assert 'id="forced-rerun"' in body and "queued (task" not in body
    # when the forced re-run is sent with a reason, then it is queued and audited with the reason
    monkeypatch.undo()
    app.conf.task_always_eager = True
    try:
        supervisor_client.post("/core/jobs/", {"schedule": "protection-sla", "force": "on", "reason": "SLA fix"})
    finally:
        app.conf.task_always_eager = False
    event = AuditEvent.objects.get(verb="job.run_requested")
    assert (event.actor, event.reason, event.new["force"]) == (supervisor, "SLA fix", True)
    run.refresh_from_db()
    assert run.forced is True and run.attempts == 2


# --- the watchdog (issue 15) -----------------------------------------------------------------------------------------


def test_watchdog_marks_only_runs_without_heartbeat_stale_audits_and_requeues_them(monkeypatch,
                                                                                 django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from config.celery_app import app
    from core.jobs import job_runs_revive

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, **kw: sent.append((name, kw)))
    now = timezone.now()
    old, fresh = now - dt.timedelta(seconds=901), now - dt.timedelta(seconds=899)
    stale = JobRun.objects.create(job="a", period_key="p", started_at=old, heartbeat_at=old, task_name="x.task",
                                  task_kwargs={"day": "2026-11-22"}, task_queue="q1")
    alive = JobRun.objects.create(job="b", period_key="p", started_at=old, heartbeat_at=fresh, task_name="x.task")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        revived = job_runs_revive(now=now, stale_after_seconds=900)
    # then: only the one past the boundary
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert revived == [stale.pk]
    assert stale.status == JobRun.Status.STALE and stale.finished_at == now and "watchdog" in stale.error
    assert alive.status == JobRun.Status.RUNNING
    assert sent == [("x.task", {"kwargs": {"day": "2026-11-22"}, "queue": "q1"})]
    assert AuditEvent.objects.get(verb="job.stale").subject_id == str(stale.pk)


def test_a_stale_run_resumes_when_its_task_runs_again():
    JobRun.objects.create(job="test-resume", period_key="p", started_at="2026-11-01T00:00Z", status="stale",
                          finished_at="2026-11-01T00:20Z", changed=3, chunks=1)
    calls = iter([ChunkResult(selected=2, changed=2), ChunkResult(selected=0)])
    run = job_run(job="test-resume", period_key="p", chunk=lambda: next(calls))
    assert run.status == JobRun.Status.SUCCEEDED and run.attempts == 2 and run.changed == 5


def test_jobs_page_flags_failed_and_stale_runs(supervisor_client):
    from django.utils import timezone

    JobRun.objects.create(job="gone-quiet", period_key="p", started_at=timezone.now(), status="stale",
                          finished_at=timezone.now())
    body = supervisor_client.get("/core/jobs/").content.decode()
    assert "Needs a look: 0 failed and 1 stale runs" in body and "text-bg-warning" in body
    assert [run.job for run in supervisor_client.get("/core/jobs/?status=stale").context["page"]] == ["gone-quiet"]
