"""Prepaid numbers a supervisor may change (DOMAIN.md Decisions), as core.Parameter rows."""

from django.utils.translation import gettext_noop as N_

PARAMETERS = {
    # code: (value, unit, rule, description)
    # Money records: 10 years (Indonesian record-keeping, UU KUP art. 28); older months are detached, not dropped.
    "ledger_retention_months": (120, N_("months"), "", N_("Months of ledger entries kept in the database; older months "
                                "are detached for archiving.")),
    "prepaid_grace_days": (30, N_("days"), "PRE-02",
        N_("Grace days after the Active Period ends before a card is invalid.")),
    "prepaid_initial_active_days": (30, N_("days"), "PRE-01", N_("Active Period of a newly activated card.")),
    "prepaid_balance_floor": (3000, N_("Rp"), "PRE-05", N_("Balance a package purchase must leave on the card.")),
    "prepaid_sms_per_day": (1000, N_("SMS"), "PRE-04", N_("SMS a card may send per day before a fair-usage block.")),
    "prepaid_sms_per_hour": (200, N_("SMS"), "PRE-04", N_("SMS a card may send per hour before a fair-usage block.")),
    "prepaid_sim_replacement_fee": (10000, N_("Rp"), "PRE-03",
        N_("Admin fee for a replacement SIM (free with IM3 Prime).")),
    "prepaid_reminder_days": (3, N_("days"), "PRE-02",
        N_("Days before the Active Period ends that the reminder SMS goes.")),
    "prepaid_weekend_price_percent": (100, N_("%"), "PRE-06",
        N_("Package price on Saturdays and Sundays, % of normal.")),
    "prime_app_pass_days": (3, N_("days"), "PRM-04", N_("Days an IM3 Prime unlimited app pass lasts.")),
    "prime_spend_months": (3, N_("months"), "PRM-01", N_("Months of spend averaged to assign the Prime tier.")),
    "prime_voucher_winners": (10, N_("winners"), "PRM-04", N_("E-voucher winners in each Wednesday draw.")),
    "price_change_notice_days": (7, N_("days"), "PRE-08",
        N_("Least days between scheduling a price change and its date.")),
    "price_change_audience_days": (90, N_("days"), "PRE-08", N_("A price change is announced to cards that bought the "
                                   "package within this many days.")),
    "prime_voucher_amount": (50000, N_("Rp"), "PRM-04", N_("Value of each Wednesday online-shopping e-voucher.")),
}
