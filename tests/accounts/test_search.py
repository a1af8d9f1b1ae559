"""The one search box: every kind of query, every MSISDN form, one result → straight to the line."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block, Customer, Line
from accounts.selectors import classify_query, search
from accounts.views import SEARCH_LIMIT
from tests.accounts.factories import (
    BillingAccountFactory,
    BlockFactory,
    CustomerFactory,
    LineFactory,
    PostpaidLineFactory,
)

pytestmark = pytest.mark.django_db

NIK = "3171014101900001"


def _search(client, query, **params):
    return client.get(reverse("accounts:search"), {"q": query, **params})


@pytest.fixture
def line():
    return LineFactory(msisdn="+6281234567890", iccid="8962100000000000002",
                       customer=CustomerFactory(full_name="Dewi Lestari", id_number=NIK))


@pytest.mark.rule("ACC-02")
@pytest.mark.parametrize("query", [
    "081234567890", "6281234567890", "+6281234567890", "0812 3456 7890", "0812-3456-7890", " +62 812 3456 7890 ",
])
def test_msisdn_in_every_form_opens_the_line(agent_client, line, query):
    # when (ACC-02: 08…, 628…, +628…)
    response = _search(agent_client, query)
    # then
    assert response.status_code == 302
    assert response.url == reverse("accounts:line_detail", args=[line.pk])


def test_nik_of_a_customer_with_one_line_opens_the_line(agent_client, line):
    response = _search(agent_client, NIK)
    assert response.url == reverse("accounts:line_detail", args=[line.pk])


def test_nik_of_a_customer_with_two_lines_lists_them(agent_client, line):
    # given
    second = LineFactory(customer=line.customer)
    # when
    response = _search(agent_client, NIK)
    # then
    assert response.status_code == 200
    assert {found.pk for found in response.context["lines"]} == {line.pk, second.pk}
    assert [customer.pk for customer in response.context["customers"]] == [line.customer_id]


def test_nik_of_a_customer_without_a_line_lists_the_customer(agent_client):
    customer = CustomerFactory(id_number=NIK)
    response = _search(agent_client, NIK)
    assert response.status_code == 200
    assert response.context["lines"] == []
    assert [found.pk for found in response.context["customers"]] == [customer.pk]
    assert response.context["customers"][0].line_count == 0


def test_iccid_opens_the_line(agent_client, line):
    response = _search(agent_client, "8962 1000 0000 0000 002")
    assert response.url == reverse("accounts:line_detail", args=[line.pk])


@pytest.mark.rule("ACC-03")
def test_account_number_lists_the_samu_lines(agent_client):
    # given (ACC-03)
    account = BillingAccountFactory(number="1234567890")
    lines = PostpaidLineFactory.create_batch(3, customer=account.customer, billing_account=account)
    PostpaidLineFactory()  # another account
    # when
    response = _search(agent_client, "1234567890")
    # then
    assert response.status_code == 200
    assert {found.pk for found in response.context["lines"]} == {found.pk for found in lines}
    assert [customer.pk for customer in response.context["customers"]] == [account.customer_id]


def test_account_number_with_one_line_opens_it(agent_client):
    account = BillingAccountFactory(number="2000000042")
    line = PostpaidLineFactory(customer=account.customer, billing_account=account)
    response = _search(agent_client, "2000000042")
    assert response.url == reverse("accounts:line_detail", args=[line.pk])


def test_name_search_is_case_insensitive_finds_any_word_and_lists_results_by_name(agent_client, line):
    # given
    LineFactory(customer=CustomerFactory(full_name="Dewi Sartika"))
    CustomerFactory(full_name="Andi Dewi")  # the second word
    # when
    response = _search(agent_client, "dEWI")
    # then
    assert response.status_code == 200
    assert [customer.full_name for customer in response.context["customers"]] == [
        "Andi Dewi", "Dewi Lestari", "Dewi Sartika"]
    assert len(response.context["lines"]) == 2


def test_name_with_exactly_one_line_opens_it(agent_client, line):
    response = _search(agent_client, "Dewi Les")
    assert response.url == reverse("accounts:line_detail", args=[line.pk])


def test_passport_number_is_found(agent_client):
    customer = CustomerFactory(id_type=Customer.IdType.PASSPORT, id_number="C1234567", full_name="John Smith")
    response = _search(agent_client, "c1234567")
    assert [found.pk for found in response.context["customers"]] == [customer.pk]


def test_driving_licence_number_is_found(agent_client):
    customer = CustomerFactory(id_type=Customer.IdType.DRIVING_LICENCE, id_number="123456789012")
    line = LineFactory(customer=customer)
    response = _search(agent_client, "123456789012")
    assert response.url == reverse("accounts:line_detail", args=[line.pk])


@pytest.mark.parametrize(("query", "message"), [
    ("0812", "is not a valid mobile number"),
    ("+6221123456", "is not a mobile number"),
    ("12345", "is not a mobile number (08…, 628…, +628…), a NIK (16 digits)"),
    ("D", "Type at least 2 letters of the name."),
])
def test_malformed_input_gets_a_clear_message(agent_client, line, query, message):
    response = _search(agent_client, query)
    assert response.status_code == 200
    assert message in response.context["result"].error
    assert 'id="search-error"' in response.content.decode()
    assert response.context["lines"] == []


def test_empty_query_shows_a_hint(agent_client):
    response = _search(agent_client, "   ")
    assert response.status_code == 200
    assert response.context["result"].kind == "empty"
    assert 'id="search-hint"' in response.content.decode()


@pytest.mark.parametrize("query", ["085299999999", "Nobody", "3171014101900099", "8962100000000000051", "1999999999"])
def test_nothing_matches_says_so(agent_client, line, query):
    response = _search(agent_client, query)
    assert response.status_code == 200
    assert "Nothing matches" in response.content.decode()
    assert 'id="search-empty"' in response.content.decode()


@pytest.mark.rule("ACC-04")
def test_a_recycled_number_and_its_new_holder_are_both_listed(agent_client):
    # given (ACC-04: the number was given to another customer after quarantine)
    import datetime as dt

    old = LineFactory(msisdn="+6281234567890", status=Line.Status.RECYCLED, terminated_on=dt.date(2026, 1, 1))
    new = LineFactory(msisdn="+6281234567890")
    # when
    response = _search(agent_client, "081234567890")
    # then: active first
    assert [found.pk for found in response.context["lines"]] == [new.pk, old.pk]


def test_results_filter_by_kind_and_status(agent_client):
    # given
    customer = CustomerFactory(full_name="Rina Wijaya")
    prepaid = LineFactory(customer=customer)
    postpaid = PostpaidLineFactory(customer=customer)
    inactive = LineFactory(customer=customer, status=Line.Status.INACTIVE, activated_on=None)
    # then
    assert {line.pk for line in _search(agent_client, "Rina", kind="postpaid").context["lines"]} == {postpaid.pk}
    assert {line.pk for line in _search(agent_client, "Rina", kind="prepaid", status="active").context["lines"]} \
        == {prepaid.pk}
    assert {line.pk for line in _search(agent_client, "Rina", status="inactive").context["lines"]} == {inactive.pk}


def test_a_filter_that_leaves_one_line_does_not_jump_away(agent_client):
    customer = CustomerFactory(full_name="Rina Wijaya")
    LineFactory(customer=customer)
    postpaid = PostpaidLineFactory(customer=customer)
    response = _search(agent_client, "Rina", kind="postpaid")
    assert response.status_code == 200
    assert [line.pk for line in response.context["lines"]] == [postpaid.pk]


def test_an_unknown_filter_value_is_a_message_not_an_error(agent_client, line):
    response = _search(agent_client, "Dewi", status="exploded")
    assert response.status_code == 200
    assert response.context["lines"] == []
    assert "That filter value does not exist." in response.content.decode()


def test_results_are_capped_and_say_so(agent_client):
    customer = CustomerFactory(full_name="Agus Salim")
    LineFactory.create_batch(SEARCH_LIMIT + 1, customer=customer)
    response = _search(agent_client, "Agus")
    assert len(response.context["lines"]) == SEARCH_LIMIT == 25
    assert response.context["lines_truncated"] is True


def test_the_query_stays_in_the_box(agent_client, line):
    CustomerFactory(full_name="Dewi Sartika")
    response = _search(agent_client, "Dewi")
    assert 'value="Dewi"' in response.content.decode()


@pytest.mark.parametrize(("query", "kind"), [
    ("081234567890", "msisdn"), ("6281234567890", "msisdn"), ("+6281234567890", "msisdn"), ("0812", "msisdn"),
    (NIK, "nik"), ("8962100000000000002", "iccid"), ("89621000000000000020", "iccid"), ("1234567890", "account"),
    ("6234567890", "digits"), ("123", "digits"), ("+1 555", "digits"), ("Budi", "name"), ("C1234567", "name"),
    ("", "empty"), ("   ", "empty"),
])
def test_classify_query(query, kind):
    assert classify_query(query) == kind


def test_search_selector_normalises_the_msisdn(line):
    result = search("0812 3456 7890")
    assert (result.kind, result.normalized, result.error) == ("msisdn", "+6281234567890", "")
    assert result.single_line() == line


def test_surname_finds_the_customer(agent_client):
    # given: "Nur Saputra" was found only by "Nur" (issue 11)
    line = LineFactory(customer=CustomerFactory(full_name="Nur Saputra"))
    CustomerFactory(full_name="Dewi Saputri")
    # when / then: the surname, any case, and the start of each word all open the one line
    for query in ("Saputra", "saputra", "nur sap", "SAP NUR"):
        response = _search(agent_client, query)
        assert response.status_code == 302, query
        assert response.url == reverse("accounts:line_detail", args=[line.pk])


def test_name_results_show_the_line_status_and_open_blocks(agent_client):
    first = LineFactory(customer=CustomerFactory(full_name="Nur Saputra"))
    LineFactory(customer=first.customer)
    BlockFactory(line=first, reason=Block.Reason.LOST_SIM)
    BlockFactory(line=first, reason=Block.Reason.CUSTOMER_REQUEST, started_at=timezone.now() - dt.timedelta(days=1))
    response = _search(agent_client, "Saputra")
    rows = {row.pk: row for row in response.context["lines"]}
    assert rows[first.pk].open_block_count == 2 and rows[first.pk].open_block_reason_label == "Lost SIM reported"
    content = response.content.decode()
    assert "2 open blocks" in content and "Lost SIM reported" in content


def test_search_box_keeps_what_was_typed(agent_client):
    CustomerFactory(full_name="Nur Saputra")
    CustomerFactory(full_name="Nur Saputri")
    content = _search(agent_client, "Nur Sapu").content.decode()
    assert 'id="global-search"' in content
    box = content[content.index('id="global-search"'):]
    assert 'value="Nur Sapu"' in box[:box.index(">")]


@pytest.mark.postgres
def test_a_word_matches_only_at_the_start_of_a_word_of_the_name_on_postgres(agent_client):
    CustomerFactory(full_name="Andewi Putra")
    line = LineFactory(customer=CustomerFactory(full_name="Andi Dewi"))
    response = _search(agent_client, "dewi")
    assert response.url == reverse("accounts:line_detail", args=[line.pk])
