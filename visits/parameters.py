"""Numbers of the counter a supervisor may change, as core.Parameter rows."""

from django.utils.translation import gettext_noop as N_

PARAMETERS = {
    # code: (value, unit, rule, description)
    "visit_wait_target_minutes": (15, N_("minutes"), "", N_("A customer waiting longer than this is an SLA breach.")),
}
