"""Reads for the agent workspace and the API. Each page's reads are a fixed number of queries."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Func, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Collate, Upper
from django.utils.translation import gettext as _

from accounts.models import BillingAccount, Block, Customer, Line
from core.identifiers import looks_like_msisdn, normalize_msisdn
from core.models import AuditEvent

NAME_MIN_LENGTH = 2
NAME_CUSTOMER_LIMIT = 200  # a name search shows the lines of at most this many customers
OTHER_DOCUMENTS = [Customer.IdType.DRIVING_LICENCE, Customer.IdType.PASSPORT, Customer.IdType.NPWP]


@dataclass
class SearchResult:
    """What the one search box found. `lines` and `customers` are unsliced querysets: the page filters and slices."""

    kind: str  # msisdn, nik, iccid, account, name, digits, empty
    query: str
    lines: QuerySet
    customers: QuerySet
    error: str = ""  # the input cannot be a search term (a malformed number, a name too short)
    normalized: str = field(default="")  # e.g. the E.164 form of an MSISDN

    def single_line(self, *, lines: list | None = None, customers: list | None = None,
                    complete: bool = False) -> Line | None:
        """The line to open straight away: exactly one line and no customer without a line.

        A caller that already fetched the rows passes them (`complete`: the customers list holds every match), so
        the page does not query the same rows twice."""
        if self.error:
            return None
        lines = list(self.lines[:2]) if lines is None else lines
        if len(lines) != 1:
            return None
        if customers is not None and any(customer.line_count == 0 for customer in customers):
            return None
        if not (customers is not None and complete) and self.customers.filter(line_count=0).exists():
            return None
        return lines[0]


def _line_rows() -> QuerySet:
    return Line.objects.select_related("customer", "billing_account").order_by("status", "msisdn", "pk")


def _compact(query: str) -> str:
    return "".join(query.split()).replace("-", "").replace(".", "")


def name_key(field: str = "full_name"):
    """UPPER(name), in the "C" collation on PostgreSQL so that its index serves prefix matches and ordering."""
    key = Upper(field)
    return Collate(key, "C") if connection.vendor == "postgresql" else key


def classify_query(query: str) -> str:
    compact = _compact(query)
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
    if compact.startswith("+"):
        return "digits"
    return "name"


def search(query: str) -> SearchResult:
    """One box for everything: MSISDN (08…, 628…, +628…), NIK, ICCID, account number or a name prefix."""
    query = " ".join((query or "").split())[:100]
    kind = classify_query(query)
    compact = _compact(query)
    lines = Line.objects.none()
    customers = Customer.objects.none()
    error = ""
    normalized = compact
    if kind == "empty":
        error = _("Type a mobile number, a NIK, an ICCID, an account number or a name.")
    elif kind == "msisdn":
        try:
            normalized = normalize_msisdn(compact)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            lines = _line_rows().filter(msisdn=normalized)
    elif kind == "nik":
        customers = Customer.objects.filter(id_type=Customer.IdType.KTP, id_number=compact)
        lines = _line_rows().filter(customer__id_type=Customer.IdType.KTP, customer__id_number=compact)
    elif kind == "iccid":
        lines = _line_rows().filter(iccid=compact)
    elif kind == "account":
        customers = Customer.objects.filter(billing_accounts__number=compact)
        lines = _line_rows().filter(billing_account__number=compact)
    elif kind == "digits":
        # Maybe another identity document (a driving licence has 12–16 digits).
        customers = Customer.objects.filter(id_type__in=OTHER_DOCUMENTS, id_number=compact)
        lines = _line_rows().filter(customer__id_type__in=OTHER_DOCUMENTS, customer__id_number=compact)
        if not customers.exists():
            error = _(
                "%(query)s is not a mobile number (08…, 628…, +628…), a NIK (16 digits), an ICCID (19–20 digits, "
                "starting 89), an account number (10 digits) or a registered document number."
            ) % {"query": query}
    elif len(query) < NAME_MIN_LENGTH:
        error = _("Type at least %(count)d letters of the name.") % {"count": NAME_MIN_LENGTH}
    elif any(char.isdigit() for char in compact):
        # Letters and digits: a passport number (names have no digits).
        passport = compact.upper()
        customers = Customer.objects.filter(id_type=Customer.IdType.PASSPORT, id_number=passport)
        lines = _line_rows().filter(customer__id_type=Customer.IdType.PASSPORT, customer__id_number=passport)
    else:
        # Case-insensitive prefix on the name key: on PostgreSQL the index on the same expression serves both the
        # LIKE 'ABC%' range and the ORDER BY … LIMIT, so a common prefix reads only the rows it shows.
        customers = Customer.objects.alias(name_key=name_key()).filter(name_key__startswith=query.upper())
        # The lines of the first customers by name, found through the customer index (not a scan of all lines).
        first_customers = customers.order_by(name_key(), "pk").values("pk")[:NAME_CUSTOMER_LIMIT]
        lines = _line_rows().filter(customer_id__in=first_customers).order_by(
            name_key("customer__full_name"), "customer_id", "status", "msisdn", "pk")
    # Counted per shown customer (a correlated subquery, evaluated after ORDER BY … LIMIT), not per match.
    line_count = Line.objects.filter(customer=OuterRef("pk")).order_by().values(n=Func(F("pk"), function="COUNT"))
    customers = customers.annotate(line_count=Subquery(line_count)).order_by(name_key(), "pk")
    return SearchResult(kind=kind, query=query, lines=lines, customers=customers, error=error, normalized=normalized)


def line_detail(line_id: int) -> Line:
    """A line with its customer, account and open blocks (`line.open_blocks`), in two queries."""
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


def account_line_count(line: Line) -> int:
    """How many lines share this line's billing account (SAMU, ACC-03); 0 for prepaid."""
    if line.billing_account_id is None:
        return 0
    return Line.objects.filter(billing_account_id=line.billing_account_id).count()


def line_blocks(line: Line, limit: int = 50) -> QuerySet:
    return line.blocks.select_related("started_by", "ended_by").order_by("-started_at", "-pk")[:limit]


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
