"""Billing numbers a supervisor may change (DOMAIN.md Decisions and thresholds), as core.Parameter rows."""

from django.utils.translation import gettext_noop as N_

PARAMETERS = {
    # code: (value, unit, rule, description)
    # Money records: 10 years (Indonesian record-keeping, UU KUP art. 28); older months are detached, not dropped.
    "purchases_retention_months": (120, N_("months"), "", N_("Months of purchase requests kept in the database; older "
                                   "months are detached for archiving.")),
    "usage_records_retention_months": (120, N_("months"), "", N_("Months of usage records kept in the database; older "
                                       "months are detached for archiving.")),
    "limit_warn_percent": (80, N_("%"), "LIM-04", N_("Usage share of the limit that sends the first SMS.")),
    "limit_full_percent": (100, N_("%"), "LIM-04", N_("Usage share of the limit that sends the second SMS.")),
    "limit_min_cash": (300_000, N_("Rp"), "LIM-09", N_("Lowest domestic limit for cash / ATM payers.")),
    "limit_min_card": (500_000, N_("Rp"), "LIM-09", N_("Lowest domestic limit for credit-card autodebit payers.")),
    "limit_max_cash_new": (1_000_000, N_("Rp"), "LIM-09",
        N_("Highest domestic limit, cash payers, tenure below the tier.")),
    "limit_max_card_new": (2_500_000, N_("Rp"), "LIM-09",
        N_("Highest domestic limit, card payers, tenure below the tier.")),
    "limit_max_tenured": (5_000_000, N_("Rp"), "LIM-09", N_("Highest domestic limit once tenure reaches the tier.")),
    "limit_tenure_tier_months": (12, N_("months"), "LIM-09", N_("Tenure from which the higher maximum applies.")),
    "limit_upgrade_tenure_months": (3, N_("months"), "LIM-07", N_("Tenure a line needs before its limit is raised.")),
    "regular_customer_cycles": (6, N_("cycles"), "LIM-07",
        N_("Recent bill cycles without a late payment (regular customer).")),
    "limit_international_default": (1_000_000, N_("Rp"), "LIM-01", N_("International (roaming) limit of a new line.")),
    "limit_international_max": (5_000_000, N_("Rp"), "LIM-01", N_("Highest international (roaming) limit.")),
    "bill_due_days": (20, N_("days"), "BIL-01", N_("Days from a bill's processing to its due date.")),
    "objection_window_months": (2, N_("months"), "BIL-03",
        N_("Months after processing during which a bill can be disputed.")),
    "early_settlement_bills": (3, N_("bills"), "BIL-04", N_("Closed bills averaged for the early-settlement check.")),
    "early_settlement_percent": (150, N_("%"), "BIL-04",
        N_("Current usage share of that average that triggers a demand.")),
    "early_settlement_days": (7, N_("days"), "BIL-04",
        N_("Days the customer has to settle an early-settlement demand.")),
    "ppn_percent": (11, N_("%"), "BIL-10", N_("VAT (PPN) on each bill's taxable charges, rounded down to the rupiah.")),
    "goodwill_cap_months": (3, N_("months"), "BIL-08",
        N_("Most a goodwill credit may be, in months of subscription fee.")),
}
