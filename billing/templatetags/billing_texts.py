from django import template

from billing.texts import bill_label as _bill_label

register = template.Library()


@register.filter
def bill_label(bill) -> str:
    """`{{ bill|bill_label }}` → "Bill November 2026"."""
    return _bill_label(bill) if bill else ""


@register.filter
def unshown(reasons, shown_codes) -> list:
    """The reasons the form's errors do not already show (each refusal is read once)."""
    return [reason for reason in reasons or [] if reason.code not in (shown_codes or [])]
