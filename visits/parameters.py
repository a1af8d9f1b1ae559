"""Numbers of the counter a supervisor may change, as core.Parameter rows."""

PARAMETERS = {
    # code: (value, unit, rule, description)
    "visit_wait_target_minutes": (15, "minutes", "", "A customer waiting longer than this is an SLA breach."),
}
