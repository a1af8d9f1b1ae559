"""The accounts admins' indexed search (the agent search box's rules); the shared admin bases are in core.admin_base."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import BillingAccount, Customer, Line
from accounts.selectors import classify_query
from core.identifiers import normalize_msisdn


def _customer_query(term: str) -> Q | None:
    """The agent search box's rules, as a filter on customers (all indexed lookups)."""
    kind = classify_query(term)
    compact = "".join(term.split()).replace("-", "")
    if kind == "msisdn":
        try:
            msisdn = normalize_msisdn(compact)
        except ValidationError:
            return None
        return Q(pk__in=Line.objects.filter(msisdn=msisdn).values("customer_id"))
    if kind == "nik":
        return Q(id_type=Customer.IdType.KTP, id_number=compact)
    if kind == "iccid":
        return Q(pk__in=Line.objects.filter(iccid=compact).values("customer_id"))
    if kind == "account":
        return Q(pk__in=BillingAccount.objects.filter(number=compact).values("customer_id"))
    if kind == "digits":
        return Q(id_type__in=Customer.IdType.values, id_number=compact)
    if kind == "name" and len(term) >= 2:
        # A passport number looks like a word: try it as a document number too.
        return Q(full_name__istartswith=term) | Q(id_type__in=Customer.IdType.values, id_number=compact.upper())
    return None


def _line_query(term: str, prefix: str = "") -> Q | None:
    """Lines by MSISDN (any form), ICCID, IMSI, NIK, account number or holder's name prefix."""
    kind = classify_query(term)
    compact = "".join(term.split()).replace("-", "")
    if kind == "msisdn":
        try:
            return Q(**{f"{prefix}msisdn": normalize_msisdn(compact)})
        except ValidationError:
            return None
    if kind == "iccid":
        return Q(**{f"{prefix}iccid": compact})
    if kind == "nik":
        return Q(**{f"{prefix}customer__id_type": Customer.IdType.KTP, f"{prefix}customer__id_number": compact})
    if kind == "account":
        return Q(**{f"{prefix}billing_account__number": compact})
    if kind == "digits" and len(compact) == 15:
        return Q(**{f"{prefix}imsi": compact})
    if kind == "name" and len(term) >= 2:
        return Q(**{f"{prefix}customer__full_name__istartswith": term})
    return None


class IndexedSearchMixin:
    """Replaces the admin's `icontains` on every field (a full scan at scale) by one classified, indexed filter."""

    search_help_text = _("MSISDN (08…, 628…, +628…), NIK, ICCID, IMSI, account number or the start of a name.")

    def build_search_filter(self, term: str) -> Q | None:
        raise NotImplementedError

    def get_search_results(self, request, queryset, search_term):
        term = " ".join(search_term.split())
        if not term:
            return queryset, False
        condition = self.build_search_filter(term)
        if condition is None:
            return queryset.none(), False
        return queryset.filter(condition), False


