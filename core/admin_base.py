"""Admin building blocks every app uses: read-only history tables and tables that hold millions of rows."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections, models
from django.utils.functional import cached_property


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services only (history, money): a supervisor reads them here, never edits them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LargeTablePaginator(Paginator):
    """Skips `SELECT COUNT(*)` over the whole table: an unfiltered list uses PostgreSQL's row estimate.

    A filtered or searched list still counts exactly (the filters and searches are indexed).
    """

    @cached_property
    def count(self):
        queryset = self.object_list
        if isinstance(queryset, models.QuerySet) and not queryset.query.where:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                                   [queryset.model._meta.db_table])
                    row = cursor.fetchone()
                if row and row[0] >= 10_000:
                    return int(row[0])
        return super().count


class LargeTableAdmin(admin.ModelAdmin):
    """Defaults for a table that will hold millions of rows."""

    paginator = LargeTablePaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    list_max_show_all = 200
    ordering = ["-id"]


class MsisdnSearchMixin:
    """Search by a mobile number typed in any ACC-02 form (an exact, indexed match on the stored E.164), else by
    `search_fields`, which on big tables should be exact (`=field`) so that no search reads the whole table."""

    msisdn_field = "line__msisdn"

    def get_search_results(self, request, queryset, search_term):
        from accounts.validators import looks_like_msisdn, normalize_msisdn

        term = search_term.strip()
        if looks_like_msisdn(term):
            try:
                return queryset.filter(**{self.msisdn_field: normalize_msisdn(term)}), False
            except ValidationError:
                return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
