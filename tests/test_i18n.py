"""Bahasa Indonesia is the default language, English is selectable, and the Indonesian catalogue is complete."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import Customer
from core.verdicts import RuleViolation
from tests.accounts.factories import AgentFactory

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"


# ---------------------------------------------------------------------------------------------------------------
# A small .po reader: enough for the catalogue makemessages writes.


@pytest.fixture
def agent(db):
    """An agent with the default language (the shared fixture's users chose English)."""
    return AgentFactory()


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r'\\(.)', lambda m: escapes.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def _po_entries(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr / msgstr[n] and flags; obsolete ones left out."""
    entries, current, field = [], None, None

    def flush():
        if current is not None and "msgid" in current and not current.get("obsolete"):
            entries.append(current)

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            flush()
            current, field = None, None
            continue
        if current is None:
            current = {"flags": set(), "msgstr": {}}
        if line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line):
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if keyword.startswith("msgstr"):
                field = ("msgstr", int(index) if index is not None else 0)
                current["msgstr"][field[1]] = value
            else:
                field = (keyword, None)
                current[keyword] = value
        elif line.startswith('"'):
            value = _unquote(line)
            if field[0] == "msgstr":
                current["msgstr"][field[1]] += value
            else:
                current[field[0]] += value
    return entries


# ---------------------------------------------------------------------------------------------------------------
# Pages


@pytest.mark.django_db
def test_login_page_is_in_indonesian_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Masuk" in html
    assert "Back office GraPARI" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_logged_in_user_switches_to_english_and_it_is_remembered(client, agent):
    assert agent.language == "id"
    client.force_login(agent)
    page = reverse("accounts:search")
    indonesian = client.get(page).content.decode()
    assert "Keluar" in indonesian and "Log out" not in indonesian

    response = client.post(reverse("language_set"), {"language": "en", "next": page})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.language == "en"

    english = client.get(page).content.decode()
    assert '<html lang="en">' in english
    assert "Log out" in english and "Keluar" not in english

    # The choice is on the user, so it follows them to a fresh session on another workstation.
    other = client.__class__()
    other.force_login(agent)
    assert "Log out" in other.get(page).content.decode()


@pytest.mark.django_db
def test_anonymous_visitor_switches_the_login_page_to_english(client):
    client.post(reverse("language_set"), {"language": "en", "next": reverse("login")})
    html = client.get(reverse("login")).content.decode()
    assert "Log in" in html and "Masuk" not in html


@pytest.mark.django_db
def test_unknown_language_is_ignored(client, agent):
    client.force_login(agent)
    client.post(reverse("language_set"), {"language": "xx"})
    agent.refresh_from_db()
    assert agent.language == "id"


# ---------------------------------------------------------------------------------------------------------------
# Messages from the services


@pytest.mark.django_db
def test_rule_violation_message_is_indonesian_when_the_language_is_id(agent):
    from accounts.services import customer_register

    with translation.override("id"), pytest.raises(RuleViolation) as refused:
        customer_register(actor=agent, kind=Customer.Kind.INDIVIDUAL, full_name="   ",
                          id_type=Customer.IdType.KTP, id_number="3171012501900001")
    assert refused.value.codes == ["name_required"]
    assert refused.value.messages == ["Masukkan nama pelanggan."]


@pytest.mark.django_db
def test_rule_violation_message_is_english_when_the_language_is_en(agent):
    from accounts.services import customer_register

    with translation.override("en"), pytest.raises(RuleViolation) as refused:
        customer_register(actor=agent, kind=Customer.Kind.INDIVIDUAL, full_name="",
                          id_type=Customer.IdType.KTP, id_number="3171012501900001")
    assert refused.value.messages == ["Enter the customer's name."]


def test_model_choices_and_settings_labels_are_translated():
    with translation.override("id"):
        assert str(Customer.Kind.INDIVIDUAL.label) == "Perorangan"
        assert [str(name) for _code, name in settings.LANGUAGES] == ["Bahasa Indonesia", "English"]


# ---------------------------------------------------------------------------------------------------------------
# The catalogue


def test_po_header_declares_indonesian_with_one_plural_form():
    header = next(entry for entry in _po_entries(PO_FILE) if entry["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: id\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header["msgstr"][0]


def test_every_entry_of_the_po_is_translated_and_checked():
    entries = [entry for entry in _po_entries(PO_FILE) if entry["msgid"]]
    assert len(entries) > 1000
    untranslated = [entry["msgid"] for entry in entries if not all(entry["msgstr"].values()) or not entry["msgstr"]]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    assert untranslated == []
    assert fuzzy == []
    plurals_with_extra_forms = [entry["msgid"] for entry in entries
                                if "msgid_plural" in entry and set(entry["msgstr"]) != {0}]
    assert plurals_with_extra_forms == []


def test_placeholders_survive_translation():
    token = re.compile(r"%\(\w+\)[sdif]|%%|\{\w+\}|</?[a-zA-Z][^>]*>")
    wrong = []
    for entry in _po_entries(PO_FILE):
        if not entry["msgid"]:
            continue
        translated = set(token.findall(entry["msgstr"][0]))
        if "msgid_plural" in entry:
            allowed = set(token.findall(entry["msgid"])) | set(token.findall(entry["msgid_plural"]))
            if not translated <= allowed:
                wrong.append(entry["msgid"])
        elif sorted(token.findall(entry["msgid"])) != sorted(token.findall(entry["msgstr"][0])):
            wrong.append(entry["msgid"])
    assert wrong == []


def test_compiled_mo_matches_the_po():
    assert MO_FILE.exists(), "run: manage.py compilemessages --locale id"
    with MO_FILE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for entry in _po_entries(PO_FILE):
        if not entry["msgid"]:
            continue
        msgid = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if "msgid_plural" in entry:
            compiled = catalogue._catalog.get((msgid, 0))
        else:
            compiled = catalogue._catalog.get(msgid)
        if compiled != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert stale == [], "the .mo is older than the .po: run manage.py compilemessages --locale id"
