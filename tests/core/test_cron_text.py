"""Schedules in words on the Jobs page, in both languages (no cron string where a person reads)."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.cron_text import describe_crontab


@pytest.mark.parametrize(("fields", "english", "indonesian"), [
    ({"minute": "0", "hour": "2"}, "every day at 02:00 WIB", "setiap hari pukul 02:00 WIB"),
    ({"minute": "*/10"}, "every 10 minutes", "setiap 10 menit"),
    ({"minute": "*"}, "every minute", "setiap menit"),
    ({"minute": "15"}, "every hour at minute 15", "setiap jam pada menit ke-15"),
    ({"minute": "0", "hour": "10", "day_of_week": "3"}, "every Wednesday at 10:00 WIB",
     "setiap hari Rabu pukul 10:00 WIB"),
    ({"minute": "0", "hour": "3", "day_of_month": "1"}, "on day 1 of every month at 03:00 WIB",
     "setiap tanggal 1 pukul 03:00 WIB"),
])
def test_the_schedules_we_use_read_in_both_languages(fields, english, indonesian):
    with translation.override("en"):
        assert describe_crontab(fields) == english
    with translation.override("id"):
        assert describe_crontab(fields) == indonesian


def test_an_unusual_schedule_says_so():
    with translation.override("en"):
        assert describe_crontab({"minute": "0", "hour": "1-5"}) == "custom schedule (0 1-5 * * *)"


@pytest.mark.django_db
def test_jobs_page_shows_labels_and_words_not_tasks_or_cron(supervisor_client):
    from core.schedules import setup_schedules

    setup_schedules()
    html = supervisor_client.get(reverse("core:jobs")).content.decode()
    assert "Close the bill cycles and issue the bills" in html and "every day at 00:05 WIB" in html
    assert "billing.tasks." not in html and "5 0 * * *" not in html and "<code>" not in html
