"""Accounts channel API: the line that holds a number now (moved here from core: core imports no app), and the
customer's marketing consent recorded from the app (ACC-11)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.consent import marketing_consent_set
from accounts.selectors import line_by_msisdn, line_open_blocks
from core.api.errors import ApiError
from core.api.fields import MsisdnField, RequestIdField
from core.api.idempotency import idempotent
from core.api.permissions import client_kind
from core.api.schema import error_responses
from core.models import Channel, ChannelClient

K = ChannelClient.Kind


class BlockSerializer(serializers.Serializer):
    scope = serializers.CharField()
    reason = serializers.CharField()
    permanent = serializers.BooleanField()
    started_at = serializers.DateTimeField()


class LineSerializer(serializers.Serializer):
    msisdn = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    blocked = serializers.BooleanField()
    open_blocks = BlockSerializer(many=True)
    marketing_consent = serializers.BooleanField(help_text="The customer accepts marketing offers.")  # ACC-11


class LineDetailView(APIView):
    """The line that holds a number now: its kind, status and open blocks."""

    permission_classes = [client_kind(K.CHARGING, K.APP, K.NETWORK, K.USSD)]

    @extend_schema(
        operation_id="line_retrieve",
        parameters=[OpenApiParameter("msisdn", str, OpenApiParameter.PATH,
                                     description="08…, 628… or +628… (ACC-02)")],
        responses={200: LineSerializer, **error_responses(400, 404)},
    )
    def get(self, request, msisdn: str):
        number = MsisdnField().run_validation(msisdn)
        line = line_by_msisdn(number)
        if line is None:
            raise ApiError(404, "line_not_found", _("No line holds this number."))
        blocks = list(line_open_blocks(line))
        data = {
            "msisdn": line.msisdn, "kind": line.kind, "status": line.status, "blocked": bool(blocks),
            "marketing_consent": line.customer.marketing_consent,
            "open_blocks": [{"scope": b.scope, "reason": b.reason, "permanent": b.permanent,
                             "started_at": b.started_at} for b in blocks],
        }
        return Response(LineSerializer(data).data)



class MarketingConsentInSerializer(serializers.Serializer):
    request_id = RequestIdField()
    marketing_consent = serializers.BooleanField(help_text="true: accepts marketing offers; false: withdraws.")


class MarketingConsentOutSerializer(serializers.Serializer):
    marketing_consent = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()


class MarketingConsentView(APIView):
    """ACC-11: the customer gives or withdraws consent to marketing offers in the app (recorded with channel app)."""

    permission_classes = [client_kind(ChannelClient.Kind.APP)]

    @extend_schema(operation_id="marketing_consent_set", request=MarketingConsentInSerializer,
                   parameters=[OpenApiParameter("msisdn", str, OpenApiParameter.PATH)],
                   responses={200: MarketingConsentOutSerializer, **error_responses(400, 404, 409)})
    @idempotent
    def post(self, request, msisdn: str):
        serializer = MarketingConsentInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = line_by_msisdn(MsisdnField().run_validation(msisdn))
        if line is None:
            raise ApiError(404, "line_not_found", _("No line holds this number."))
        record = marketing_consent_set(customer=line.customer, granted=serializer.validated_data["marketing_consent"],
                                       channel=Channel.APP, actor=None, actor_label=request.auth.name)
        return Response(MarketingConsentOutSerializer(
            {"marketing_consent": record.granted, "recorded_at": record.recorded_at}).data)
