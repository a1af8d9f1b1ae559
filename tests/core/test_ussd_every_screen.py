"""Every USSD screen of every menu fits 182 characters and no sentence is cut (issue 13: *111*11#).

Walks each menu (*888#, *111*11#, *500*777#) for customers in the states that change its texts, in both
languages, answering every option, a page turn, a wrong input and a few amounts on every screen."""

import datetime as dt
import re

import pytest
from django.utils import translation

from accounts.models import Block
from billing.models import BasicPackage, LinePackage
from core.dates import local_today
from core.ussd import USSD_MAX_CHARS, ussd_answer
from tests.accounts.factories import LineFactory
from tests.billing.factories import BillFactory, block, open_line, set_limit
from tests.protection.factories import enroll, postpaid_line_with_device

pytestmark = pytest.mark.django_db

AMOUNTS = ["abc", "1", "400000", "750000", "2600000", "6000000"]


def _answers(screen: str) -> list[str]:
    options = re.findall(r"^(\d+)\. ", screen, flags=re.MULTILINE)
    if screen.rstrip().endswith(("98 More", "98 Lagi")):
        options.append("98")
    return [*options, "x"] if options else AMOUNTS


def _walk(code: str, msisdn: str, depth: int = 4) -> list[tuple[str, str]]:
    seen, screens, paths = set(), [], [""]
    for _level in range(depth + 1):
        next_paths = []
        for path in paths:
            screen = ussd_answer(session_id="walk", service_code=code, msisdn=msisdn, text=path)
            screens.append((path, screen))
            if screen.startswith("CON ") and screen not in seen:
                seen.add(screen)
                next_paths += [f"{path}*{answer}" if path else answer for answer in _answers(screen)]
        paths = next_paths[:40]
    return screens


def _customers() -> dict[str, str]:
    today = local_today()
    tenured = open_line(today=today, activated_on=dt.date(2024, 1, 1))
    new = open_line(today=today, activated_on=today - dt.timedelta(days=40))  # tenure < 3 months: no upgrade
    raised = open_line(today=today, activated_on=today - dt.timedelta(days=40))
    set_limit(raised, 500_000)  # may go down to 300.000 only
    policy = open_line(today=today, activated_on=dt.date(2024, 1, 1))
    LinePackage.objects.filter(line=policy).update(package=BasicPackage.objects.filter(
        regular_customer_policy=True).first())
    BillFactory(billing_account=policy.billing_account, issued_on=today - dt.timedelta(days=40),
                due_date=today - dt.timedelta(days=20))  # outstanding and late
    barred = open_line(today=today)
    block(barred, Block.Reason.CUSTOMER_REQUEST)
    enrolled = enroll(postpaid_line_with_device(), start=today - dt.timedelta(days=20), channel="umb").line
    return {"tenured": tenured.msisdn, "new": new.msisdn, "raised": raised.msisdn, "policy": policy.msisdn,
            "barred": barred.msisdn, "device": postpaid_line_with_device().msisdn, "enrolled": enrolled.msisdn,
            "prepaid": LineFactory().msisdn, "unknown": "+6281999999999"}


@pytest.mark.parametrize("language", ["id", "en"])
def test_ussd_every_screen_of_every_menu_fits_182_characters_uncut(language):
    customers = _customers()
    with translation.override(language):
        for code in ("*888#", "*111*11#", "*500*777#"):
            for who, msisdn in customers.items():
                for path, screen in _walk(code, msisdn):
                    assert screen[:4] in ("CON ", "END "), (code, who, path, screen)
                    assert len(screen) <= USSD_MAX_CHARS, (code, who, path, len(screen), screen)
                    assert "…" not in screen, (code, who, path, screen)


def test_ussd_111_11_error_screen_is_whole_and_states_the_same_range_as_the_prompt():
    # given a line whose upgrade is blocked (tenure < 3 months) and whose limit may only go down to 300.000
    today = local_today()
    line = open_line(today=today, activated_on=today - dt.timedelta(days=40))
    set_limit(line, 500_000)
    with translation.override("id"):
        prompt = ussd_answer(session_id="s", service_code="*111*11#", msisdn=line.msisdn, text="")
        # when asking for more than the prompt allows, and less than the minimum
        above = ussd_answer(session_id="s", service_code="*111*11#", msisdn=line.msisdn, text="1000000")
        below = ussd_answer(session_id="s", service_code="*111*11#", msisdn=line.msisdn, text="100000")
    # then the prompt's range is Rp 300.000–Rp 500.000, and no error states another one
    assert "Rp 300.000-Rp 500.000" in prompt
    assert "1.000.000" not in above and "5.000.000" not in above
    assert "Rp 300.000" in below and "Rp 500.000" in below and "1.000.000" not in below
    # and the reason is a whole sentence (it ended mid-sentence at 90 characters before)
    reason = above[4:].split("\n")[0]
    assert reason.endswith(".") and len(above) <= USSD_MAX_CHARS


def test_ussd_111_11_no_possible_change_says_why_instead_of_a_one_value_range():
    # given a new line at the minimum: it can neither go up (LIM-07) nor down (LIM-09)
    today = local_today()
    line = open_line(today=today, activated_on=today - dt.timedelta(days=40))
    with translation.override("en"):
        screen = ussd_answer(session_id="s", service_code="*111*11#", msisdn=line.msisdn, text="")
    # then not "Allowed Rp 300.000-Rp 300.000" but the reason
    assert screen.startswith("END ") and "Rp 300.000-Rp 300.000" not in screen
    assert "cannot be raised now" in screen and "1 month old" in screen and "needs 3 months" in screen
