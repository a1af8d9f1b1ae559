"""The files the action kit keeps on "Check" (core.actions.KEPT_DIR) are deleted by a daily job after a day."""

import datetime as dt
import os

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from core.actions import KEPT_DIR, KEPT_MAX_AGE, kept_uploads_purge
from core.schedules import SCHEDULES
from core.tasks import pending_uploads_purge_task


def _keep(storage, token: str, name: str = "receipt.pdf") -> str:
    return storage.save(f"{KEPT_DIR}/{token}/{name}", ContentFile(b"%PDF-1.4 test"))


def test_files_older_than_a_day_go_and_newer_ones_stay(tmp_path):
    # given two kept uploads on disk, one a day and a minute old, one just under a day old
    storage = FileSystemStorage(location=tmp_path)
    old, fresh = _keep(storage, "old"), _keep(storage, "fresh")
    now = timezone.now()
    for path, age in ((old, KEPT_MAX_AGE + dt.timedelta(minutes=1)), (fresh, KEPT_MAX_AGE - dt.timedelta(minutes=1))):
        stamp = (now - age).timestamp()
        os.utime(storage.path(path), (stamp, stamp))
    # when
    deleted = kept_uploads_purge(now=now, storage=storage)
    # then the old file and its folder are gone, the fresh one stays
    assert deleted == 1
    assert not storage.exists(old) and not os.path.exists(storage.path(f"{KEPT_DIR}/old"))
    assert storage.exists(fresh)
    # and a re-run finds nothing
    assert kept_uploads_purge(now=now, storage=storage) == 0


def test_nothing_kept_yet_is_nothing_to_do(tmp_path):
    assert kept_uploads_purge(storage=FileSystemStorage(location=tmp_path)) == 0


def test_the_daily_task_purges_the_default_storage(monkeypatch, tmp_path):
    # the default storage in a folder of its own: other tests' kept uploads are not this test's to count
    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr("core.actions.default_storage", storage)
    path = _keep(storage, "task")
    later = timezone.now() + KEPT_MAX_AGE + dt.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert pending_uploads_purge_task() == {"deleted": 1}
    assert not storage.exists(path)
    schedule = SCHEDULES["core: purge pending uploads"]
    assert schedule.task == "core.tasks.pending_uploads_purge_task" and schedule.crontab.get("hour") == "2"


def test_a_purged_kept_upload_is_asked_for_again():
    """A form checked yesterday and submitted today: the purged file is not restored (the form asks for it)."""
    from django.test import RequestFactory

    from core.actions import SESSION_KEY, action_files

    request = RequestFactory().post("/x", {"kept_receipt": "gone"})
    request.session = {SESSION_KEY: {"gone": {"path": f"{KEPT_DIR}/gone/r.pdf", "name": "r.pdf",
                                              "content_type": "application/pdf", "field": "receipt"}}}
    assert "receipt" not in action_files(request)
