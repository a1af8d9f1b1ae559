"""Timeline verbs (ACC-07): every verb written anywhere has a label in both languages, and the line and customer
timelines read as sentences — values formatted (rupiah, dates in WIB, codes as labels), no raw verb or key."""

import ast
import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from core.admin_base import AuditedAdminMixin
from core.audit import audit_record, event_changes, timeline_describe, verb_get, verbs_registered
from core.models import AuditEvent, JobRun
from protection.rules import TRANSITIONS
from tests.accounts.factories import LineFactory

ROOT = Path(settings.BASE_DIR)
APPS = ("accounts", "billing", "core", "prepaid", "protection", "security", "visits")
# The places that build a verb from a value, and the verbs each can write.
DYNAMIC_VERB_SITES = {
    "core/admin_base.py": lambda: [f"{admin_.model._meta.model_name}.{kind}"
                                       for admin_ in admin.site._registry.values()
                                       if isinstance(admin_, AuditedAdminMixin) for kind in ("created", "changed")],
    "core/jobs.py": lambda: [f"job.{status}" for status in JobRun.Status.values if status != JobRun.Status.RUNNING],
    "protection/services/claims.py": lambda: [f"protection.claim_{event}" for event in TRANSITIONS],
}


def _verbs_in_code() -> tuple[set[str], set[str]]:
    """Literal `verb="…"` arguments anywhere in the apps, and the files that pass a computed verb (audit_values is
    audit_record's column builder, also called with a literal verb by a hot path; core.audit's own calls pass the
    verb through)."""
    literal, computed = set(), set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                # audit_values: the columns of an event that a hot path writes in its own statement
                if not isinstance(node, ast.Call) or getattr(node.func, "id", "") not in ("audit_record",
                                                                                            "audit_values"):
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "verb" and isinstance(keyword.value, ast.Constant):
                        literal.add(keyword.value.value)
                    elif keyword.arg == "verb" and path != ROOT / "core" / "audit.py":
                        computed.add(str(path.relative_to(ROOT)))
    return literal, computed


def _written_verbs() -> set[str]:
    literal, _computed = _verbs_in_code()
    return literal | {verb for site in DYNAMIC_VERB_SITES.values() for verb in site()}


def test_every_verb_written_anywhere_is_registered():
    literal, computed = _verbs_in_code()
    assert "prepaid.topup" in literal and "line.blocked" in literal  # the scan reads the services
    # a new computed verb needs its verbs listed above
    assert computed == set(DYNAMIC_VERB_SITES)
    missing = sorted(verb for verb in _written_verbs() if verb_get(verb) is None)
    assert missing == []


def test_every_verb_and_value_label_has_an_indonesian_translation():
    from django.utils.translation import trans_real

    catalogue = trans_real.translation("id")._catalog  # a word spelled alike in both (IMEI, email) is listed here
    untranslated = []
    for code, verb in verbs_registered().items():
        labels = [("verb", verb.label)] + [(key, label) for key, (label, _show) in verb.fields.items()]
        for key, label in labels:
            with translation.override("en"):
                english = str(label)
            with translation.override("id"):
                indonesian = str(label)
            if english == indonesian and english not in catalogue:
                untranslated.append(f"{code} {key}: {english}")
    assert untranslated == []


@pytest.mark.django_db
def test_values_are_formatted_rupiah_local_dates_and_labels():
    with translation.override("en"):
        assert event_changes("prepaid.topup", {"balance": 10_000, "state": "grace", "active_until": "2026-11-30"},
                             {"balance": 60_000, "state": "active", "active_until": "2026-12-30",
                              "reference": "app:abc-123"}) == [
            "Balance: Rp 10.000 → Rp 60.000", "Active until: 30-11-2026 → 30-12-2026", "Card: Grace period → Active"]
        assert event_changes("line.blocked", None, {"reason": "lost_sim", "scope": "all", "permanent": False}) == [
            "Reason: Lost SIM reported", "Scope: All service", "Permanent: no"]
    with translation.override("id"):
        assert event_changes("limit.changed", {"scope": "domestic", "amount": 300_000},
                             {"scope": "domestic", "amount": 500_000}) == [
            "Batas: Domestik", "Jumlah: Rp 300.000 → Rp 500.000"]


@pytest.mark.django_db
def test_a_moment_is_shown_in_wib():
    from core.audit import as_date

    # 17:30 UTC is 00:30 the next day in Jakarta
    assert as_date(dt.datetime(2026, 12, 1, 17, 30, tzinfo=dt.UTC).isoformat()) == "02-12-2026 00:30"
    assert as_date("2026-12-01") == "01-12-2026"


@pytest.mark.django_db
def test_catalogue_codes_are_shown_by_name_in_one_query_per_catalogue(django_assert_num_queries, agent):
    line = LineFactory()
    for code in ("FREEDOM_COMBO", "UNLIMITED", "HARIAN_1GB"):
        audit_record(actor=agent, verb="prepaid.package_bought", subject=line,
                     new={"package": code, "price": 5000, "balance": 1000, "reference": "r"})
    events = list(AuditEvent.objects.filter(line=line))
    with translation.override("en"), django_assert_num_queries(1):
        described = timeline_describe(events)
    assert {event.changes[0] for event in described} == {  # the English name on an English page
        "Package: FREEDOM COMBO 14GB", "Package: UNLIMITED", "Package: Freedom Daily 1GB"}
    assert all(event.label == "Package bought" for event in described)


@pytest.mark.django_db
def test_an_unregistered_verb_shows_a_neutral_label_and_no_values(agent_client, agent):
    line = LineFactory()
    audit_record(actor=agent, verb="unknown.thing", subject=line, new={"secret_key": "value"})
    html = agent_client.get(reverse("accounts:line_detail", args=[line.pk])).content.decode()
    assert "unknown.thing" not in html and "secret_key" not in html
    assert "Other change" in html


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_every_value_the_demo_data_wrote_has_a_label(demo):
    unlabelled = set()
    for verb_code, old, new in AuditEvent.objects.values_list("verb", "old", "new").iterator():
        verb = verb_get(verb_code)
        assert verb is not None, verb_code
        for values in (old, new):
            if isinstance(values, dict):
                unlabelled.update(f"{verb_code}.{key}" for key in values if key not in verb.fields)
            elif values not in (None, "") and verb.value is None:
                unlabelled.add(f"{verb_code} (a single value)")
    assert unlabelled == set()


@pytest.mark.parametrize("language", ["id", "en"])
def test_demo_line_and_customer_timelines_show_no_raw_verb_or_key(demo, client, language):
    from accounts.models import User

    # given one line for each verb the demo data wrote on a line
    lines = dict(AuditEvent.objects.filter(line__isnull=False).values_list("verb", "line_id"))
    assert len(lines) >= 10
    supervisor = User.objects.filter(groups__name="Supervisor").first()
    supervisor.language = language
    supervisor.save(update_fields=["language"])
    client.force_login(supervisor)
    raw_keys = {key for values in AuditEvent.objects.values_list("new", flat=True) if isinstance(values, dict)
                for key in values if "_" in key}
    for verb, line_id in lines.items():
        # when the line page and its customer's page are opened
        line_page = client.get(reverse("accounts:line_detail", args=[line_id])).content.decode()
        customer_id = AuditEvent.objects.filter(line_id=line_id).values_list("customer_id", flat=True).first()
        customer_page = client.get(reverse("accounts:customer_detail", args=[customer_id])).content.decode()
        for html in (line_page, customer_page):
            timeline = html[html.index('id="timeline"'):]
            timeline = timeline[:timeline.index("</ol>")]
            # then no verb code, no payload key and no job label is shown
            assert verb not in timeline
            assert not [key for key in raw_keys if key in timeline], verb
            assert "job:" not in timeline
        assert str(verb_get(verb).label) and verb_get(verb) is not None
