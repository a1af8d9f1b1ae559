"""USSD gateway: Africa's Talking callbacks, menus as state machines over the text path, the 182-character limit."""

import io

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ussd import (
    MENUS,
    USSD_MAX_CHARS,
    InvalidInput,
    Menu,
    Option,
    Prompt,
    UssdRequest,
    end,
    normalize_service_code,
    parse_text,
    register_menu,
    ussd_answer,
    walk,
)
from tests.core.factories import make_client

pytestmark = pytest.mark.django_db


def _sample_888(request: UssdRequest):
    """A small menu for walking the dispatcher (billing's real *888# is tested in tests/billing/test_ussd.py)."""
    from core.identifiers import national_msisdn

    root = Menu(title="Welcome to *888#", options=[
        Option("My number", lambda req, state: end(f"Your number is {national_msisdn(req.msisdn)}.")),
        Option("Help", end("For help call 188 or visit a GraPARI.")),
    ])
    return walk(root, request)


@pytest.fixture(autouse=True)
def sample_888(monkeypatch):
    """These tests walk a sample menu registered as *888# for the test only (the project's one is billing's)."""
    monkeypatch.setitem(MENUS, "*888#", _sample_888)


# The menu the project registered at start-up, before the fixture replaces it for these tests.
REGISTERED_888 = MENUS.get(normalize_service_code("*888#"))


@pytest.mark.rule("LIM-10")
def test_billing_registers_the_real_888_menu():
    from billing.ussd import check_status_menu

    # core has no placeholder *888# menu of its own: the one registered at start-up is billing's
    assert REGISTERED_888 is check_status_menu


@pytest.fixture
def gateway(db):
    _client, key = make_client(kind="ussd")
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def dial(client, gateway, text="", code="*888#", phone="081234567890", session="ATUid_1"):
    return client.post("/api/v1/ussd", {"sessionId": session, "serviceCode": code, "phoneNumber": phone,
                                        "text": text}, **gateway)


def amount(value, request, state):
    if not value.isdigit() or not 10_000 <= int(value) <= 1_000_000:
        raise InvalidInput("Rp 10.000-1.000.000")
    return int(value)


TOPUP = Menu(
    title="Pulsa",
    options=[
        Option("Isi ulang", Prompt(text="Jumlah?", key="amount", parse=amount,
                                   then=Menu(title=lambda req, st: f"Isi Rp {st['amount']}?",
                                             options=[Option("Ya", lambda req, st: end(f"OK {st['amount']}")),
                                                      Option("Tidak", end("Batal"))]))),
        Option("Cek", lambda req, state: end(f"Nomor {req.msisdn}")),
    ],
)


def topup_menu(request):
    return walk(TOPUP, request)


# --- the HTTP callback ---


def test_placeholder_888_walked_end_to_end(client, gateway):
    # when
    first = dial(client, gateway)
    last = dial(client, gateway, text="1")
    # then
    assert first.status_code == 200 and first["Content-Type"].startswith("text/plain")
    assert first.content.decode().startswith("CON ") and "1." in first.content.decode()
    assert last.content.decode() == "END Your number is 081234567890."


def test_invalid_choice_shows_the_same_menu_with_an_error(client, gateway):
    first = dial(client, gateway).content.decode()
    again = dial(client, gateway, text="9").content.decode()
    assert again.startswith("CON Invalid choice.\n")
    assert again.endswith(first[len("CON "):])
    # and the session goes on after the bad answer
    assert dial(client, gateway, text="9*2").content.decode().startswith("END ")


def test_unknown_service_code_ends_with_a_message(client, gateway):
    response = dial(client, gateway, code="*123*9#")
    assert response.status_code == 200 and response.content.decode() == "END Unknown service code *123*9#."


def test_a_registered_menu_replaces_the_placeholder(client, gateway):
    register_menu("*888#", lambda req: end("billing menu"))
    assert dial(client, gateway).content.decode() == "END billing menu"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"serviceCode": "*888#", "phoneNumber": "081234567890", "text": ""}, "sessionId"),
        ({"sessionId": "s", "phoneNumber": "081234567890", "text": ""}, "serviceCode"),
        ({"sessionId": "s", "serviceCode": "*888#", "text": ""}, "phoneNumber"),
        ({"sessionId": "s", "serviceCode": "*888#", "phoneNumber": "12345", "text": ""}, "phoneNumber"),
        ({"sessionId": "s" * 101, "serviceCode": "*888#", "phoneNumber": "081234567890"}, "sessionId"),
    ],
)
def test_bad_callbacks_are_400(client, gateway, data, field):
    response = client.post("/api/v1/ussd", data, **gateway)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_only_ussd_clients_and_authenticated(client):
    _client, app_key = make_client(kind="app")
    assert client.post("/api/v1/ussd", {}, HTTP_AUTHORIZATION=f"Token {app_key}").status_code == 403
    assert client.post("/api/v1/ussd", {}).status_code == 401


def test_phone_number_in_international_form(client, gateway):
    response = dial(client, gateway, text="1", phone="+6281234567890")
    assert response.content.decode() == "END Your number is 081234567890."


# --- the state machine ---


def request(*inputs):
    return UssdRequest(session_id="s", service_code="*500#", msisdn="+6281234567890", inputs=list(inputs))


def test_menu_walked_through_prompt_and_confirmation():
    assert topup_menu(request()).render() == "CON Pulsa\n1. Isi ulang\n2. Cek"
    assert topup_menu(request("1")).render() == "CON Jumlah?"
    assert topup_menu(request("1", "50000")).render() == "CON Isi Rp 50000?\n1. Ya\n2. Tidak"
    assert topup_menu(request("1", "50000", "1")).render() == "END OK 50000"
    assert topup_menu(request("1", "50000", "2")).render() == "END Batal"
    assert topup_menu(request("2")).render() == "END Nomor +6281234567890"


@pytest.mark.parametrize(("value", "screen"), [("9999", "CON Rp 10.000-1.000.000\nJumlah?"),
                                               ("10000", "CON Isi Rp 10000?\n1. Ya\n2. Tidak"),
                                               ("1000000", "CON Isi Rp 1000000?\n1. Ya\n2. Tidak"),
                                               ("1000001", "CON Rp 10.000-1.000.000\nJumlah?"),
                                               ("", "CON Rp 10.000-1.000.000\nJumlah?"),
                                               ("abc", "CON Rp 10.000-1.000.000\nJumlah?")])
def test_prompt_validation_at_its_boundaries(value, screen):
    assert topup_menu(request("1", value)).render() == screen


def test_invalid_inputs_are_consumed_and_the_walk_continues():
    assert topup_menu(request("7", "0", "1", "abc", "20000", "1")).render() == "END OK 20000"


@pytest.mark.parametrize("choice", ["0", "3", "-1", "1.0", " ", "**"])
def test_invalid_choices(choice):
    assert topup_menu(request(choice)).render().startswith("CON Invalid choice.\nPulsa")


def test_parse_text():
    assert parse_text("") == [] and parse_text("1") == ["1"] and parse_text("1*50000*1") == ["1", "50000", "1"]


# --- the 182-character limit --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("length", "pages"), [(178, 1), (179, 2), (400, 3)])
def test_long_screens_are_paged_never_cut(length, pages):
    # given: "END " + text; 178 characters of text make exactly 182; longer text is paged with "98 More"
    text = " ".join(["Kalimat pendek sekali."] * (length // 23 + 1))[:length].rstrip()
    register_menu("*1#", lambda req: end(text))
    # when the subscriber dials, then answers 98 on every page
    screens = [ussd_answer(session_id="s", service_code="*1#", msisdn="+6281234567890", text="*".join(["98"] * n))
               for n in range(pages)]
    # then every page fits, none is cut, every page but the last offers 98, and nothing is lost
    assert all(len(screen) <= USSD_MAX_CHARS and "…" not in screen for screen in screens)
    assert [screen.endswith("\n98 More") for screen in screens] == [True] * (pages - 1) + [False]
    assert screens[-1].startswith("END ")
    body = " ".join(screen[4:].removesuffix("\n98 More") for screen in screens)
    assert body.split() == text.split()


def test_a_paged_menu_takes_its_answer_after_the_page_turns():
    # given a menu whose title needs two pages
    menu = Menu(title="Judul panjang. " * 14, options=[Option("Ya", end("OK")), Option("Tidak", end("Batal"))])
    register_menu("*4#", lambda req: walk(menu, req))
    first = ussd_answer(session_id="s", service_code="*4#", msisdn="+62", text="")
    second = ussd_answer(session_id="s", service_code="*4#", msisdn="+62", text="98")
    # then the options are on the last page and answering there works
    assert first.endswith("98 More") and "1. Ya" in second
    assert ussd_answer(session_id="s", service_code="*4#", msisdn="+62", text="98*1") == "END OK"


def test_a_crashing_menu_ends_politely(caplog):
    def broken(request):
        raise ZeroDivisionError

    register_menu("*2#", broken)
    screen = ussd_answer(session_id="s", service_code="*2#", msisdn="+6281234567890", text="1")
    assert screen.startswith("END ") and "try again" in screen


def test_a_menu_returning_nonsense_ends_politely():
    register_menu("*3#", lambda req: "CON raw")
    assert ussd_answer(session_id="s", service_code="*3#", msisdn="+62", text="").startswith("END ")


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet="0123456789*# a", max_size=40))
def test_any_path_through_a_menu_gives_a_valid_screen(text):
    MENUS["*500#"] = topup_menu
    screen = ussd_answer(session_id="s", service_code="*500#", msisdn="+6281234567890", text=text)
    assert screen[:4] in {"CON ", "END "} and len(screen) <= USSD_MAX_CHARS


# --- ussd_simulate ---


def test_simulate_with_inputs():
    out = io.StringIO()
    call_command("ussd_simulate", "*888#", "08123456789", "--inputs", "5*1", stdout=out)
    text = out.getvalue()
    assert "CON Welcome to *888#" in text and "CON Invalid choice." in text
    assert "END Your number is 08123456789." in text


def test_simulate_reads_answers_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("2\n"))
    out = io.StringIO()
    call_command("ussd_simulate", "*888#", "08123456789", stdout=out)
    assert "> 2" in out.getvalue() and "END For help call 188" in out.getvalue()


def test_simulate_ends_when_stdin_ends(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    out = io.StringIO()
    call_command("ussd_simulate", "*888#", "08123456789", stdout=out)
    assert "abandoned" in out.getvalue()


def test_simulate_refuses_a_bad_number():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("ussd_simulate", "*888#", "12345", stdout=io.StringIO())
