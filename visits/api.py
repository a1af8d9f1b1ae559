"""The customer app takes a queue number at an outlet (channel kind `app`): POST /api/v1/visits/tickets."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Outlet
from accounts.selectors import line_by_msisdn
from core.api.errors import ApiError
from core.api.fields import MsisdnField, RequestIdField
from core.api.idempotency import idempotent
from core.api.permissions import client_kind
from core.api.schema import error_responses
from core.models import ChannelClient
from visits import selectors, services
from visits.models import Reason, Ticket


class TicketInSerializer(serializers.Serializer):
    request_id = RequestIdField()
    outlet = serializers.SlugField(max_length=20, help_text="The outlet's code, e.g. `jkt-sudirman`.")
    reason = serializers.ChoiceField(choices=Reason.choices, help_text="Why the customer comes.")
    msisdn = MsisdnField(required=False, help_text="The customer's number, if they give it.")


class TicketOutSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="The queue number, e.g. `A017`.")
    outlet = serializers.CharField()
    reason = serializers.CharField()
    issued_at = serializers.DateTimeField()
    position = serializers.IntegerField(help_text="1: called next.")
    estimated_wait_minutes = serializers.IntegerField(
        help_text="The people ahead × today's average service time, shared by the staffed counters.")


class TicketIssueView(APIView):
    """A queue number for today at an outlet, issued in the app (channel `app`)."""

    permission_classes = [client_kind(ChannelClient.Kind.APP)]

    @extend_schema(operation_id="visit_ticket_issue", request=TicketInSerializer,
                   responses={200: TicketOutSerializer, **error_responses(400, 404, 409, 422)})
    @idempotent
    def post(self, request):
        serializer = TicketInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outlet = Outlet.objects.filter(code=data["outlet"], is_active=True).first()
        if outlet is None:
            raise ApiError(404, "outlet_not_found", _("No open outlet has this code."))
        msisdn = data.get("msisdn", "")
        line = line_by_msisdn(msisdn) if msisdn else None
        ticket = services.ticket_issue(outlet=outlet, reason=data["reason"], channel=Ticket.Channel.APP, actor=None,
                                       actor_label=request.auth.name, msisdn=msisdn,
                                       customer=line.customer if line else None)
        position = selectors.queue_position(ticket)
        wait = selectors.estimated_wait(ticket, position=position)
        return Response(TicketOutSerializer({
            "number": ticket.number, "outlet": outlet.code, "reason": ticket.reason, "issued_at": ticket.issued_at,
            "position": position, "estimated_wait_minutes": round(wait.total_seconds() / 60),
        }).data)
