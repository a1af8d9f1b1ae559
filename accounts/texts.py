"""Refusal texts shared by the apps about a line, with the line's own figures (its status, since when)."""

from django.utils.translation import gettext as _


def line_not_active(line) -> str:
    """Every "the line is not active" refusal names the status the line is in."""
    return _("The line is not active: its status is %(status)s.") % {"status": line.get_status_display().lower()}
