"""Money is whole rupiah, stored as integers and shown as `Rp 1.234.567`."""


def format_rupiah(amount: int | None) -> str:
    if amount is None:
        return ""
    amount = int(amount)
    digits = f"{abs(amount):,}".replace(",", ".")
    return f"-Rp {digits}" if amount < 0 else f"Rp {digits}"
