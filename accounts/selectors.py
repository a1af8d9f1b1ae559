"""Reads for the agent workspace and the API. Each page's reads are a fixed number of queries."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, Exists, F, Func, OuterRef, Prefetch, QuerySet, Subquery
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
    """Result rows with their open blocks (`open_block_count`, the latest one's `open_block_reason`): two correlated
    subqueries on `block_line_open`, evaluated only for the rows shown."""
    open_blocks = Block.objects.filter(line=OuterRef("pk"), ended_at__isnull=True).order_by()
    return (
        Line.objects.select_related("customer", "billing_account")
        .annotate(open_block_count=Subquery(open_blocks.values(n=Func(F("pk"), function="COUNT"))),
                  open_block_reason=Subquery(open_blocks.order_by("-started_at").values("reason")[:1]))
        .order_by("status", "msisdn", "pk")
    )


def _compact(query: str) -> str:
    return "".join(query.split()).replace("-", "").replace(".", "")


def name_key(field: str = "full_name"):
    """UPPER(name), in the "C" collation on PostgreSQL so that its index serves prefix matches and ordering."""
    key = Upper(field)
    return Collate(key, "C") if connection.vendor == "postgresql" else key


class NameWords(Func):
    """' ' || UPPER(name): every word of the name starts after a space, so `LIKE '% SAPUTRA%'` finds "Nur Saputra".
    The GIN trigram index `customer_name_trgm` (migration 0006) is built on this same expression."""

    template = "(' ' || UPPER(%(expressions)s))"
    output_field = CharField()


def name_matches(query: str) -> QuerySet:
    """Customers with a word of the name starting with each word typed ("Saputra" and "nur sap" find "Nur Saputra").

    PostgreSQL: one `LIKE '% WORD%'` per word on `NameWords`, served by its GIN trigram index (pg_trgm) however
    common the word; the ordering by the name key then reads only the matches. SQLite: `icontains` per word."""
    words = query.split()
    if connection.vendor != "postgresql":
        customers = Customer.objects.all()
        for word in words:
            customers = customers.filter(full_name__icontains=word)
        return customers
    customers = Customer.objects.alias(name_words=NameWords("full_name"))
    for word in words:
        customers = customers.filter(name_words__contains=" " + word.upper())
    return customers


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
    """One box for everything: MSISDN (08…, 628…, +628…), NIK, ICCID, account number or any words of a name."""
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
        customers = name_matches(query)
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


OTHER_LINES_SHOWN = 6  # the header lists this many of the customer's other lines, then links to the customer page


def line_other_lines(line: Line, limit: int = OTHER_LINES_SHOWN) -> list[Line]:
    """The customer's other lines for the header, each with `is_blocked`: one query on the customer's index, at most
    `limit + 1` rows (the extra row tells the page there are more), however many lines the customer has."""
    open_block = Block.objects.filter(line=OuterRef("pk"), ended_at__isnull=True)
    return list(
        Line.objects.filter(customer_id=line.customer_id).exclude(pk=line.pk).exclude(status=Line.Status.RECYCLED)
        .annotate(is_blocked=Exists(open_block)).order_by("status", "msisdn", "pk")[: limit + 1]
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
