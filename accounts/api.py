"""Channel API of accounts: the customer app records the customer's marketing consent (ACC-11)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.consent import marketing_consent_set
from accounts.selectors import line_by_msisdn
from core.api.errors import ApiError
from core.api.fields import MsisdnField
from core.api.idempotency import idempotent
from core.api.permissions import client_kind
from core.models import Channel, ChannelClient


class MarketingConsentInSerializer(serializers.Serializer):
    request_id = serializers.CharField(max_length=100)
    marketing_consent = serializers.BooleanField(help_text="true: accepts marketing offers; false: withdraws.")


class MarketingConsentOutSerializer(serializers.Serializer):
    marketing_consent = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()


class MarketingConsentView(APIView):
    """ACC-11: the customer gives or withdraws consent to marketing offers in the app (recorded with channel app)."""

    permission_classes = [client_kind(ChannelClient.Kind.APP)]

    @extend_schema(operation_id="marketing_consent_set", request=MarketingConsentInSerializer,
                   parameters=[OpenApiParameter("msisdn", str, OpenApiParameter.PATH)],
                   responses={200: MarketingConsentOutSerializer})
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
