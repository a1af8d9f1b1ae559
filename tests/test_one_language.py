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


# --- data shown in the admin: rule parameters and service categories (issue 11) ---------------------------------


def _parameter_texts() -> tuple[set[str], set[str]]:
    """Our default descriptions and the units that are words (not "Rp", "%" or "SMS", the same in both)."""
    from core.parameters import DEFAULTS

    descriptions = {description for (_value, _unit, _rule, description) in DEFAULTS.values()}
    units = {unit for (_value, unit, _rule, _description) in DEFAULTS.values() if unit.isalpha() and unit.islower()}
    return descriptions, units


def _cells(page: str, column: str) -> list[str]:
    return [html.unescape(cell).strip()
            for cell in re.findall(rf'<td class="field-{column}[^"]*">(.*?)</td>', page, flags=re.S)]


@pytest.mark.parametrize("language", ["id", "en"])
def test_rule_parameters_read_in_the_page_language(client, language):
    from core.parameters import seed_parameters

    seed_parameters()
    client.force_login(SupervisorFactory(language=language))
    response = client.get(reverse("admin:core_parameter_changelist") + "?all=")
    assert response.status_code == 200
    page = response.content.decode()
    descriptions, units = _parameter_texts()
    shown, shown_units = set(_cells(page, "description_display")), set(_cells(page, "unit_display"))
    assert len(shown) >= len(descriptions) > 40  # every default row is on the page
    if language == "id":
        assert not shown & descriptions, shown & descriptions
        assert not shown_units & units, shown_units & units
        assert {"hari", "bulan", "tahun"} <= shown_units
        assert "Masa Aktif kartu yang baru diaktifkan." in shown
    else:
        assert descriptions <= shown
        assert units <= shown_units


def test_a_description_a_supervisor_wrote_shows_as_written(client):
    from core.models import Parameter
    from core.parameters import seed_parameters

    seed_parameters()
    Parameter.objects.filter(code="quarantine_days").update(description="Masa karantina nomor (ditulis supervisor)")
    client.force_login(SupervisorFactory(language="id"))
    page = client.get(reverse("admin:core_parameter_changelist") + "?all=").content.decode()
    assert "Masa karantina nomor (ditulis supervisor)" in _cells(page, "description_display")
    change = client.get(reverse("admin:core_parameter_change",
                                args=[Parameter.objects.get(code="ppn_percent").pk])).content.decode()
    assert "PPN atas biaya kena pajak setiap tagihan, dibulatkan ke bawah ke rupiah." in change


# The English names the categories were seeded with (billing 0002); since 0015 they are `name_en`.
CATEGORY_ENGLISH = ["Calls at basic tariff", "Add-on package", "Roaming add-on package"]


@pytest.mark.parametrize("language", ["id", "en"])
def test_service_category_names_read_in_the_page_language(client, language):
    from billing.models import Decision, DeclineReason, Purchase, ServiceCategory
    from tests.accounts.factories import LineFactory

    line = LineFactory()
    for number, code in enumerate(["voice", "addon", "roaming_addon"]):
        category = ServiceCategory.objects.get(code=code)
        Purchase.objects.create(
            request_id=f"lang-{number}", line=line, scope=category.scope, category_code=code, category=category,
            amount=1000, decision=Decision.DECLINED, reason=DeclineReason.LIMIT_EXCEEDED)
    client.force_login(SupervisorFactory(language=language))
    response = client.get(reverse("admin:billing_purchase_changelist"))
    assert response.status_code == 200
    shown = set(_cells(response.content.decode(), "category_label"))
    if language == "id":
        assert shown == {"Telepon tarif dasar", "Paket tambahan", "Paket tambahan roaming"}
    else:
        assert shown == set(CATEGORY_ENGLISH)
