"""Core endpoints: the line lookup, the USSD gateway callback and the SMS delivery report."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.auth import QueryKeyAuthentication
from core.api.errors import ApiError
from core.api.fields import MsisdnField
from core.api.permissions import client_kind
from core.models import ChannelClient

K = ChannelClient.Kind


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def error_responses(*statuses: int) -> dict:
    return {status: OpenApiResponse(ErrorSerializer) for status in statuses}


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


class LineDetailView(APIView):
    """The line that holds a number now: its kind, status and open blocks."""

    permission_classes = [client_kind(K.CHARGING, K.APP, K.NETWORK, K.USSD)]

    @extend_schema(
        operation_id="line_retrieve",
        parameters=[OpenApiParameter("msisdn", str, OpenApiParameter.PATH,
                                     description="08…, 628… or +628… (ACC-02)")],
        responses={200: LineSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    def get(self, request, msisdn: str):
        from accounts.selectors import line_by_msisdn, line_open_blocks

        number = MsisdnField().run_validation(msisdn)
        line = line_by_msisdn(number)
        if line is None:
            raise ApiError(404, "line_not_found", _("No line holds this number."))
        blocks = list(line_open_blocks(line))
        data = {
            "msisdn": line.msisdn, "kind": line.kind, "status": line.status, "blocked": bool(blocks),
            "open_blocks": [{"scope": b.scope, "reason": b.reason, "permanent": b.permanent,
                             "started_at": b.started_at} for b in blocks],
        }
        return Response(LineSerializer(data).data)


class UssdCallbackSerializer(serializers.Serializer):
    sessionId = serializers.CharField(max_length=100)  # noqa: N815 (Africa's Talking's field names)
    serviceCode = serializers.CharField(max_length=40)  # noqa: N815
    phoneNumber = MsisdnField()  # noqa: N815
    text = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    networkCode = serializers.CharField(max_length=20, required=False, allow_blank=True)  # noqa: N815


class UssdView(APIView):
    """Africa's Talking's USSD callback. The reply is text/plain: `CON …` (menu goes on) or `END …`."""

    permission_classes = [client_kind(K.USSD)]
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="ussd_callback",
        request={"application/x-www-form-urlencoded": UssdCallbackSerializer},
        responses={(200, "text/plain"): OpenApiResponse(str, description="`CON …` or `END …`, ≤ 182 characters"),
                   **error_responses(400, 401, 403, 429)},
    )
    def post(self, request):
        from core.ussd import ussd_answer

        serializer = UssdCallbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        body = ussd_answer(session_id=data["sessionId"], service_code=data["serviceCode"],
                           msisdn=data["phoneNumber"], text=data.get("text", ""))
        return HttpResponse(body, content_type="text/plain; charset=utf-8")


class DeliveryReportSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100)
    message_status = serializers.CharField(max_length=40)


class SmsDeliveryReportView(APIView):
    """Jasmin's delivery report (`dlr-url`): form fields `id` and `message_status` (DELIVRD …).
    Answers `ACK/Jasmin` so that the gateway stops retrying. Auth: the header, or `?key=` for gateways that
    cannot send headers."""

    authentication_classes = [QueryKeyAuthentication]
    permission_classes = [client_kind(K.NETWORK)]
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="sms_delivery_report",
        request={"application/x-www-form-urlencoded": DeliveryReportSerializer},
        responses={(200, "text/plain"): OpenApiResponse(str, description="ACK/Jasmin"),
                   **error_responses(400, 401, 403, 429)},
    )
    def post(self, request):
        from core.outbox import sms_delivery_report

        serializer = DeliveryReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Always kept and acknowledged: a report for an id not recorded yet (it raced the send's commit) is
        # matched when the id lands; one for an id never recorded waits in the admin for review.
        sms_delivery_report(gateway_message_id=serializer.validated_data["id"],
                            state=serializer.validated_data["message_status"])
        return HttpResponse("ACK/Jasmin", content_type="text/plain")


__all__ = ["LineDetailView", "UssdView", "SmsDeliveryReportView", "inline_serializer"]
