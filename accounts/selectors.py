"""Reads for the agent workspace and the API."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet

from accounts.models import BillingAccount, Block, Customer, Line
from accounts.validators import looks_like_msisdn, normalize_msisdn
from core.models import AuditEvent


@dataclass
class SearchResult:
    kind: str  # msisdn, nik, iccid, account, name, empty
    query: str
    lines: QuerySet
    customers: QuerySet

    @property
    def single_line(self) -> Line | None:
        lines = list(self.lines[:2])
        if len(lines) == 1 and not self.customers_without_lines():
            return lines[0]
        return None

    def customers_without_lines(self) -> list[Customer]:
        return [customer for customer in self.customers if not customer.line_count]


def _line_rows() -> QuerySet:
    return Line.objects.select_related("customer", "billing_account").order_by("status", "msisdn")


def classify_query(query: str) -> str:
    compact = "".join(query.split()).replace("-", "")
    if not compact:
        return "empty"
    if looks_like_msisdn(compact):
        return "msisdn"
    if compact.isdigit():
        if len(compact) == 16:
            return "nik"
        if len(compact) in (19, 20) and compact.startswith("89"):
            return "iccid"
        if len(compact) == 10 and compact[0] in "12345":
            return "account"
        return "digits"
    return "name"


def search(query: str, limit: int = 50) -> SearchResult:
    """One box for everything: MSISDN in any form, NIK, ICCID, account number or a name prefix."""
    query = (query or "").strip()
    kind = classify_query(query)
    compact = "".join(query.split()).replace("-", "")
    lines = Line.objects.none()
    customers = Customer.objects.none()
    if kind == "msisdn":
        try:
            lines = _line_rows().filter(msisdn=normalize_msisdn(compact))
        except ValidationError:
            pass
    elif kind == "nik":
        customers = Customer.objects.filter(id_type=Customer.IdType.KTP, id_number=compact)
        lines = _line_rows().filter(customer__id_type=Customer.IdType.KTP, customer__id_number=compact)
    elif kind == "iccid":
        lines = _line_rows().filter(iccid=compact)
    elif kind == "account":
        lines = _line_rows().filter(billing_account__number=compact)
    elif kind == "name" and len(query) >= 2:
        customers = Customer.objects.filter(full_name__istartswith=query).order_by("full_name")
        lines = _line_rows().filter(customer__full_name__istartswith=query)
    customers = customers.annotate(line_count=Count("lines"))[:limit]
    return SearchResult(kind=kind, query=query, lines=lines[:limit], customers=customers)


def line_detail(line_id: int) -> Line:
    open_blocks = Block.objects.filter(ended_at__isnull=True).select_related("started_by").order_by("-started_at")
    return (
        Line.objects.select_related("customer", "billing_account")
        .prefetch_related(Prefetch("blocks", queryset=open_blocks, to_attr="open_blocks"))
        .get(pk=line_id)
    )


def line_by_msisdn(msisdn: str) -> Line | None:
    """The line that holds the number now (recycled history excluded)."""
    normalized = normalize_msisdn(msisdn)
    return (
        Line.objects.select_related("customer", "billing_account")
        .exclude(status=Line.Status.RECYCLED)
        .filter(msisdn=normalized)
        .first()
    )


def line_blocks(line: Line, limit: int = 50) -> QuerySet:
    return line.blocks.select_related("started_by", "ended_by").order_by("-started_at")[:limit]


def line_open_blocks(line: Line) -> QuerySet:
    return line.blocks.filter(ended_at__isnull=True).order_by("-started_at")


def line_is_blocked(line: Line, scopes: tuple[str, ...] | None = None) -> bool:
    blocks = line_open_blocks(line)
    if scopes:
        blocks = blocks.filter(scope__in=scopes)
    return blocks.exists()


def line_timeline(line: Line, limit: int = 50) -> QuerySet:
    return AuditEvent.objects.filter(line=line).select_related("actor", "outlet").order_by("-created_at", "-id")[:limit]


def customer_detail(customer_id: int) -> Customer:
    return Customer.objects.select_related("registered_at").get(pk=customer_id)


def customer_lines(customer: Customer) -> QuerySet:
    return customer.lines.select_related("billing_account").order_by("status", "msisdn")


def customer_accounts(customer: Customer) -> QuerySet:
    return BillingAccount.objects.filter(customer=customer).order_by("number")


def customer_timeline(customer: Customer, limit: int = 50) -> QuerySet:
    return (
        AuditEvent.objects.filter(customer=customer).select_related("actor", "outlet", "line")
        .order_by("-created_at", "-id")[:limit]
    )
