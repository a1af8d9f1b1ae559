"""Every API write endpoint with a client of its kind and a body it accepts, for the tests that go over all of them."""

import dataclasses
import datetime as dt
import json

from django.apps import apps
from django.utils import timezone

from core.dates import local_today
from protection.services import claim_file
from tests.accounts.factories import OutletFactory
from tests.billing.factories import open_line, set_limit
from tests.core.factories import make_client
from tests.prepaid.factories import CardFactory, prime
from tests.protection.factories import enroll, new_imei

# Rows any write endpoint may create: none of them may grow when the input is refused.
WRITTEN_MODELS = [
    "core.ApiRequest", "core.AuditEvent", "core.OutboundSms", "billing.Purchase", "billing.UsageRecord",
    "prepaid.LedgerEntry", "prepaid.PackagePurchase", "prepaid.AppPass", "prepaid.SmsUsageRecord",
    "protection.LineDevice", "protection.Reimbursement", "accounts.MarketingConsent", "visits.Ticket",
]


def row_counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in WRITTEN_MODELS}


@dataclasses.dataclass
class Endpoint:
    name: str
    kind: str
    url: str
    body: object  # JSON: a dict, or a list for the batch endpoints
    idempotent_key: str | None = "request_id"  # the field that makes a replay safe, None for form endpoints
    form: bool = False

    @property
    def batch(self) -> bool:
        return isinstance(self.body, list)

    def record(self) -> dict:
        """The dict that carries the fields (a batch's first record)."""
        return self.body[0] if self.batch else self.body

    def with_field(self, field: str, value) -> object:
        body = json.loads(json.dumps(self.body))
        (body[0] if self.batch else body)[field] = value
        return body


class World:
    """One line, card and claim that every write endpoint can act on, and one key per client kind."""

    def __init__(self):
        today = local_today()
        self.line = open_line(today=today)
        set_limit(self.line, 5_000_000)
        self.card = CardFactory(balance=200_000, active_until=today + dt.timedelta(days=20))
        prime(self.card, "lite")
        enrollment = enroll(start=dt.date(2026, 3, 2))
        self.claim = claim_file(enrollment=enrollment, imei=enrollment.imei, damage="Screen",
                                today=dt.date(2026, 4, 1), actor_label="t")
        self.outlet = OutletFactory(code="api-outlet")
        self.keys = {kind: make_client(kind=kind)[1] for kind in ("charging", "app", "ussd", "partner", "network")}

    def headers(self, kind: str) -> dict:
        return {"HTTP_AUTHORIZATION": f"Token {self.keys[kind]}"}

    def wire_headers(self, kind: str) -> dict:
        return {"Authorization": f"Token {self.keys[kind]}"}

    def endpoints(self) -> list[Endpoint]:
        postpaid = self.line.msisdn_national
        prepaid = self.card.line.msisdn_national
        now = timezone.now().isoformat()
        return [
            Endpoint("purchase_authorize", "charging", "/api/v1/purchases/authorize", {
                "request_id": "p-1", "msisdn": postpaid, "scope": "domestic", "category": "addon",
                "amount": 25_000, "description": "3GB Ekstra Kuota"}),
            Endpoint("usage_records", "charging", "/api/v1/usage-records", [{
                "record_id": "u-1", "msisdn": postpaid, "scope": "domestic", "category": "addon", "amount": 1_000,
                "occurred_at": now}], idempotent_key="record_id"),
            Endpoint("line_device", "network", f"/api/v1/lines/{postpaid}/device", {
                "request_id": "d-1", "imei": new_imei()}),
            Endpoint("claim_event", "partner", f"/api/v1/claims/{self.claim.pk}/events", {
                "request_id": "c-1", "event": "fee_paid"}),
            Endpoint("prepaid_topup", "charging", "/api/v1/prepaid/topups", {
                "request_id": "t-1", "msisdn": prepaid, "amount": 50_000, "channel": "api"}),
            Endpoint("prepaid_purchase", "charging", "/api/v1/prepaid/purchases", {
                "request_id": "b-1", "msisdn": prepaid, "package_code": "HARIAN_1GB"}),
            Endpoint("prepaid_app_pass", "app", f"/api/v1/prepaid/{prepaid}/app-pass", {"request_id": "a-1"}),
            Endpoint("marketing_consent", "app", f"/api/v1/lines/{postpaid}/marketing-consent", {
                "request_id": "m-1", "marketing_consent": False}),
            Endpoint("visit_ticket", "app", "/api/v1/visits/tickets", {
                "request_id": "v-1", "outlet": self.outlet.code, "reason": "bill_payment", "msisdn": postpaid}),
            Endpoint("prepaid_sms_usage", "charging", "/api/v1/prepaid/sms-usage", [{
                "record_id": "s-1", "msisdn": prepaid, "count": 3, "occurred_at": now}], idempotent_key="record_id"),
        ]

    def post(self, client, endpoint: Endpoint, body=None, raw: str | bytes | None = None):
        data = raw if raw is not None else json.dumps(endpoint.body if body is None else body)
        return client.post(endpoint.url, data, content_type="application/json", **self.headers(endpoint.kind))


def assert_error_shape(response, status: int | set[int] | None = None) -> dict:
    if status is not None:
        statuses = status if isinstance(status, set) else {status}
        assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"]), body
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    return body["error"]
