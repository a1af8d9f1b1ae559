"""Every write of the prepaid app (cards and ledger, IM3 Prime, batch jobs)."""

from prepaid.services.batch import (
    draw_winners,
    expiry_reminder_chunk,
    lifecycle_chunk,
    prime_renewal_chunk,
    prime_tier_chunk,
    prime_voucher_draw,
    prime_voucher_draw_chunk,
    sms_fair_usage_chunk,
    sms_usage_record,
)
from prepaid.services.cards import (
    PREPAID_BLOCK_REASONS,
    card_activate,
    card_block,
    card_create,
    card_lock,
    card_unblock,
    ledger_adjust,
    ledger_write,
    package_purchase,
    sim_replace,
    sim_replacement_charge,
)
from prepaid.services.price_changes import (
    price_change_schedule,
    price_changes_announce_chunk,
    price_changes_apply_chunk,
)
from prepaid.services.prime import app_pass_claim, prime_cancel, prime_subscribe, spend_averages
from prepaid.services.topups import topup_apply, topup_by_msisdn

__all__ = [
    "PREPAID_BLOCK_REASONS", "app_pass_claim", "card_activate", "card_block", "card_create",
    "card_lock", "card_unblock", "draw_winners", "expiry_reminder_chunk", "ledger_adjust", "ledger_write",
    "lifecycle_chunk", "package_purchase",
    "price_change_schedule", "price_changes_announce_chunk", "price_changes_apply_chunk", "prime_cancel",
    "prime_renewal_chunk",
    "prime_subscribe", "prime_tier_chunk", "prime_voucher_draw", "prime_voucher_draw_chunk", "sim_replace",
    "sim_replacement_charge",
    "sms_fair_usage_chunk", "sms_usage_record", "spend_averages", "topup_apply",
    "topup_by_msisdn",
]
