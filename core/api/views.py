"""Core endpoints: the USSD gateway callback and the SMS delivery report."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from core.api.auth import QueryKeyAuthentication
from core.api.fields import MsisdnField
from core.api.parsers import SafeJSONParser
from core.api.permissions import client_kind
from core.api.schema import error_responses
from core.models import ChannelClient

K = ChannelClient.Kind


class UssdCallbackSerializer(serializers.Serializer):
    sessionId = serializers.CharField(max_length=100)  # noqa: N815 (Africa's Talking's field names)
    serviceCode = serializers.CharField(max_length=40)  # noqa: N815
    phoneNumber = MsisdnField()  # noqa: N815
    text = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    networkCode = serializers.CharField(max_length=20, required=False, allow_blank=True)  # noqa: N815


class UssdView(APIView):
    """Africa's Talking's USSD callback. The reply is text/plain: `CON …` (menu goes on) or `END …`."""

    permission_classes = [client_kind(K.USSD)]
    parser_classes = [FormParser, MultiPartParser, SafeJSONParser]

    @extend_schema(
        operation_id="ussd_callback",
        request={"application/x-www-form-urlencoded": UssdCallbackSerializer},
        responses={(200, "text/plain"): OpenApiResponse(str, description="`CON …` or `END …`, ≤ 182 characters"),
                   **error_responses(400)},
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
    parser_classes = [FormParser, MultiPartParser, SafeJSONParser]

    @extend_schema(
        operation_id="sms_delivery_report",
        request={"application/x-www-form-urlencoded": DeliveryReportSerializer},
        responses={(200, "text/plain"): OpenApiResponse(str, description="ACK/Jasmin"),
                   **error_responses(400)},
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

