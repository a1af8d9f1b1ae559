"""Prepaid numbers a supervisor may change (DOMAIN.md Decisions), as core.Parameter rows."""

PARAMETERS = {
    # code: (value, unit, rule, description)
    # Money records: 10 years (Indonesian record-keeping, UU KUP art. 28); older months are detached, not dropped.
    "ledger_retention_months": (120, "months", "", "Months of ledger entries kept in the database; older months "
                                "are detached for archiving."),
    "prepaid_grace_days": (30, "days", "PRE-02", "Grace days after the Active Period ends before a card is invalid."),
    "prepaid_initial_active_days": (30, "days", "PRE-01", "Active Period of a newly activated card."),
    "prepaid_balance_floor": (3000, "Rp", "PRE-05", "Balance a package purchase must leave on the card."),
    "prepaid_sms_per_day": (1000, "SMS", "PRE-04", "SMS a card may send per day before a fair-usage block."),
    "prepaid_sms_per_hour": (200, "SMS", "PRE-04", "SMS a card may send per hour before a fair-usage block."),
    "prepaid_sim_replacement_fee": (10000, "Rp", "PRE-03", "Admin fee for a replacement SIM (free with IM3 Prime)."),
    "prepaid_reminder_days": (3, "days", "PRE-02", "Days before the Active Period ends that the reminder SMS goes."),
    "prepaid_weekend_price_percent": (100, "%", "PRE-06", "Package price on Saturdays and Sundays, % of normal."),
    "prime_app_pass_days": (3, "days", "PRM-04", "Days an IM3 Prime unlimited app pass lasts."),
    "prime_spend_months": (3, "months", "PRM-01", "Months of spend averaged to assign the Prime tier."),
    "prime_voucher_winners": (10, "winners", "PRM-04", "E-voucher winners in each Wednesday draw."),
    "price_change_notice_days": (7, "days", "PRE-08", "Least days between scheduling a price change and its date."),
    "price_change_audience_days": (90, "days", "PRE-08", "A price change is announced to cards that bought the "
                                   "package within this many days."),
    "prime_voucher_amount": (50000, "Rp", "PRM-04", "Value of each Wednesday online-shopping e-voucher."),
}
