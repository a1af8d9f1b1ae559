"""POST /api/v1/visits/tickets: the app takes a queue number (channel `app`), idempotent by request_id."""

import pytest

from core.models import AuditEvent, Channel
from tests.accounts.factories import LineFactory, OutletFactory
from tests.api.endpoints import assert_error_shape
from tests.core.factories import make_client
from tests.visits.factories import issue, seated_agent
from visits.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/visits/tickets"


@pytest.fixture
def app_key():
    return make_client(kind="app")


def _post(client, key, body, **extra):
    return client.post(URL, body, content_type="application/json",
                       **{"HTTP_AUTHORIZATION": f"Token {key}", **extra})


def test_the_app_takes_a_number_with_its_position_and_estimated_wait(client, app_key):
    # given: two people already waiting, one agent at a counter, no service finished today (5 min each)
    app, key = app_key
    outlet = OutletFactory(code="jkt-pusat")
    seated_agent(outlet)
    issue(outlet), issue(outlet)
    line = LineFactory()
    # when
    response = _post(client, key, {"request_id": "t-1", "outlet": "jkt-pusat", "reason": "bill_payment",
                                   "msisdn": line.msisdn_national})
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["number"], body["outlet"], body["reason"], body["position"], body["estimated_wait_minutes"]) == (
        "B003", "jkt-pusat", "bill_payment", 3, 10)
    ticket = Ticket.objects.get(number="B003")
    assert (ticket.channel, ticket.customer, ticket.msisdn) == (Ticket.Channel.APP, line.customer, line.msisdn)
    event = AuditEvent.objects.get(verb="visit.ticket_issued", subject_id=str(ticket.pk))
    assert (event.channel, event.actor_label, event.outlet) == (Channel.APP, app.name, outlet)


def test_a_replay_answers_byte_for_byte_and_another_body_is_a_conflict(client, app_key):
    _app, key = app_key
    OutletFactory(code="bekasi")
    first = _post(client, key, {"request_id": "t-2", "outlet": "bekasi", "reason": "complaint"})
    replay = _post(client, key, {"request_id": "t-2", "outlet": "bekasi", "reason": "complaint"})
    assert first.status_code == replay.status_code == 200
    assert replay.content == first.content and replay["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    conflict = _post(client, key, {"request_id": "t-2", "outlet": "bekasi", "reason": "information"})
    assert assert_error_shape(conflict, 409)["code"] == "request_id_reused"
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"outlet": "bekasi", "reason": "complaint"}, "request_id"),
    ({"request_id": "x", "reason": "complaint"}, "outlet"),
    ({"request_id": "x", "outlet": "bekasi", "reason": "haircut"}, "reason"),
    ({"request_id": "x", "outlet": "bekasi", "reason": "complaint", "msisdn": "12345"}, "msisdn"),
    ({"request_id": "x", "outlet": "bek asi", "reason": "complaint"}, "outlet"),
    ({"request_id": "x" * 101, "outlet": "bekasi", "reason": "complaint"}, "request_id"),
])
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(client, app_key, body, field):
    _app, key = app_key
    OutletFactory(code="bekasi")
    error = assert_error_shape(_post(client, key, body), 400)
    assert field in error["fields"]
    assert not Ticket.objects.exists() and not AuditEvent.objects.exists()


def test_an_unknown_outlet_is_a_404_and_other_clients_are_refused(client, app_key):
    _app, key = app_key
    error = assert_error_shape(_post(client, key, {"request_id": "t-3", "outlet": "nowhere", "reason": "complaint"}),
                               404)
    assert error["code"] == "outlet_not_found"
    _charging, charging_key = make_client(kind="charging")
    OutletFactory(code="depok")
    assert_error_shape(_post(client, charging_key, {"request_id": "t-4", "outlet": "depok", "reason": "complaint"}),
                       403)
    assert_error_shape(client.post(URL, {"request_id": "t-5"}, content_type="application/json"), 401)
    assert not Ticket.objects.exists()
