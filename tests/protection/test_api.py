import datetime as dt

import pytest

from core.models import AuditEvent
from protection.models import Claim, LineDevice, Reimbursement
from protection.services import claim_file
from tests.accounts.factories import PostpaidLineFactory
from tests.core.factories import make_client
from tests.protection.factories import enroll, new_imei

pytestmark = pytest.mark.django_db


def _auth(kind):
    client, key = make_client(kind=kind)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def _post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


# --- POST /api/v1/lines/{msisdn}/device ------------------------------------------------------------------------------


def test_network_client_sets_the_device_and_replay_returns_the_first_answer(client):
    line = PostpaidLineFactory()
    headers = _auth("network")
    imei = new_imei()
    url = f"/api/v1/lines/{line.msisdn_national}/device"
    # when
    first = _post(client, url, {"request_id": "r1", "imei": imei}, headers)
    again = _post(client, url, {"request_id": "r1", "imei": imei}, headers)
    other = _post(client, url, {"request_id": "r1", "imei": new_imei()}, headers)
    # then
    assert first.status_code == 200 and first.json()["imei"] == imei and first.json()["msisdn"] == line.msisdn
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert other.status_code == 409 and other.json()["error"]["code"] == "request_id_reused"
    assert LineDevice.objects.get(line=line).imei == imei
    event = AuditEvent.objects.get(verb="protection.device_seen")
    assert event.channel == "api" and event.actor_label.startswith("client-")


@pytest.mark.parametrize(("body", "field"), [
    ({"request_id": "r", "imei": "123"}, "imei"),
    ({"request_id": "r", "imei": "350000000000001"}, "imei"),
    ({"request_id": "r"}, "imei"),
    ({"imei": "350000000000000"}, "request_id"),
])
def test_device_bad_input_is_400_and_writes_nothing(client, body, field):
    line = PostpaidLineFactory()
    response = _post(client, f"/api/v1/lines/{line.msisdn}/device", body, _auth("network"))
    assert response.status_code == 400 and field in response.json()["error"]["fields"]
    assert not LineDevice.objects.exists()


def test_device_unknown_number_is_404_bad_number_400_and_other_clients_403(client):
    imei = new_imei()
    assert _post(client, "/api/v1/lines/081299999999/device", {"request_id": "a", "imei": imei},
                 _auth("network")).status_code == 404
    assert _post(client, "/api/v1/lines/12345/device", {"request_id": "b", "imei": imei},
                 _auth("network")).status_code == 400
    line = PostpaidLineFactory()
    assert _post(client, f"/api/v1/lines/{line.msisdn}/device", {"request_id": "c", "imei": imei},
                 _auth("partner")).status_code == 403
    assert _post(client, f"/api/v1/lines/{line.msisdn}/device", {"request_id": "c", "imei": imei},
                 {}).status_code in (401, 403)
    assert not LineDevice.objects.exists()


# --- POST /api/v1/claims/{id}/events --------------------------------------------------------------------------------


def _claim() -> Claim:
    enrollment = enroll(start=dt.date(2026, 3, 2))
    return claim_file(enrollment=enrollment, imei=enrollment.imei, damage="Screen", today=dt.date(2026, 4, 1),
                      actor_label="t")


def test_partner_moves_a_claim_through_its_workflow(client):
    claim = _claim()
    headers = _auth("partner")
    url = f"/api/v1/claims/{claim.pk}/events"
    steps = [{"event": "fee_paid"}, {"event": "picked_up", "on": "2026-04-03"}, {"event": "at_repair"},
             {"event": "shipping_reimbursement", "amount": 25_000, "on": "2026-04-03"},
             {"event": "returned", "repair_cost": 1_000_001, "on": "2026-04-08"}, {"event": "reimbursement_paid"},
             {"event": "closed"}]
    for index, step in enumerate(steps):
        response = _post(client, url, {"request_id": f"e{index}", **step}, headers)
        assert response.status_code == 200, response.json()
    data = response.json()["claim"]
    assert data["status"] == "closed" and data["customer_excess"] == 1 and data["covered_amount"] == 1_000_000
    assert data["reimbursement"]["status"] == "paid"
    assert AuditEvent.objects.filter(subject_type="protection.claim", channel="api").count() == len(steps)


def test_event_not_allowed_now_is_409_with_the_current_state_and_replays(client):
    claim = _claim()
    headers = _auth("partner")
    url = f"/api/v1/claims/{claim.pk}/events"
    response = _post(client, url, {"request_id": "x1", "event": "returned", "repair_cost": 10}, headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"
    assert response.json()["error"]["current_status"] == "filed"
    replay = _post(client, url, {"request_id": "x1", "event": "returned", "repair_cost": 10}, headers)
    assert replay.status_code == 409 and replay["Idempotent-Replayed"] == "true"
    claim.refresh_from_db()
    assert claim.status == "filed"


@pytest.mark.parametrize(("body", "field"), [
    ({"event": "teleport"}, "event"),
    ({"event": "returned"}, "repair_cost"),
    ({"event": "returned", "repair_cost": -1}, "repair_cost"),
    ({"event": "returned", "repair_cost": "abc"}, "repair_cost"),
    ({"event": "rejected"}, "reason"),
    ({"event": "rejected", "reason": "  "}, "reason"),
    ({"event": "shipping_reimbursement"}, "amount"),
    ({"event": "shipping_reimbursement", "amount": 0}, "amount"),
    ({"event": "picked_up", "on": "2026-13-01"}, "on"),
    ({"event": "picked_up", "on": "2999-01-01"}, "on"),
    ({}, "event"),
])
def test_claim_event_bad_input_is_400_and_nothing_changes(client, body, field):
    claim = _claim()
    response = _post(client, f"/api/v1/claims/{claim.pk}/events", {"request_id": "b", **body}, _auth("partner"))
    assert response.status_code == 400 and field in response.json()["error"]["fields"], response.json()
    claim.refresh_from_db()
    assert claim.status == "filed" and not Reimbursement.objects.exists()


def test_claim_event_unknown_claim_404_and_network_client_403(client):
    assert _post(client, "/api/v1/claims/999999/events", {"request_id": "a", "event": "fee_paid"},
                 _auth("partner")).status_code == 404
    claim = _claim()
    assert _post(client, f"/api/v1/claims/{claim.pk}/events", {"request_id": "a", "event": "fee_paid"},
                 _auth("network")).status_code == 403


# --- GET /api/v1/lines/{msisdn}/protection ---------------------------------------------------------------------------


def test_line_protection_shows_enrollment_and_claims(client):
    claim = _claim()
    line = claim.line
    response = client.get(f"/api/v1/lines/{line.msisdn_national}/protection", **_auth("app"))
    assert response.status_code == 200
    enrollment = response.json()["enrollment"]
    assert enrollment["status"] == "active" and enrollment["imei"] == claim.imei
    # TP-04: the last covered day, not the exclusive end date
    assert (enrollment["start_date"], enrollment["last_covered_day"]) == ("2026-03-02", "2026-09-01")
    assert "end_date" not in enrollment
    assert enrollment["payment_option"] == "monthly" and [c["id"] for c in enrollment["claims"]] == [claim.pk]


def test_line_protection_without_enrollment_is_null(client):
    line = PostpaidLineFactory()
    response = client.get(f"/api/v1/lines/{line.msisdn}/protection", **_auth("app"))
    assert response.status_code == 200 and response.json()["enrollment"] is None
    assert client.get("/api/v1/lines/081299999999/protection", **_auth("app")).status_code == 404
    assert client.get(f"/api/v1/lines/{line.msisdn}/protection", **_auth("network")).status_code == 403
