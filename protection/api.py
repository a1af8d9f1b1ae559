"""TecProtec channel API: the network reports devices, the partner (AMSI) reports claim events, channels read status."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import ApiError, error_body
from core.api.fields import MsisdnField, RequestIdField, WholeNumberField
from core.api.idempotency import idempotent
from core.api.permissions import client_kind
from core.api.schema import error_responses
from core.dates import local_today
from core.identifiers import validate_imei
from core.models import Channel, ChannelClient
from protection.models import Claim, Reimbursement
from protection.rules import EVENTS
from protection.selectors import line_protection
from protection.services import TransitionNotAllowed, claim_advance, line_device_set

K = ChannelClient.Kind
MSISDN_PARAM = OpenApiParameter("msisdn", str, OpenApiParameter.PATH, description="08…, 628… or +628… (ACC-02)")


def _line(msisdn: str):
    from accounts.selectors import line_by_msisdn

    line = line_by_msisdn(MsisdnField().run_validation(msisdn))
    if line is None:
        raise ApiError(404, "line_not_found", _("No line holds this number."))
    return line


class ImeiField(serializers.CharField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return validate_imei(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code or "invalid")


class DeviceInSerializer(serializers.Serializer):
    request_id = RequestIdField()
    imei = ImeiField(max_length=20, help_text="15 digits with a Luhn check digit (TP-05).")


class DeviceOutSerializer(serializers.Serializer):
    msisdn = serializers.CharField()
    imei = serializers.CharField()
    seen_at = serializers.DateTimeField()


class LineDeviceView(APIView):
    """The network reports the IMEI it last saw on a line (TP-05)."""

    permission_classes = [client_kind(K.NETWORK)]

    @extend_schema(operation_id="line_device_set", parameters=[MSISDN_PARAM], request=DeviceInSerializer,
                   responses={200: DeviceOutSerializer, **error_responses(400, 404, 409, 422)})
    @idempotent
    def post(self, request, msisdn: str):
        serializer = DeviceInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = _line(msisdn)
        device = line_device_set(line=line, imei=serializer.validated_data["imei"], actor=None,
                                 actor_label=request.auth.name, channel=Channel.API)
        return Response(DeviceOutSerializer({"msisdn": line.msisdn, "imei": device.imei,
                                             "seen_at": device.seen_at}).data)


class ClaimEventInSerializer(serializers.Serializer):
    request_id = RequestIdField()
    event = serializers.ChoiceField(choices=EVENTS)
    on = serializers.DateField(required=False, help_text="The day it happened (default: today, WIB).")
    repair_cost = WholeNumberField(required=False, min_value=0, max_value=10**12,
                                           help_text="Rupiah; required for `returned` (TP-08).")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000,
                                   help_text="The insurer's reason; required for `rejected`.")
    amount = WholeNumberField(required=False, min_value=1, max_value=10**9,
                                      help_text="Shipping cost in rupiah; required for `shipping_reimbursement`.")
    reference = serializers.CharField(required=False, allow_blank=True, max_length=60)

    def validate(self, attrs):
        event = attrs["event"]
        errors = {}
        if event == "returned" and attrs.get("repair_cost") is None:
            errors["repair_cost"] = [_("Required for the event “returned”.")]
        if event == "rejected" and not (attrs.get("reason") or "").strip():
            errors["reason"] = [_("Required for the event “rejected”.")]
        if event == "shipping_reimbursement" and attrs.get("amount") is None:
            errors["amount"] = [_("Required for the event “shipping_reimbursement”.")]
        on = attrs.get("on")
        if on is not None and on > local_today():
            errors["on"] = [_("Cannot be in the future.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def claim_data(claim: Claim) -> dict:
    try:
        reimbursement = claim.reimbursement
    except Reimbursement.DoesNotExist:
        reimbursement = None
    return {
        "id": claim.pk, "status": claim.status, "imei": claim.imei, "filed_on": claim.filed_on,
        "fee_amount": claim.fee_amount, "fee_paid": claim.fee_paid_at is not None,
        "picked_up_on": claim.picked_up_on, "sla_due_on": claim.sla_due_on, "sla_breached": claim.sla_breached,
        "returned_on": claim.returned_on, "repair_cost": claim.repair_cost, "covered_amount": claim.covered_amount,
        "customer_excess": claim.customer_excess, "rejection_reason": claim.rejection_reason,
        "reimbursement": None if reimbursement is None else {
            "amount": reimbursement.amount, "due_on": reimbursement.due_on, "status": reimbursement.status,
            "overdue": reimbursement.overdue, "paid_on": reimbursement.paid_on,
        },
    }


class ClaimEventView(APIView):
    """The insurance partner's updates on a claim (TP-08..TP-11). An event the workflow does not allow now → 409
    with the claim's current state."""

    permission_classes = [client_kind(K.PARTNER)]

    @extend_schema(operation_id="claim_event", request=ClaimEventInSerializer,
                   parameters=[OpenApiParameter("claim_id", int, OpenApiParameter.PATH)],
                   responses={200: dict, **error_responses(400, 404, 409, 422)})
    @idempotent
    def post(self, request, claim_id: int):
        serializer = ClaimEventInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        claim = Claim.objects.filter(pk=claim_id).first()
        if claim is None:
            raise ApiError(404, "claim_not_found", _("No claim with this id."))
        try:
            claim = claim_advance(
                claim=claim, event=data["event"], actor=None, actor_label=request.auth.name, channel=Channel.API,
                on=data.get("on"), repair_cost=data.get("repair_cost"), reason=data.get("reason", ""),
                amount=data.get("amount"), reference=data.get("reference", ""),
            )
        except TransitionNotAllowed as exc:
            body = error_body("transition_not_allowed", "; ".join(exc.messages))
            body["error"]["current_status"] = exc.current_status
            return Response(body, status=409)
        claim = Claim.objects.select_related("reimbursement").get(pk=claim.pk)
        return Response({"claim": claim_data(claim)})


class LineProtectionView(APIView):
    """A line's TecProtec: the current enrollment (active, terminated or expired) and its claims.
    `last_covered_day` is the last day the phone is covered (TP-04, inclusive: 31 Aug → 27 Feb)."""

    permission_classes = [client_kind(K.APP, K.PARTNER, K.USSD)]

    @extend_schema(operation_id="line_protection", parameters=[MSISDN_PARAM],
                   responses={200: dict, **error_responses(400, 404)})
    def get(self, request, msisdn: str):
        line = _line(msisdn)
        data = line_protection(line)
        enrollment = data["enrollment"]
        if enrollment is None:
            return Response({"msisdn": line.msisdn, "enrollment": None})
        return Response({
            "msisdn": line.msisdn,
            "enrollment": {
                "id": enrollment.pk, "status": enrollment.status, "imei": enrollment.imei,
                "payment_option": enrollment.payment_option, "channel": enrollment.channel,
                "start_date": enrollment.start_date, "last_covered_day": enrollment.last_covered_day,  # TP-04
                "claims_from": enrollment.claims_from, "terminated_on": enrollment.terminated_on,
                "installments_charged": enrollment.installments_charged,
                "installment_count": enrollment.installment_count,
                "installment_amount": enrollment.installment_amount,
                "claims": [claim_data(claim) for claim in data["claims"]],
            },
        })
