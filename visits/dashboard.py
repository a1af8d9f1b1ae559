"""The supervisors' dashboard panel "Queues today" (registered in VisitsConfig.ready())."""

from django.utils.translation import gettext as _

from core.charts import bar_rows
from visits import selectors


def queues_panel_context(request, today) -> dict:
    queues = selectors.outlet_queues()
    total = selectors.queues_total(queues)
    return {
        "queues_total": total,
        "queues_longest": selectors.minutes(total["longest_wait"]),
        "queues_reason_rows": bar_rows(total["by_reason"]),
        "queues_caption": _("Tickets today by visit reason"),
        "queues": [(queue, selectors.minutes(queue.longest_wait)) for queue in queues if queue.waiting or queue.served],
    }
