"""One language per page: a supervisor who reads Bahasa Indonesia sees no English on the admin index, the admin
pages of the third-party apps (Celery beat and results, Axes, django-otp) and the dashboard; one who reads English
sees no Indonesian there. The language switch names the other language in that language (lang="…"): left out."""

import html
import re

import pytest
from django.urls import reverse

from tests.accounts.factories import SupervisorFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:index",
    "admin:django_celery_beat_periodictask_changelist",
    "admin:django_celery_results_taskresult_changelist",
    "admin:axes_accessattempt_changelist",
    "admin:otp_totp_totpdevice_changelist",
    "core:dashboard",
]

# Words the English catalogue or the third-party apps left on Indonesian pages before (app and model names,
# titles, the dashboard's own texts).
ENGLISH = [
    "Periodic", "Celery Results", "Task results", "Group results", "Crontabs", "Clocked", "Solar events",
    "Otp_", "TOTP device", "Axes", "Access attempts", "Supervisor administration", "GraPARI Back Office",
    "Dashboard", "Keyboard shortcuts", "Skip to content", "Welcome", "Log out", "View site", "Add", "Change",
    "Today", "per day", "Declined", "claims", "Last run", "Jobs page", "Close",
]
INDONESIAN = [
    "Tambah", "Ubah", "Keluar", "Beranda", "Lewati", "Pelanggan", "Tugas", "Dasbor", "Hari ini", "Pembelian",
    "ditolak", "Klaim", "Pintasan", "Selamat datang", "terjadwal", "Hasil", "Faktor kedua", "Penguncian", "Tutup",
]


def _read_text(page: str, language: str) -> str:
    """What a person reads or hears: text, the title, aria-labels and titles; scripts, styles and elements marked
    as another language are left out."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(rf'(?is)<(\w+)\b[^>]*\blang="(?!{language})[^"]*"[^>]*>.*?</\1>', " ", page)
    attributes = re.findall(r'(?i)\b(?:aria-label|title|placeholder)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join([*attributes, text]))


def _found(words: list[str], text: str) -> list[str]:
    return [word for word in words if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)]


@pytest.mark.parametrize(("language", "foreign"), [("id", ENGLISH), ("en", INDONESIAN)])
def test_supervisor_pages_speak_one_language(client, language, foreign):
    client.force_login(SupervisorFactory(language=language))
    found = {}
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert f'lang="{language}"' in response.content.decode()[:300], name
        words = _found(foreign, _read_text(response.content.decode(), language))
        if words:
            found[name] = words
    assert not found, found


def test_the_check_sees_a_foreign_word_and_skips_a_marked_one():
    page = ('<html lang="id"><title>Dasbor</title><body><p>Tugas terjadwal</p><p title="Log out">x</p>'
            '<button lang="en">English</button></body></html>')
    text = _read_text(page, "id")
    assert _found(ENGLISH, text) == ["Log out"]
    assert "English" not in text and "Dasbor" in text
