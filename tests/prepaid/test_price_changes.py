"""PRE-08: a package price change has an effective date, is announced before it (a legal notice, once per customer
and change), and until that date the old price applies (purchases, the packages API, the agent page)."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.consent import marketing_consent_set
from core.models import AuditEvent, Channel, OutboundSms
from core.verdicts import RuleViolation
from prepaid import services, tasks
from prepaid.models import Card, Package, PackagePurchase, PriceChange
from prepaid.selectors import package_price
from tests.accounts.factories import AgentFactory
from tests.core.factories import make_client
from tests.prepaid.factories import CardFactory

pytestmark = pytest.mark.django_db
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
TODAY = dt.date(2026, 12, 1)
EFFECTIVE = dt.date(2026, 12, 20)


def combo() -> Package:
    return Package.objects.get(code="FREEDOM_COMBO")  # Rp 65.000


def scheduled(package=None, *, new_price=70_000, effective_on=EFFECTIVE, scheduled_on=TODAY, **kwargs) -> PriceChange:
    """Test setup: a change scheduled earlier (the service only schedules from today)."""
    return PriceChange.objects.create(package=package or combo(), new_price=new_price, effective_on=effective_on,
                                      scheduled_on=scheduled_on, reason="test", **kwargs)


def bought(card, package=None, when=dt.datetime(2026, 11, 20, 10, tzinfo=WIB), ref=None):
    return services.package_purchase(card=card, package_code=(package or combo()).code, channel=Channel.API,
                                     reference=ref or f"buy-{card.pk}-{when:%m%d}", now=when)


# --- scheduling -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "allowed"), [(6, False), (7, True), (8, True)])
@pytest.mark.rule("PRE-08")
def test_pre08_change_must_be_at_least_the_lead_time_away(supervisor, days, allowed):
    """PRE-08 Decision: price_change_notice_days = 7: the day before the earliest date is refused."""
    effective_on = TODAY + dt.timedelta(days=days)
    if not allowed:
        with translation.override("en"), pytest.raises(RuleViolation) as refused:  # the message is read in English
            services.price_change_schedule(package=combo(), new_price=70_000, effective_on=effective_on,
                                           reason="Tariff review", actor=supervisor, today=TODAY)
        assert refused.value.codes == ["notice_too_short"]
        assert "the earliest date is 08-12-2026" in refused.value.messages[0]
        assert not PriceChange.objects.exists() and not AuditEvent.objects.filter(verb__startswith="package.").exists()
        return
    change = services.price_change_schedule(package=combo(), new_price=70_000, effective_on=effective_on,
                                            reason="Tariff review", actor=supervisor, today=TODAY)
    assert (change.scheduled_on, change.scheduled_by, change.announced_at) == (TODAY, supervisor, None)
    event = AuditEvent.objects.get(verb="package.price_change_scheduled")
    assert event.old == {"price": 65_000, "prime_price": None} and event.new["price"] == 70_000
    assert event.reason == "Tariff review" and event.actor == supervisor


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"new_price": 0}, "invalid_price"),
    ({"new_price": "70000"}, "invalid_price"),
    ({"new_prime_price": 80_000}, "invalid_prime_price"),
    ({"new_price": 65_000}, "no_change"),
    ({"reason": " "}, "reason_required"),
])
@pytest.mark.rule("PRE-08")
def test_pre08_bad_changes_are_refused_and_nothing_written(supervisor, kwargs, code):
    args = {"package": combo(), "new_price": 70_000, "effective_on": EFFECTIVE, "reason": "Tariff review",
            "actor": supervisor, "today": TODAY, **kwargs}
    with pytest.raises(RuleViolation) as refused:
        services.price_change_schedule(**args)
    assert code in refused.value.codes and not PriceChange.objects.exists()


@pytest.mark.rule("PRE-08")
def test_pre08_only_a_supervisor_schedules_and_only_one_change_per_package_and_day(supervisor):
    with pytest.raises(RuleViolation) as refused:
        services.price_change_schedule(package=combo(), new_price=70_000, effective_on=EFFECTIVE, reason="x",
                                       actor=AgentFactory(), today=TODAY)
    assert refused.value.codes == ["not_allowed"]
    services.price_change_schedule(package=combo(), new_price=70_000, effective_on=EFFECTIVE, reason="x",
                                   actor=supervisor, today=TODAY)
    with pytest.raises(RuleViolation) as refused:
        services.price_change_schedule(package=combo(), new_price=72_000, effective_on=EFFECTIVE, reason="x",
                                       actor=supervisor, today=TODAY)
    assert refused.value.codes == ["already_scheduled"] and PriceChange.objects.count() == 1


# --- the old price holds until the date ---------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "price"), [(dt.date(2026, 12, 19), 65_000), (EFFECTIVE, 70_000)])
@pytest.mark.rule("PRE-08")
def test_pre08_old_price_until_the_day_before_new_price_on_the_day(day, price):
    scheduled()
    assert package_price(package=combo(), day=day, prime=False) == price


@pytest.mark.parametrize(("when", "price"), [
    (dt.datetime(2026, 12, 19, 23, 59, tzinfo=WIB), 65_000),
    (dt.datetime(2026, 12, 20, 0, 0, tzinfo=WIB), 70_000),
])
@pytest.mark.rule("PRE-08")
def test_pre08_purchase_pays_the_price_of_its_day(when, price):
    """The boundary in WIB: 19 Dec 23:59 the old price, 20 Dec 00:00 the new one (no job has to run first)."""
    card = CardFactory(balance=100_000)
    scheduled()
    purchase = bought(card, when=when)
    card.refresh_from_db()
    assert purchase.price == price and card.balance == 100_000 - price


@pytest.mark.rule("PRE-08")
def test_pre08_prime_special_price_changes_with_the_change():
    package = Package.objects.filter(prime_price__isnull=False).first()
    scheduled(package, new_price=package.price + 10_000, new_prime_price=package.prime_price + 5_000)
    assert package_price(package=package, day=EFFECTIVE, prime=True) == package.prime_price + 5_000
    assert package_price(package=package, day=EFFECTIVE - dt.timedelta(days=1), prime=True) == package.prime_price


@pytest.mark.rule("PRE-08")
def test_pre08_packages_api_shows_todays_price_and_the_announced_one(client):
    _client, key = make_client(kind="app")
    scheduled(effective_on=timezone.localdate() + dt.timedelta(days=10), scheduled_on=timezone.localdate())
    row = {r["code"]: r for r in client.get("/api/v1/prepaid/packages", HTTP_AUTHORIZATION=f"Token {key}").json()}
    expected_from = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    assert (row["FREEDOM_COMBO"]["next_price"], row["FREEDOM_COMBO"]["next_price_from"]) == (70_000, expected_from)
    assert row["FREEDOM_COMBO"]["price"] == package_price(package=combo(), day=timezone.localdate(), prime=False)
    # once the day has come (the change dated today), the API sells at the new price
    PriceChange.objects.update(effective_on=timezone.localdate(), scheduled_on=timezone.localdate() - dt.timedelta(7))
    row = {r["code"]: r for r in client.get("/api/v1/prepaid/packages", HTTP_AUTHORIZATION=f"Token {key}").json()}
    assert row["FREEDOM_COMBO"]["next_price"] is None
    assert row["FREEDOM_COMBO"]["price"] == package_price(package=combo(), day=timezone.localdate(), prime=False)
    assert package_price(package=combo(), day=timezone.localdate(), prime=False, percent=100) == 70_000


@pytest.mark.rule("PRE-08")
def test_pre08_agent_page_shows_the_announced_price(agent_client):
    card = CardFactory(balance=100_000)
    scheduled(effective_on=timezone.localdate() + dt.timedelta(days=10), scheduled_on=timezone.localdate())
    html = agent_client.get(reverse("prepaid:purchase", args=[card.line_id])).content.decode()
    date = (timezone.localdate() + dt.timedelta(days=10)).strftime("%d-%m-%Y")
    assert f"from {date}: Rp 70.000" in html


# --- announcement and apply ----------------------------------------------------------------------------------------


@pytest.mark.rule("PRE-08")
def test_pre08_announced_once_per_customer_whatever_the_consent_and_only_to_those_affected():
    # given: a customer with two cards who both bought, one who withdrew consent to offers, an English speaker;
    # one who bought another package, one whose purchase is older than 90 days, one whose card is invalid
    two_cards = CardFactory(balance=200_000)
    second = CardFactory(balance=200_000, line__customer=two_cards.line.customer)
    withdrawn = CardFactory(balance=100_000)
    english = CardFactory(balance=100_000, line__customer__language="en")
    other = CardFactory(balance=100_000)
    old = CardFactory(balance=100_000)
    invalid = CardFactory(balance=100_000)
    for card in (two_cards, second, withdrawn, english, invalid):
        bought(card)
    bought(other, package=Package.objects.get(code="HARIAN_1GB"))
    bought(old, when=dt.datetime(2026, 8, 1, 10, tzinfo=WIB))
    Card.objects.filter(pk=invalid.pk).update(state=Card.State.INVALID, balance=0)  # setup only
    marketing_consent_set(customer=withdrawn.line.customer, granted=False, channel=Channel.GRAPARI, actor=None)
    change = scheduled()
    # when the hourly job runs (in chunks of 2), twice
    for _ in range(2):
        while services.price_changes_announce_chunk(size=2).selected:
            pass
    tasks.price_changes_task(at="2026-12-01T10:15:00+07:00", force=True)
    # then
    sms = list(OutboundSms.objects.filter(template_code="prepaid_price_change").order_by("id"))
    assert sorted(s.line.customer_id for s in sms) == sorted(
        [two_cards.line.customer_id, withdrawn.line.customer_id, english.line.customer_id])
    texts = {s.line.customer_id: s for s in sms}
    indonesian = texts[two_cards.line.customer_id]
    assert indonesian.language == "id" and "mulai 20-12-2026" in indonesian.text
    assert "Rp 70.000" in indonesian.text and "Rp 65.000" in indonesian.text and "185" in indonesian.text
    assert texts[english.line.customer_id].text.startswith("IM3 Ooredoo: from 20-12-2026 the FREEDOM COMBO 14GB")
    change.refresh_from_db()
    assert change.announced_at is not None and change.announced_count == 3
    assert AuditEvent.objects.filter(verb="package.price_change_announced").count() == 1


@pytest.mark.parametrize(("today", "applied"), [(dt.date(2026, 12, 19), False), (EFFECTIVE, True)])
@pytest.mark.rule("PRE-08")
def test_pre08_job_writes_the_new_price_into_the_package_on_its_date(today, applied):
    change = scheduled()
    services.price_changes_apply_chunk(today=today)
    package = combo()
    change.refresh_from_db()
    assert (package.price == 70_000) is applied and (change.applied_at is not None) is applied
    assert AuditEvent.objects.filter(verb="package.price_changed").exists() is applied
    # the price of the day is the same either way
    assert package_price(package=package, day=EFFECTIVE, prime=False) == 70_000
    assert PackagePurchase.objects.count() == 0


@pytest.mark.rule("PRE-08")
def test_pre08_schedule_is_registered():
    from core.schedules import SCHEDULES

    assert SCHEDULES["prepaid-price-changes"].task == "prepaid.tasks.price_changes_task"


# --- admin -----------------------------------------------------------------------------------------------------------


@pytest.mark.rule("PRE-08")
def test_pre08_supervisor_schedules_in_the_admin_and_a_short_date_is_refused_with_a_message(supervisor_client):
    url = reverse("admin:prepaid_pricechange_add")
    today = timezone.localdate()
    body = {"package": combo().pk, "new_price": "70000", "new_prime_price": "", "reason": "Tariff review",
            "effective_on": (today + dt.timedelta(days=6)).isoformat()}
    response = supervisor_client.post(url, body)
    earliest = (today + dt.timedelta(days=7)).strftime("%d-%m-%Y")
    assert response.status_code == 200 and f"the earliest date is {earliest}" in response.content.decode()
    assert not PriceChange.objects.exists()
    body["effective_on"] = (today + dt.timedelta(days=7)).isoformat()
    response = supervisor_client.post(url, body)
    assert response.status_code == 302
    change = PriceChange.objects.get()
    assert change.scheduled_on == today and AuditEvent.objects.filter(verb="package.price_change_scheduled").exists()
    # an existing package's prices are read-only: they change only through a scheduled change
    html = supervisor_client.get(reverse("admin:prepaid_package_change", args=[combo().pk])).content.decode()
    assert 'name="price"' not in html


@pytest.mark.rule("PRE-08")
def test_pre08_agents_cannot_schedule(agent_client):
    assert agent_client.get(reverse("admin:prepaid_pricechange_add")).status_code in (302, 403)


@pytest.mark.rule("PRE-08")
def test_pre08_admin_lists_changes_read_only(supervisor_client):
    change = scheduled()
    assert supervisor_client.get(reverse("admin:prepaid_pricechange_changelist")).status_code == 200
    html = supervisor_client.get(reverse("admin:prepaid_pricechange_change", args=[change.pk])).content.decode()
    assert 'name="new_price"' not in html and "70000" in html.replace(".", "").replace(",", "")
