"""The demo data's line pages in a real browser, in both languages: the timeline shows sentences, never a raw
verb (`prepaid.topup`), a payload key (`active_until`) or a job's label (`job:…`)."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from core.audit import verbs_registered
from core.models import AuditEvent
from tests.e2e.test_workspace import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOG_OUT = {"id": "Keluar", "en": "Log out"}


@pytest.mark.parametrize("language", ["id", "en"])
def test_demo_line_pages_show_no_raw_verb_or_key(page, settings, language):
    # given the demo data, and a supervisor who reads the given language
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    supervisor = User.objects.filter(groups__name="Supervisor").first()
    supervisor.set_password("demo-pass-123")
    supervisor.language = language
    supervisor.save()
    # one line for each verb written on a line
    lines = dict(AuditEvent.objects.filter(line__isnull=False).values_list("verb", "line_id"))
    verbs = set(verbs_registered()) | set(AuditEvent.objects.values_list("verb", flat=True))
    keys = {key for values in AuditEvent.objects.values_list("new", flat=True) if isinstance(values, dict)
            for key in values if "_" in key}
    _log_in(page, supervisor.username, "demo-pass-123")
    for verb, line_id in sorted(lines.items()):
        # when the line page is opened
        page.goto(f"/lines/{line_id}/")
        page.wait_for_selector("#timeline li")
        text = page.locator("#timeline").inner_text()
        # then the page is in that language and the timeline has no raw code
        assert LOG_OUT[language] in page.locator("nav").first.inner_text()
        assert verb not in text, (verb, text)
        assert not [code for code in verbs if code in text], verb
        assert not [key for key in keys if key in text], verb
        assert "job:" not in text
