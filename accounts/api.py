"""Accounts channel API: the line that holds a number now (moved here from core: core imports no app)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import line_by_msisdn, line_open_blocks
from core.api.errors import ApiError
from core.api.fields import MsisdnField
from core.api.permissions import client_kind
from core.api.schema import error_responses
from core.models import ChannelClient

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
