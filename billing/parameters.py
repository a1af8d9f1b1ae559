"""Billing numbers a supervisor may change (DOMAIN.md Decisions and thresholds), as core.Parameter rows."""

PARAMETERS = {
    # code: (value, unit, rule, description)
    # Money records: 10 years (Indonesian record-keeping, UU KUP art. 28); older months are detached, not dropped.
    "purchases_retention_months": (120, "months", "", "Months of purchase requests kept in the database; older "
                                   "months are detached for archiving."),
    "usage_records_retention_months": (120, "months", "", "Months of usage records kept in the database; older "
                                       "months are detached for archiving."),
    "limit_warn_percent": (80, "%", "LIM-04", "Usage share of the limit that sends the first SMS."),
    "limit_full_percent": (100, "%", "LIM-04", "Usage share of the limit that sends the second SMS."),
    "limit_min_cash": (300_000, "Rp", "LIM-09", "Lowest domestic limit for cash / ATM payers."),
    "limit_min_card": (500_000, "Rp", "LIM-09", "Lowest domestic limit for credit-card autodebit payers."),
    "limit_max_cash_new": (1_000_000, "Rp", "LIM-09", "Highest domestic limit, cash payers, tenure below the tier."),
    "limit_max_card_new": (2_500_000, "Rp", "LIM-09", "Highest domestic limit, card payers, tenure below the tier."),
    "limit_max_tenured": (5_000_000, "Rp", "LIM-09", "Highest domestic limit once tenure reaches the tier."),
    "limit_tenure_tier_months": (12, "months", "LIM-09", "Tenure from which the higher maximum applies."),
    "limit_upgrade_tenure_months": (3, "months", "LIM-07", "Tenure a line needs before its limit is raised."),
    "regular_customer_cycles": (6, "cycles", "LIM-07", "Recent bill cycles without a late payment (regular customer)."),
    "limit_international_default": (1_000_000, "Rp", "LIM-01", "International (roaming) limit of a new line."),
    "limit_international_max": (5_000_000, "Rp", "LIM-01", "Highest international (roaming) limit."),
    "bill_due_days": (20, "days", "BIL-01", "Days from a bill's processing to its due date."),
    "objection_window_months": (2, "months", "BIL-03", "Months after processing during which a bill can be disputed."),
    "early_settlement_bills": (3, "bills", "BIL-04", "Closed bills averaged for the early-settlement check."),
    "early_settlement_percent": (150, "%", "BIL-04", "Current usage share of that average that triggers a demand."),
    "early_settlement_days": (7, "days", "BIL-04", "Days the customer has to settle an early-settlement demand."),
    "ppn_percent": (11, "%", "BIL-10", "VAT (PPN) on each bill's taxable charges, rounded down to the rupiah."),
    "goodwill_cap_months": (3, "months", "BIL-08", "Most a goodwill credit may be, in months of subscription fee."),
}
