"""Checks on SMS template texts: every `{variable}` listed, every listed variable used in both languages."""

import string

from django.utils.translation import gettext as _

from core.branding import BRAND_VARIABLES


def placeholders(text: str) -> set[str]:
    """The `{name}` fields of a text; raises ValueError on a malformed brace."""
    names = set()
    for _literal, field, _spec, _conversion in string.Formatter().parse(text or ""):
        if field is not None:
            names.add(field)
    return names


def template_errors(*, text_id: str, text_en: str, variables: list[str]) -> dict[str, list[str]]:
    """Field → messages. Empty when the template is sound."""
    errors: dict[str, list[str]] = {}
    listed = set(variables)
    for field, text in (("text_id", text_id), ("text_en", text_en)):
        try:
            used = placeholders(text)
        except ValueError:
            errors.setdefault(field, []).append(_("Unbalanced { or } in the text; write {{ or }} for a brace."))
            continue
        bad = sorted(name for name in used if not name.isidentifier())
        if bad:
            errors.setdefault(field, []).append(
                _("Placeholders must be simple names: %(names)s.") % {"names": ", ".join(bad)})
        unlisted = sorted(used - listed - BRAND_VARIABLES - set(bad))  # the brand names are always there
        if unlisted:
            errors.setdefault(field, []).append(
                _("Variables not listed: %(names)s.") % {"names": ", ".join(unlisted)})
        missing = sorted(listed - used)
        if missing:
            errors.setdefault(field, []).append(
                _("Listed variables missing from this text: %(names)s.") % {"names": ", ".join(missing)})
    return errors
