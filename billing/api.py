"""Channel API of the billing app: purchase authorization, rated usage and a line's spending (LIM-02..05, LIM-10)."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Line
from accounts.selectors import line_by_msisdn
from billing.models import BillCharge, Scope
from billing.selectors import account_bills, line_spending
from billing.services import purchase_authorize, usage_records_batch
from core.api import validation as check
from core.api.errors import ApiError
from core.api.exceptions import request_id_reused
from core.api.fields import DateTimeField, MsisdnField, RequestIdField, WholeNumberField
from core.api.hot import HotPathView, json_response
from core.api.permissions import client_kind
from core.api.request_ids import REQUEST_ID_MAX_LENGTH, client_key
from core.api.schema import error_responses
from core.models import Channel, ChannelClient
from core.verdicts import RuleViolation

K = ChannelClient.Kind
MAX_BATCH = 1000
SCOPES = frozenset(Scope.values)


def _line(msisdn: str) -> Line:
    line = line_by_msisdn(msisdn)
    if line is None:
        raise ApiError(404, "line_not_found", _("No line holds this number."), fields={"msisdn": [_("Unknown.")]})
    return line


class PurchaseRequestSerializer(serializers.Serializer):
    request_id = RequestIdField()
    msisdn = MsisdnField()
    scope = serializers.ChoiceField(choices=Scope.choices)
    category = serializers.SlugField(max_length=40)
    amount = WholeNumberField(min_value=1, max_value=10**12)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @staticmethod
    def fast(data):
        """The common, valid request without building the serializer (core.api.validation)."""
        return check.fields_all({
            "request_id": check.text(data.get("request_id"), REQUEST_ID_MAX_LENGTH),
            "msisdn": check.msisdn(data.get("msisdn")),
            "scope": check.choice(data.get("scope"), SCOPES),
            "category": check.slug(data.get("category"), 40),
            "amount": check.whole_number(data.get("amount"), 1, 10**12),
            "description": check.text(data.get("description", ""), 200, blank=True),
        })


class PurchaseDecisionSerializer(serializers.Serializer):
    request_id = serializers.CharField()
    decision = serializers.ChoiceField(choices=["approved", "declined"])
    reason = serializers.CharField(allow_null=True)
    usage = serializers.IntegerField(allow_null=True)
    limit = serializers.IntegerField(allow_null=True)


class PurchaseAuthorizeView(HotPathView):
    """LIM-02/03/05: approve or decline a purchase against the line's spending limit, atomically.

    The purchase row is the idempotency record (approved or declined, every answer is a row under the unique
    request id): a replay is answered from it, so no generic replay row is written on this hot path. The common
    request skips DRF (core.api.hot)."""

    permission_classes = [client_kind(K.CHARGING, K.APP)]
    serializer_class = PurchaseRequestSerializer

    @extend_schema(operation_id="purchase_authorize", request=PurchaseRequestSerializer,
                   responses={200: PurchaseDecisionSerializer, **error_responses(400, 404, 409, 422)})
    def post(self, request):
        return super().post(request)

    def answer(self, client, data, request):
        try:
            # The decide statement finds the line by its number: no lookup before it.
            purchase = purchase_authorize(
                request_id=client_key(client.name, data["request_id"]), msisdn=data["msisdn"],
                scope=data["scope"], category=data["category"], amount=data["amount"],
                description=data["description"], client=client.name,
                channel=Channel.APP if client.kind == K.APP else Channel.API,
            )
        except RuleViolation as exc:
            if "unknown_line" in exc.codes:
                raise ApiError(404, "line_not_found", _("No line holds this number."),
                               fields={"msisdn": [_("Unknown.")]}) from None
            if "request_id_reused" in exc.codes:
                raise request_id_reused() from None
            raise
        response = json_response({
            "request_id": data["request_id"], "decision": purchase.decision, "reason": purchase.reason or None,
            "usage": purchase.usage_after, "limit": purchase.limit_amount,
        })
        if purchase.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class UsageRecordSerializer(serializers.Serializer):
    record_id = RequestIdField()
    msisdn = MsisdnField()
    scope = serializers.ChoiceField(choices=Scope.choices)
    category = serializers.SlugField(max_length=40)
    amount = WholeNumberField(min_value=0, max_value=10**12)
    occurred_at = DateTimeField()

    @staticmethod
    def fast(data, cache: dict | None = None):
        """The common, valid record without building the serializer (core.api.validation). `cache`, from batch_cache()
        and kept for one batch, remembers the msisdn and occurred_at checks (a batch repeats its numbers and times)."""
        occurred_at = data.get("occurred_at")
        if cache is None:
            occurred_at = check.iso_datetime(occurred_at, _OCCURRED_AT)
        elif type(occurred_at) is str:
            known = cache.get(occurred_at)
            if known is None:
                known = cache[occurred_at] = check.iso_datetime(occurred_at, _OCCURRED_AT, cache.get(_ZONE))
            occurred_at = known
        else:
            occurred_at = check.UNSURE
        msisdn = data.get("msisdn")
        if cache is None or type(msisdn) is not str:
            msisdn = check.msisdn(msisdn)
        else:
            known = cache.get((_MSISDN, msisdn))
            if known is None:
                known = cache[(_MSISDN, msisdn)] = check.msisdn(msisdn)
            msisdn = known
        return check.fields_all({
            "record_id": check.text(data.get("record_id"), REQUEST_ID_MAX_LENGTH),
            "msisdn": msisdn,
            "scope": check.choice(data.get("scope"), SCOPES),
            "category": check.slug(data.get("category"), 40),
            "amount": check.whole_number(data.get("amount"), 0, 10**12),
            "occurred_at": occurred_at,
        })

    @staticmethod
    def batch_cache() -> dict:
        """A cache for fast() over one batch, with the time zone looked up once (core.api.validation.iso_datetime)."""
        return {_ZONE: _OCCURRED_AT.default_timezone()}


_OCCURRED_AT = UsageRecordSerializer._declared_fields["occurred_at"]
_ZONE, _MSISDN = object(), object()  # keys of a batch cache (its other keys: occurred_at strings, (_MSISDN, msisdn))


class UsageRecordsView(APIView):
    """Rated usage already delivered, in batches: each record is accepted (stored now, or stored as sent by an earlier
    delivery of it, so a replayed batch gets the first answer byte for byte), a duplicate of a record earlier in the
    same batch, or rejected with its error. Accepted usage counts even past the limit and fires the LIM-04 SMS."""

    permission_classes = [client_kind(K.CHARGING, K.NETWORK)]

    @extend_schema(
        operation_id="usage_records_create", request=UsageRecordSerializer(many=True),
        responses={200: inline_serializer("UsageBatchResult", {
            "accepted": serializers.IntegerField(), "duplicate": serializers.IntegerField(),
            "rejected": serializers.IntegerField(), "errors": serializers.ListField(child=serializers.DictField()),
        }), **error_responses(400)},
    )
    def post(self, request):
        records = request.data
        if not isinstance(records, list) or not records:
            raise ApiError(400, "invalid", _("Send a non-empty JSON list of usage records."))
        if len(records) > MAX_BATCH:
            raise ApiError(400, "batch_too_large", _("At most %(n)d records per request.") % {"n": MAX_BATCH})
        client = request.auth.name
        duplicate = 0
        errors = []
        seen = set()
        indexes, valid = [], []  # per valid record: its index in the batch; the record for the batch service
        cache = UsageRecordSerializer.batch_cache()
        for index, item in enumerate(records):
            is_dict = isinstance(item, dict)
            # Issue 14: the serializer (≈ 0.3 ms a record) runs only for a record the fast check is unsure of, so a
            # refusal keeps DRF's wording.
            data = UsageRecordSerializer.fast(item, cache) if is_dict else check.UNSURE
            if data is check.UNSURE:
                serializer = UsageRecordSerializer(data=item if is_dict else {})
                if not serializer.is_valid():
                    errors.append({"index": index, "record_id": item.get("record_id") if is_dict else None,
                                   "code": "invalid", "message": _("Invalid record."),
                                   "fields": {key: [str(m) for m in value]
                                              for key, value in serializer.errors.items()}})
                    continue
                data = dict(serializer.validated_data)
            record_id = data["record_id"]
            if record_id in seen:
                duplicate += 1
                continue
            seen.add(record_id)
            data["record_id"] = client_key(client, record_id)
            indexes.append(index)
            valid.append(data)
        # Issue 14: one set-based call for the batch (≈ 7 statements per record before).
        outcomes = usage_records_batch(records=valid, client=client)
        accepted = len(valid)
        refused = False
        for index, refusal in zip(indexes, outcomes, strict=True):
            if refusal is not None:  # None: new, or stored as sent by an earlier delivery (a replay answers as it did)
                accepted -= 1
                refused = True
                errors.append({"index": index, "record_id": records[index].get("record_id"), "code": refusal.codes[0],
                               "message": "; ".join(refusal.messages), "fields": {}})
        if refused:
            errors.sort(key=lambda error: error["index"])
        return Response({"accepted": accepted, "duplicate": duplicate, "rejected": len(errors), "errors": errors})


class LineSpendingView(APIView):
    """A postpaid line's limits and usage in the current cycle (the app's My Account → Usage, LIM-10)."""

    permission_classes = [client_kind(K.CHARGING, K.APP, K.USSD)]

    @extend_schema(operation_id="line_spending", parameters=[OpenApiParameter("msisdn", str, OpenApiParameter.PATH)],
                   responses={200: inline_serializer("LineSpending", {
                       "domestic": serializers.DictField(), "international": serializers.DictField(),
                       "cycle_start": serializers.DateField(), "cycle_end": serializers.DateField()}),
                       **error_responses(400, 404, 422)})
    def get(self, request, msisdn: str):
        line = _line(MsisdnField().run_validation(msisdn))
        if line.kind != Line.Kind.POSTPAID:
            raise ApiError(422, "not_postpaid", _("Only a KartuHalo (postpaid) line has a spending limit."))
        return Response(line_spending(line))


class BillLineSerializer(serializers.Serializer):
    line = serializers.CharField(allow_null=True)
    source = serializers.CharField()
    description = serializers.CharField(help_text="In the request's language (Accept-Language: id or en).")
    amount = serializers.IntegerField()
    usage_cycle_start = serializers.DateField(allow_null=True, help_text="BIL-11: usage of this earlier cycle.")
    usage_cycle_end = serializers.DateField(allow_null=True)


class BillSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    issued_on = serializers.DateField()
    due_date = serializers.DateField()
    subtotal = serializers.IntegerField()
    taxable_amount = serializers.IntegerField()
    ppn_percent = serializers.IntegerField()
    ppn = serializers.IntegerField(help_text="BIL-10: VAT (PPN) of the taxable charges, rounded down.")
    total = serializers.IntegerField()
    paid = serializers.IntegerField()
    outstanding = serializers.IntegerField()
    status = serializers.CharField()
    lines = BillLineSerializer(many=True)


def bill_data(bill) -> dict:
    return {
        "period_start": bill.period_start, "period_end": bill.period_end, "issued_on": bill.issued_on,
        "due_date": bill.due_date, "subtotal": bill.subtotal, "taxable_amount": bill.taxable_amount,
        "ppn_percent": bill.ppn_percent, "ppn": bill.ppn, "total": bill.total, "paid": bill.paid,
        "outstanding": bill.outstanding, "status": bill.status,
        "lines": [{"line": charge.line.msisdn if charge.line else None, "source": charge.source,
                   "description": charge.label, "amount": charge.amount,
                   "usage_cycle_start": charge.usage_cycle_start, "usage_cycle_end": charge.usage_cycle_end}
                  for charge in bill.charges.all()],
    }


class LineBillsView(APIView):
    """The last 12 bills of a postpaid line's account with their lines and PPN (the app's My Account → Bills)."""

    permission_classes = [client_kind(K.APP, K.CHARGING)]

    @extend_schema(operation_id="line_bills", parameters=[OpenApiParameter("msisdn", str, OpenApiParameter.PATH)],
                   responses={200: inline_serializer("LineBills", {"bills": BillSerializer(many=True)}),
                              **error_responses(400, 404, 422)})
    def get(self, request, msisdn: str):
        line = _line(MsisdnField().run_validation(msisdn))
        if line.kind != Line.Kind.POSTPAID or line.billing_account_id is None:
            raise ApiError(422, "not_postpaid", _("Only a KartuHalo (postpaid) line has bills."))
        bills = account_bills(line.billing_account, limit=12).prefetch_related(
            Prefetch("charges", queryset=BillCharge.objects.select_related("line").order_by("charged_on", "id")))
        return Response({"bills": [bill_data(bill) for bill in bills]})
