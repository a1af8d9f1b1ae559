import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.identifiers import make_iccid
from accounts.models import Block, Customer, Line
from core.models import AuditEvent, Channel, Parameter
from core.verdicts import RuleViolation
from prepaid import services
from prepaid.ledger_checks import ledger_mismatches
from prepaid.models import Card, Denomination, LedgerEntry, Package, PackagePurchase, SimReplacement, TariffDay
from prepaid.selectors import package_price, tariff_percent
from tests.accounts.factories import CustomerFactory, LineFactory, PostpaidLineFactory
from tests.prepaid.factories import CardFactory, area, prime

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)  # a Wednesday
NOON = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)


def codes(excinfo) -> list[str]:
    return excinfo.value.codes


# ---------------------------------------------------------------------------------------- catalogue


@pytest.mark.rule("PRE-02", "PRE-04", "PRE-05", "PRM-01")
def test_catalogue_is_seeded_and_editable_data():
    # PRE-02, PRE-05, PRE-04, PRM-01: the Decisions live in data, not code
    assert Denomination.objects.get(amount=10000).validity_days == 15
    assert set(Package.objects.filter(monthly_data=True).values_list("code", flat=True)) == {
        "FREEDOM_COMBO", "FREEDOM_PLUS", "UNLIMITED"}
    assert Package.objects.get(code="UNLIMITED").prime_price == 85000
    values = dict(Parameter.objects.filter(code__startswith="prepaid_").values_list("code", "value"))
    assert values["prepaid_grace_days"] == 30
    assert values["prepaid_balance_floor"] == 3000
    assert values["prepaid_sms_per_day"] == 1000
    assert values["prepaid_sms_per_hour"] == 200


@pytest.mark.rule("PRE-06")
def test_pre06_weekend_and_special_day_prices():
    """PRE-06: tariffs differ on weekends and special days in the catalogue's calendar."""
    # given
    package = Package.objects.get(code="FREEDOM_COMBO")
    Parameter.objects.filter(code="prepaid_weekend_price_percent").update(value=110)
    TariffDay.objects.create(date=dt.date(2026, 6, 13), name="Special Saturday", price_percent=150)
    # then: weekday normal, Sunday weekend tariff, the special day wins over the weekend
    assert tariff_percent(dt.date(2026, 6, 12)) == 100
    assert package_price(package=package, day=dt.date(2026, 6, 12), prime=False) == 65000
    assert package_price(package=package, day=dt.date(2026, 6, 14), prime=False) == 71500
    assert package_price(package=package, day=dt.date(2026, 6, 13), prime=False) == 97500


@pytest.mark.rule("PRM-04")
def test_prm04_prime_special_price_on_unlimited():
    unlimited = Package.objects.get(code="UNLIMITED")
    assert package_price(package=unlimited, day=TODAY, prime=False) == 100000
    assert package_price(package=unlimited, day=TODAY, prime=True) == 85000


# ---------------------------------------------------------------------------------------- activation PRE-01


@pytest.mark.rule("PRE-01")
def test_pre01_activation_needs_verified_registration(agent):
    # given
    card = CardFactory(state=Card.State.INACTIVE, active_until=None,
                       line__customer=CustomerFactory(verification=Customer.Verification.PENDING))
    # when
    with pytest.raises(RuleViolation) as excinfo:
        services.card_activate(card=card, area=area(), actor=agent, today=TODAY)
    # then
    assert codes(excinfo) == ["registration_required"]
    assert Card.objects.get(pk=card.pk).state == Card.State.INACTIVE


@pytest.mark.rule("PRE-01")
def test_pre01_activation_only_in_the_pack_area(agent):
    card = CardFactory(state=Card.State.INACTIVE, active_until=None)
    with pytest.raises(RuleViolation) as excinfo:
        services.card_activate(card=card, area=area("jatim"), actor=agent, today=TODAY)
    assert codes(excinfo) == ["wrong_activation_area"]


@pytest.mark.rule("PRE-01")
def test_pre01_activation_in_area_starts_active_period(agent):
    # given
    line = LineFactory(status=Line.Status.INACTIVE, activated_on=None)
    card = services.card_create(line=line, activation_area=area(), actor=agent)
    # when
    services.card_activate(card=card, area=area(), actor=agent, today=TODAY)
    # then
    card.refresh_from_db()
    line.refresh_from_db()
    assert card.state == Card.State.ACTIVE
    assert card.active_until == TODAY + dt.timedelta(days=30)
    assert line.status == Line.Status.ACTIVE and line.activated_on == TODAY
    assert AuditEvent.objects.filter(line=line, verb="prepaid.card_activated").count() == 1


@pytest.mark.rule("PRE-01")
def test_card_only_for_prepaid_lines(agent):
    with pytest.raises(RuleViolation) as excinfo:
        services.card_create(line=PostpaidLineFactory(), activation_area=area(), actor=agent)
    assert codes(excinfo) == ["not_prepaid"]


# ---------------------------------------------------------------------------------------- top-ups PRE-02


@pytest.mark.rule("PRE-02")
def test_pre02_topup_extends_active_period_by_denomination_validity(agent):
    # given
    card = CardFactory(active_until=dt.date(2026, 6, 20), balance=1000)
    # when
    entry = services.topup_apply(card=card, amount=10000, reference="r-1", channel=Channel.GRAPARI, actor=agent,
                                 today=TODAY)
    # then
    card.refresh_from_db()
    assert card.active_until == dt.date(2026, 7, 5)  # 20 Jun + 15 days
    assert card.balance == 11000 and entry.balance_after == 11000 and entry.kind == LedgerEntry.Kind.TOPUP
    assert AuditEvent.objects.filter(line=card.line, verb="prepaid.topup").count() == 1
    assert ledger_mismatches() == []


@pytest.mark.rule("PRE-02")
def test_pre02_topup_on_last_grace_day_returns_card_to_active(agent):
    # given: active until 10 May, grace until 9 Jun... the 30th grace day is grace_until
    card = CardFactory(state=Card.State.GRACE, active_until=dt.date(2026, 5, 11), grace_until=TODAY)
    # when
    services.topup_apply(card=card, amount=5000, reference="r-grace", channel=Channel.APP, today=TODAY)
    # then
    card.refresh_from_db()
    assert card.state == Card.State.ACTIVE
    assert card.active_until == TODAY + dt.timedelta(days=7)
    assert card.grace_until is None


@pytest.mark.rule("PRE-02")
def test_pre02_topup_is_idempotent_by_reference(agent):
    card = CardFactory()
    first = services.topup_apply(card=card, amount=10000, reference="same", channel=Channel.API, today=TODAY)
    again = services.topup_apply(card=card, amount=10000, reference="same", channel=Channel.API, today=TODAY)
    assert first.pk == again.pk
    card.refresh_from_db()
    assert card.balance == 10000 and card.ledger.count() == 1
    # the same reference with another amount is refused, nothing written
    with pytest.raises(RuleViolation) as excinfo:
        services.topup_apply(card=card, amount=25000, reference="same", channel=Channel.API, today=TODAY)
    assert codes(excinfo) == ["reference_reused"]
    assert card.ledger.count() == 1


@pytest.mark.rule("PRE-02")
def test_pre02_topup_replay_is_marked_and_another_channel_or_card_is_refused():
    card = CardFactory(active_until=dt.date(2026, 6, 20))
    first = services.topup_apply(card=card, amount=10000, reference="same", channel=Channel.API, today=TODAY)
    again = services.topup_by_msisdn(msisdn=card.line.msisdn, amount=10000, reference="same", channel=Channel.API,
                                     today=TODAY)
    assert (first.replayed, again.replayed) == (False, True) and again.pk == first.pk
    assert first.active_until == again.active_until == dt.date(2026, 7, 5)
    for change in ({"channel": Channel.APP}, {"card": CardFactory()}):
        with pytest.raises(RuleViolation) as excinfo:
            services.topup_apply(**{"card": card, "amount": 10000, "reference": "same", "channel": Channel.API,
                                    "today": TODAY, **change})
        assert codes(excinfo) == ["reference_reused"]
    # a reference that another kind of entry holds is refused too
    services.ledger_adjust(card=card, amount=500, reference="fix", actor=None, reason="goodwill")
    with pytest.raises(RuleViolation) as excinfo:
        services.topup_apply(card=card, amount=10000, reference="adj:fix", channel=Channel.API, today=TODAY)
    assert codes(excinfo) == ["reference_reused"]
    assert card.ledger.count() == 2 and AuditEvent.objects.filter(verb="prepaid.topup").count() == 1
    assert ledger_mismatches() == []


def test_topup_by_an_unknown_number_is_refused():
    with pytest.raises(RuleViolation) as excinfo:
        services.topup_by_msisdn(msisdn="+6281299999999", amount=10000, reference="x", channel=Channel.API)
    assert codes(excinfo) == ["card_not_found"]


@pytest.mark.rule("PRE-02")
def test_pre02_invalid_card_cannot_be_topped_up():
    card = CardFactory(state=Card.State.INVALID, active_until=dt.date(2026, 1, 1), grace_until=dt.date(2026, 1, 31))
    with pytest.raises(RuleViolation) as excinfo:
        services.topup_apply(card=card, amount=10000, reference="x", channel=Channel.API, today=TODAY)
    assert codes(excinfo) == ["card_invalid"]
    assert not LedgerEntry.objects.filter(card=card).exists()


@pytest.mark.rule("PRE-02")
@pytest.mark.parametrize("amount", [0, -5000, 7000, 10001])
def test_topup_only_catalogue_denominations(amount):
    card = CardFactory()
    with pytest.raises(RuleViolation) as excinfo:
        services.topup_apply(card=card, amount=amount, reference="x", channel=Channel.API, today=TODAY)
    assert codes(excinfo) == ["unknown_denomination"]


def test_topup_needs_a_reference():
    with pytest.raises(RuleViolation) as excinfo:
        services.topup_apply(card=CardFactory(), amount=10000, reference="  ", channel=Channel.API, today=TODAY)
    assert codes(excinfo) == ["reference_required"]


# ---------------------------------------------------------------------------------------- purchases PRE-05


@pytest.mark.rule("PRE-05")
def test_pre05_purchase_leaving_exactly_3000_is_allowed(agent):
    # given: FREEDOM COMBO costs 65.000 on a Wednesday
    card = CardFactory(balance=68000)
    # when
    purchase = services.package_purchase(card=card, package_code="FREEDOM_COMBO", reference="p1",
                                         channel=Channel.GRAPARI, actor=agent, now=NOON)
    # then
    card.refresh_from_db()
    assert card.balance == 3000
    assert purchase.price == 65000 and purchase.entry.amount == -65000 and purchase.entry.balance_after == 3000
    assert purchase.valid_until == TODAY + dt.timedelta(days=30)
    assert not purchase.rollover
    assert AuditEvent.objects.filter(line=card.line, verb="prepaid.package_bought").count() == 1


@pytest.mark.rule("PRE-05")
def test_pre05_purchase_leaving_2999_is_refused():
    card = CardFactory(balance=67999)
    with pytest.raises(RuleViolation) as excinfo:
        services.package_purchase(card=card, package_code="FREEDOM_COMBO", reference="p1", channel=Channel.API,
                                  now=NOON)
    assert codes(excinfo) == ["balance_floor"]
    card.refresh_from_db()
    assert card.balance == 67999 and not PackagePurchase.objects.exists()


@pytest.mark.rule("PRE-02")
@pytest.mark.parametrize("state", [Card.State.GRACE, Card.State.INACTIVE])
def test_purchase_refused_when_card_not_active(state):
    card = CardFactory(state=state, balance=0 if state == Card.State.INACTIVE else 100000,
                       active_until=dt.date(2026, 6, 1))
    with pytest.raises(RuleViolation) as excinfo:
        services.package_purchase(card=card, package_code="HARIAN_1GB", reference="p1", channel=Channel.API, now=NOON)
    assert codes(excinfo)[0] == "card_not_active"


def test_purchase_refused_when_line_blocked(supervisor):
    card = CardFactory(balance=100000)
    services.card_block(card=card, reason=Block.Reason.MISUSE, actor=supervisor, note="resold SIMs")
    with pytest.raises(RuleViolation) as excinfo:
        services.package_purchase(card=card, package_code="HARIAN_1GB", reference="p1", channel=Channel.API, now=NOON)
    assert codes(excinfo) == ["line_blocked"]


@pytest.mark.parametrize("code", ["NOPE", "", "freedom_combo"])
def test_purchase_unknown_package(code):
    with pytest.raises(RuleViolation) as excinfo:
        services.package_purchase(card=CardFactory(balance=100000), package_code=code, reference="p1",
                                  channel=Channel.API, now=NOON)
    assert codes(excinfo) == ["unknown_package"]


@pytest.mark.rule("PRM-04")
def test_prm04_prime_gets_special_price_and_rollover():
    card = CardFactory(balance=100000)
    prime(card)
    purchase = services.package_purchase(card=card, package_code="UNLIMITED", reference="p1", channel=Channel.APP,
                                         now=NOON)
    assert purchase.price == 85000 and purchase.rollover
    card.refresh_from_db()
    assert card.balance == 15000


def test_purchase_replay_returns_first_purchase():
    card = CardFactory(balance=100000)
    first = services.package_purchase(card=card, package_code="HARIAN_1GB", reference="p1", channel=Channel.API,
                                      now=NOON)
    again = services.package_purchase(card=card, package_code="HARIAN_1GB", reference="p1", channel=Channel.API,
                                      now=NOON)
    assert first.pk == again.pk
    card.refresh_from_db()
    assert card.balance == 95000


# ---------------------------------------------------------------------------------------- SIM replacement PRE-03

_IMSI = iter(range(900_000_000, 900_100_000))


def _replace(card, agent, **kwargs):
    """ACC-10: a passed identity check first, then the replacement with a fresh IMSI."""
    from accounts.identifiers import make_imsi
    from accounts.services import identity_check_record

    check = identity_check_record(line=card.line, method="ktp_nik", result="passed", actor=agent)
    return services.sim_replace(card=card, identity_check=check, new_imsi=make_imsi(next(_IMSI)), actor=agent, **kwargs)



@pytest.mark.rule("PRE-03")
def test_pre03_sim_replacement_charges_fee_keeps_number_and_balance(agent):
    # given
    card = CardFactory(balance=50000)
    old_iccid = card.line.iccid
    new_iccid = make_iccid(900_000_001)
    # when
    replacement = _replace(card, agent, new_iccid=new_iccid, reason="damaged", note="cracked")
    # then
    card.refresh_from_db()
    line = Line.objects.get(pk=card.line_id)
    assert line.iccid == new_iccid and line.msisdn == card.line.msisdn
    assert replacement.old_iccid == old_iccid and replacement.fee == 10000 and not replacement.free_with_prime
    assert card.balance == 40000 and replacement.entry.kind == LedgerEntry.Kind.SIM_REPLACEMENT_FEE
    event = AuditEvent.objects.get(line=line, verb="line.sim_replaced")
    assert event.old["iccid"] == old_iccid and event.new["iccid"] == new_iccid and event.new["fee"] == 10000


@pytest.mark.rule("PRM-04")
def test_prm04_sim_replacement_free_with_prime_and_no_topup_needed(agent):
    # given: a Prime card with no balance whose SIM was reported lost
    card = CardFactory(balance=0)
    prime(card)
    from accounts.services import line_report_lost

    line_report_lost(line=card.line, actor=agent, statement_number="LS-1", identity_copy_received=True)
    # when
    replacement = _replace(card, agent, new_iccid=make_iccid(900_000_002), reason="lost")
    # then
    assert replacement.fee == 0 and replacement.free_with_prime and replacement.entry is None
    assert not Block.objects.filter(line=card.line, ended_at__isnull=True).exists()
    assert SimReplacement.objects.count() == 1


@pytest.mark.rule("PRE-03")
def test_pre03_fee_above_balance_is_refused(agent):
    card = CardFactory(balance=9999)
    with pytest.raises(RuleViolation) as excinfo:
        _replace(card, agent, new_iccid=make_iccid(900_000_003), reason="lost")
    assert codes(excinfo) == ["balance_insufficient"]
    assert Line.objects.get(pk=card.line_id).iccid == card.line.iccid


@pytest.mark.rule("PRE-03")
@pytest.mark.parametrize("iccid,code", [("123", "iccid_invalid"), ("8962100000000000001", "iccid_invalid")])
def test_sim_replacement_bad_iccid(agent, iccid, code):
    with pytest.raises(RuleViolation) as excinfo:
        _replace(CardFactory(balance=50000), agent, new_iccid=iccid, reason="lost")
    assert codes(excinfo) == [code]


@pytest.mark.rule("PRE-03")
def test_sim_replacement_iccid_in_use(agent):
    other = LineFactory()
    with pytest.raises(RuleViolation) as excinfo:
        _replace(CardFactory(balance=50000), agent, new_iccid=other.iccid, reason="lost")
    assert codes(excinfo) == ["iccid_taken"]


# ---------------------------------------------------------------------------------------- blocks PRE-04


@pytest.mark.rule("PRE-04")
def test_pre04_institution_request_needs_its_reference(supervisor):
    card = CardFactory()
    with pytest.raises(RuleViolation) as excinfo:
        services.card_block(card=card, reason=Block.Reason.INSTITUTION_REQUEST, actor=supervisor, note="police")
    assert codes(excinfo) == ["reference_required"]
    block = services.card_block(card=card, reason=Block.Reason.INSTITUTION_REQUEST, actor=supervisor,
                                note="police", reference="POL/123/2026")
    assert block.reference == "POL/123/2026"
    assert AuditEvent.objects.filter(line=card.line, verb="line.blocked").count() == 1


@pytest.mark.rule("PRE-04")
def test_pre04_only_prepaid_reasons(supervisor):
    with pytest.raises(RuleViolation) as excinfo:
        services.card_block(card=CardFactory(), reason=Block.Reason.UNPAID_BILL, actor=supervisor, note="x")
    assert codes(excinfo) == ["reason_invalid"]


@pytest.mark.rule("PRE-04")
def test_pre04_agent_cannot_block_for_illegal_activity(agent):
    with pytest.raises(RuleViolation) as excinfo:
        services.card_block(card=CardFactory(), reason=Block.Reason.ILLEGAL_ACTIVITY, actor=agent, note="x")
    assert codes(excinfo) == ["supervisor_only"]


@pytest.mark.rule("PRE-04")
def test_unblock(supervisor):
    card = CardFactory()
    block = services.card_block(card=card, reason=Block.Reason.MISUSE, actor=supervisor, note="x")
    services.card_unblock(card=card, block=block, actor=supervisor, note="cleared")
    assert Block.objects.get(pk=block.pk).ended_at is not None


# ---------------------------------------------------------------------------------------- ledger check


def test_verify_ledgers_passes_and_fails(capsys):
    # given
    card = CardFactory(balance=5000)
    services.topup_apply(card=card, amount=10000, reference="t", channel=Channel.API, today=TODAY)
    call_command("verify_ledgers")
    # when: someone changes a balance behind the ledger's back
    Card.objects.filter(pk=card.pk).update(balance=1)
    # then
    with pytest.raises(CommandError):
        call_command("verify_ledgers")
    assert [m.card_id for m in ledger_mismatches()] == [card.pk]


def test_balance_never_negative_in_database():
    from django.db import IntegrityError

    card = CardFactory()
    with pytest.raises(IntegrityError):
        Card.objects.filter(pk=card.pk).update(balance=-1)


def test_adjustment_by_supervisor(supervisor):
    card = CardFactory(balance=5000)
    services.ledger_adjust(card=card, amount=-2000, reference="fix-1", actor=supervisor, reason="double charge")
    card.refresh_from_db()
    assert card.balance == 3000 and ledger_mismatches() == []
    with pytest.raises(RuleViolation) as excinfo:
        services.ledger_adjust(card=card, amount=-3001, reference="fix-2", actor=supervisor, reason="x")
    assert codes(excinfo) == ["balance_insufficient"]
