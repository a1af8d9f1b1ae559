"""Filters for the search result list."""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import Line


class LineResultFilter(django_filters.FilterSet):
    """Narrow the lines found by the search box by kind and status."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Line.Kind.choices, empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Line.Status.choices,
                                         empty_label=_("All statuses"))

    class Meta:
        model = Line
        fields = ["kind", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    @property
    def is_filtering(self) -> bool:
        return bool(self.is_bound and any(self.data.get(name) for name in self.filters))
