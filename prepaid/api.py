"""Prepaid channel API: the package catalogue, a card's status, top-ups, package purchases, the Prime app pass."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validation as check
from core.api.errors import ApiError
from core.api.exceptions import request_id_reused
from core.api.fields import MsisdnField, RequestIdField, WholeNumberField
from core.api.hot import HotPathView, json_response
from core.api.idempotency import idempotent
from core.api.permissions import client_kind
from core.api.request_ids import REQUEST_ID_MAX_LENGTH, client_key
from core.api.schema import error_responses
from core.dates import local_today
from core.models import ApiRequest, Channel, ChannelClient
from core.verdicts import RuleViolation
from prepaid import services
from prepaid.models import Card
from prepaid.selectors import (
    active_prime,
    card_by_msisdn,
    package_price,
    packages_on_sale,
    tariff_percent,
    upcoming_price_changes,
)

K = ChannelClient.Kind
MSISDN_PARAM = OpenApiParameter("msisdn", str, OpenApiParameter.PATH, description="08…, 628… or +628… (ACC-02)")
TOPUP_CHANNELS = [Channel.GRAPARI, Channel.CALL_CENTRE_188, Channel.UMB, Channel.APP, Channel.API]


def _card_not_found() -> ApiError:
    return ApiError(404, "card_not_found", _("No prepaid card holds this number."))


def _card(msisdn: str) -> Card:
    card = card_by_msisdn(MsisdnField().run_validation(msisdn))
    if card is None:
        raise _card_not_found()
    return card


class PackageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="Indonesian name.")
    name_en = serializers.CharField(help_text="English name (the Indonesian one when there is no English).")
    description = serializers.CharField(help_text="Indonesian description.")
    description_en = serializers.CharField(help_text="English description.")
    price = serializers.IntegerField(help_text="Rupiah, today's tariff (PRE-06); the old price until a change's date.")
    monthly_data = serializers.BooleanField()
    next_price = serializers.IntegerField(allow_null=True, help_text="PRE-08: the announced new list price.")
    next_price_from = serializers.DateField(allow_null=True, help_text="PRE-08: the day it takes effect.")


class PackageListView(APIView):
    """The packages on sale with today's price (PRE-06 weekend and special-day tariffs applied)."""

    permission_classes = [client_kind(K.CHARGING, K.APP, K.USSD)]

    @extend_schema(operation_id="prepaid_packages", responses={200: PackageSerializer(many=True),
                                                               **error_responses()})
    def get(self, request):
        today = local_today()
        percent = tariff_percent(today)
        upcoming = upcoming_price_changes(today)
        rows = [{"code": p.code, "name": p.name, "name_en": p.name_en or p.name, "description": p.description,
                 "description_en": p.description_en or p.description,
                 "price": package_price(package=p, day=today, prime=False, percent=percent),
                 "monthly_data": p.monthly_data,
                 "next_price": upcoming[p.pk].new_price if p.pk in upcoming else None,
                 "next_price_from": upcoming[p.pk].effective_on if p.pk in upcoming else None}
                for p in packages_on_sale(today)]
        return Response(PackageSerializer(rows, many=True).data)


class CardSerializer(serializers.Serializer):
    brand = serializers.CharField(help_text="PRE-07: im3 or mentari")
    state = serializers.CharField()
    balance = serializers.IntegerField()
    active_until = serializers.DateField(allow_null=True)
    grace_until = serializers.DateField(allow_null=True)
    prime_tier = serializers.CharField(allow_null=True)
    prime_renews_on = serializers.DateField(allow_null=True)


def card_data(card: Card) -> dict:
    subscription = active_prime(card)
    return {
        "brand": card.brand, "state": card.state, "balance": card.balance, "active_until": card.active_until,
        "grace_until": card.grace_until, "prime_tier": subscription.tier.code if subscription else None,
        "prime_renews_on": subscription.renews_on if subscription else None,
    }


class CardView(APIView):
    """A prepaid card's state, balance and Prime (PRE-02, PRM-02)."""

    permission_classes = [client_kind(K.CHARGING, K.APP, K.USSD)]

    @extend_schema(operation_id="prepaid_card", parameters=[MSISDN_PARAM],
                   responses={200: CardSerializer, **error_responses(400, 404)})
    def get(self, request, msisdn: str):
        return Response(CardSerializer(card_data(_card(msisdn))).data)


TOPUP_CHANNEL_VALUES = frozenset(c.value for c in TOPUP_CHANNELS)


class TopupInSerializer(serializers.Serializer):
    request_id = RequestIdField()
    msisdn = MsisdnField()
    amount = WholeNumberField(min_value=1, max_value=10**9, help_text="Rupiah: a catalogue denomination.")
    channel = serializers.ChoiceField(choices=[(c.value, c.label) for c in TOPUP_CHANNELS])

    @staticmethod
    def fast(data):
        """The common, valid request without building the serializer (core.api.validation)."""
        return check.fields_all({
            "request_id": check.text(data.get("request_id"), REQUEST_ID_MAX_LENGTH),
            "msisdn": check.msisdn(data.get("msisdn")),
            "amount": check.whole_number(data.get("amount"), 1, 10**9),
            "channel": check.choice(data.get("channel"), TOPUP_CHANNEL_VALUES),
        })


class TopupOutSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    reference = serializers.CharField()
    amount = serializers.IntegerField()
    balance = serializers.IntegerField()
    state = serializers.CharField()
    active_until = serializers.DateField()


def _topup_answer(request_id: str, entry) -> dict:
    """TopupOutSerializer's shape, from the entry alone: a replay answers byte for byte as the first request."""
    return {"outcome": "applied", "reference": request_id, "amount": entry.amount, "balance": entry.balance_after,
            "state": Card.State.ACTIVE.value,  # a top-up leaves the card active (PRE-02)
            "active_until": entry.active_until.isoformat()}


def _legacy_replay(client, request, request_id: str, entry) -> HttpResponse:
    """A replay of a top-up recorded before its entry kept the Active Period end: the answer stored by the replay
    store then, within its window; past it, the card as it is now (what a replay answered then)."""
    record = ApiRequest.objects.filter(client=client, request_id=request_id, path=request.path[:255],
                                       response_status=200).first()
    if record is not None:
        response = HttpResponse(record.response_body, content_type="application/json")
    else:
        card = Card.objects.get(pk=entry.card_id)
        response = json_response({"outcome": "applied", "reference": request_id, "amount": entry.amount,
                                  "balance": card.balance, "state": card.state, "active_until": card.active_until})
    response["Idempotent-Replayed"] = "true"
    return response


class TopupView(HotPathView):
    """Apply a top-up (PRE-02): balance up, Active Period extended, a card in grace back to active.

    The ledger entry is the idempotency record (its reference is the client's request_id): a replay is answered
    from it, with `Idempotent-Replayed: true`, so no generic replay row is written on this hot path; the same
    request_id with another number, amount or channel is a 409. A refused top-up writes nothing. The common request
    skips DRF (core.api.hot)."""

    permission_classes = [client_kind(K.CHARGING, K.APP, K.USSD)]
    serializer_class = TopupInSerializer

    @extend_schema(operation_id="prepaid_topup", request=TopupInSerializer,
                   responses={200: TopupOutSerializer, **error_responses(400, 404, 409, 422)})
    def post(self, request):
        return super().post(request)

    def answer(self, client, data, request):
        try:
            # The card is found by its line's number in the statement that locks it: no lookup before it.
            entry = services.topup_by_msisdn(
                msisdn=data["msisdn"], amount=data["amount"], channel=data["channel"],
                reference=client_key(client.name, data["request_id"]), actor=None, actor_label=client.name)
        except RuleViolation as exc:
            if "card_not_found" in exc.codes:
                raise _card_not_found() from None
            if "reference_reused" in exc.codes:
                raise request_id_reused() from None
            raise
        if entry.replayed and entry.active_until is None:
            return _legacy_replay(client, request, data["request_id"], entry)
        response = json_response(_topup_answer(data["request_id"], entry))
        if entry.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class PurchaseInSerializer(serializers.Serializer):
    request_id = RequestIdField()
    msisdn = MsisdnField()
    package_code = serializers.CharField(max_length=40)


class PurchaseOutSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    package_code = serializers.CharField()
    price = serializers.IntegerField()
    balance = serializers.IntegerField()
    valid_until = serializers.DateField()
    rollover = serializers.BooleanField()


class PurchaseView(APIView):
    """Buy a package from the balance; 422 with `balance_floor`, `card_not_active`, `line_blocked`,
    `unknown_package` (PRE-05)."""

    permission_classes = [client_kind(K.CHARGING, K.APP, K.USSD)]

    @extend_schema(operation_id="prepaid_purchase", request=PurchaseInSerializer,
                   responses={200: PurchaseOutSerializer, **error_responses(400, 404, 409, 422)})
    @idempotent
    def post(self, request):
        serializer = PurchaseInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        card = _card(data["msisdn"])
        purchase = services.package_purchase(card=card, package_code=data["package_code"], channel=Channel.API,
                                             reference=client_key(request.auth.name, data["request_id"]),
                                             actor=None, actor_label=request.auth.name)
        return Response(PurchaseOutSerializer({
            "outcome": "purchased", "package_code": purchase.package.code, "price": purchase.price,
            "balance": purchase.entry.balance_after, "valid_until": purchase.valid_until,
            "rollover": purchase.rollover,
        }).data)


class AppPassInSerializer(serializers.Serializer):
    request_id = RequestIdField()


class AppPassOutSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    claimed_at = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    apps = serializers.ListField(child=serializers.CharField())
    domestic_only = serializers.BooleanField()


class AppPassView(APIView):
    """Claim the IM3 Prime 3-day unlimited app pass (PRM-04), from the customer app."""

    permission_classes = [client_kind(K.APP)]

    @extend_schema(operation_id="prepaid_app_pass", parameters=[MSISDN_PARAM], request=AppPassInSerializer,
                   responses={200: AppPassOutSerializer, **error_responses(400, 404, 409, 422)})
    @idempotent
    def post(self, request, msisdn: str):
        serializer = AppPassInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        card = _card(msisdn)
        app_pass = services.app_pass_claim(
            card=card, reference=client_key(request.auth.name, serializer.validated_data["request_id"]),
            channel=Channel.APP, actor=None, actor_label=request.auth.name)
        return Response(AppPassOutSerializer({
            "outcome": "claimed", "claimed_at": app_pass.claimed_at, "valid_until": app_pass.valid_until,
            "apps": [name.strip() for name in app_pass.apps.split(",") if name.strip()],
            "domestic_only": app_pass.domestic_only,
        }).data)


MAX_SMS_BATCH = 1000


class SmsUsageSerializer(serializers.Serializer):
    record_id = RequestIdField()
    msisdn = MsisdnField()
    count = WholeNumberField(min_value=1, max_value=100_000)
    occurred_at = serializers.DateTimeField()


class SmsUsageView(APIView):
    """SMS sent by prepaid cards, in batches, feeding the fair-usage counters (PRE-04). Each record is accepted,
    a duplicate of a record earlier in the same batch, or rejected with its error. A record counted by an earlier
    delivery is accepted again without counting twice, so a replayed batch gets the first answer."""

    permission_classes = [client_kind(K.CHARGING, K.NETWORK)]

    @extend_schema(operation_id="prepaid_sms_usage", request=SmsUsageSerializer(many=True),
                   responses={200: inline_serializer("SmsUsageBatchResult", {
                       "accepted": serializers.IntegerField(), "duplicate": serializers.IntegerField(),
                       "rejected": serializers.IntegerField(), "errors": serializers.ListField(
                           child=serializers.DictField())}),
                       **error_responses(400)})
    def post(self, request):
        records = request.data
        if not isinstance(records, list) or not records:
            raise ApiError(400, "invalid", _("Send a non-empty JSON list of SMS usage records."))
        if len(records) > MAX_SMS_BATCH:
            raise ApiError(400, "batch_too_large", _("At most %(n)d records per request.") % {"n": MAX_SMS_BATCH})
        accepted = duplicate = 0
        errors = []
        seen = set()
        for index, item in enumerate(records):
            serializer = SmsUsageSerializer(data=item if isinstance(item, dict) else {})
            record_id = item.get("record_id") if isinstance(item, dict) else None
            if not serializer.is_valid():
                errors.append({"index": index, "record_id": record_id, "code": "invalid",
                               "message": _("Invalid record."),
                               "fields": {key: [str(m) for m in value] for key, value in serializer.errors.items()}})
                continue
            data = serializer.validated_data
            if data["record_id"] in seen:
                duplicate += 1
                continue
            seen.add(data["record_id"])
            card = card_by_msisdn(data["msisdn"])
            if card is None:
                errors.append({"index": index, "record_id": record_id, "code": "card_not_found",
                               "message": _("No prepaid card holds this number."), "fields": {}})
                continue
            services.sms_usage_record(card=card, record_id=client_key(request.auth.name, data["record_id"]),
                                                occurred_at=data["occurred_at"], count=data["count"])
            accepted += 1  # new, or counted by an earlier delivery: a replayed batch answers as the first did
        return Response({"accepted": accepted, "duplicate": duplicate, "rejected": len(errors), "errors": errors})
