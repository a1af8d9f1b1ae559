"""Catalogue texts in both languages: the Indonesian field (`name`) and its English twin (`name_en`), the one shown
chosen by the active language (Indonesian when the English one is empty)."""

from django.utils.translation import get_language


def localized(obj, field: str) -> str:
    """`localized(package, "name")`: `package.name_en` on an English page if it is filled in, else `package.name`."""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)
