"""BIL-10: the VAT (PPN) of a bill."""


def ppn_amount(*, taxable: int, percent: int) -> int:
    """PPN = taxable × percent / 100, rounded down to the rupiah (Decision: fractions of a rupiah are dropped, as
    tax invoices do), towards zero for a net credit so that no more tax is refunded than was due."""
    amount = abs(taxable) * percent // 100
    return amount if taxable >= 0 else -amount
