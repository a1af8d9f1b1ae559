"""UMB menus of KartuHalo (LIM-10): `*888#` Check Status → Credit Limit, `*111*11#` change the domestic limit."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Line
from accounts.selectors import line_by_msisdn
from billing.models import Scope, SpendingLimit
from billing.rules import limit_change_eligibility
from billing.services import spending_limit_change
from core.branding import brand_context
from core.models import Channel
from core.money import format_rupiah
from core.ussd import InvalidInput, Menu, Option, Prompt, UssdReply, UssdRequest, end, register_menu, walk
from core.verdicts import RuleViolation


def _postpaid_line(msisdn: str) -> Line | None:
    line = line_by_msisdn(msisdn)
    return line if line is not None and line.kind == Line.Kind.POSTPAID else None


def _not_kartuhalo() -> UssdReply:
    return end(_("This service is for %(postpaid_brand)s (postpaid) numbers.") % brand_context())


def _limit_screen(line: Line, scope: str) -> UssdReply:
    limit = SpendingLimit.objects.filter(line=line, scope=scope).first()
    if limit is None:
        return end(_("No spending limit is set on this number."))
    return end(_("Credit limit %(scope)s: %(limit)s. Used: %(usage)s (%(percent)d%%). Cycle ends %(end)s.") % {
        "scope": Scope(scope).label, "limit": format_rupiah(limit.amount), "usage": format_rupiah(limit.counted),
        "percent": limit.percent, "end": date_format(limit.cycle_end, "j M Y")})


def check_status_menu(request: UssdRequest) -> UssdReply:
    """`*888#` → 1 Check Status → 1 Credit Limit (Domestic) / 2 Credit Limit (International)."""
    line = _postpaid_line(request.msisdn)
    if line is None:
        return _not_kartuhalo()
    root = Menu(title=_("%(postpaid_brand)s *888#") % brand_context(), options=[
        Option(_("Check Status"), Menu(title=_("Check Status"), options=[
            Option(_("Credit Limit (Domestic)"), lambda req, state: _limit_screen(line, Scope.DOMESTIC)),
            Option(_("Credit Limit (International)"), lambda req, state: _limit_screen(line, Scope.INTERNATIONAL)),
        ])),
    ])
    return walk(root, request)


def _reasons(verdict) -> str:
    return " ".join(str(reason.message) for reason in verdict.reasons)


def _amount_error(verdict, details: dict, amount: int) -> str:
    """Why this amount is refused, in the same range as the prompt states (min to allowed_max, LIM-07/LIM-09)."""
    if amount > details["allowed_max"] and not details["upgrade_allowed"]:
        return " ".join(str(reason) for reason in details["upgrade_blockers"])  # LIM-07: why no upgrade now
    if "out_of_range" in verdict.codes:
        return _("Enter an amount from %(min)s to %(max)s.") % {
            "min": format_rupiah(details["minimum"]), "max": format_rupiah(details["allowed_max"])}
    return _reasons(verdict)


def change_limit_menu(request: UssdRequest) -> UssdReply:
    """`*111*11#`: shows the allowed range and the suggestion, takes an amount, confirms (LIM-06..10)."""
    line = _postpaid_line(request.msisdn)
    if line is None:
        return _not_kartuhalo()
    preview = limit_change_eligibility(line=line)
    if not preview.allowed:
        return end(_reasons(preview))
    details = preview.details
    if details["allowed_max"] == details["minimum"] == details["current"]:  # no other amount is possible now
        return end(_("Your limit of %(current)s cannot be raised now. %(reasons)s") % {
            "current": format_rupiah(details["current"]),
            "reasons": " ".join(str(reason) for reason in details["upgrade_blockers"])})

    def parse_amount(value: str, req, state) -> int:
        digits = value.replace(".", "").strip()
        if not digits.isdigit() or len(digits) > 12:
            raise InvalidInput(_("Enter the amount in rupiah, digits only."))
        verdict = limit_change_eligibility(line=line, new_amount=int(digits))
        if not verdict.allowed:
            raise InvalidInput(_amount_error(verdict, details, int(digits)))
        return int(digits)

    def confirm(req, state) -> UssdReply:
        try:
            spending_limit_change(line=line, new_amount=state["amount"], channel=Channel.UMB, actor=None,
                                  actor_label="ussd:*111*11#")
        except RuleViolation as exc:
            return end(" ".join(exc.messages))
        return end(_("Your domestic limit is now %(amount)s.") % {"amount": format_rupiah(state["amount"])})

    prompt_text = _("Limit now %(current)s. Allowed %(min)s-%(max)s. Suggested %(suggested)s. New limit:") % {
        "current": format_rupiah(details["current"]), "min": format_rupiah(details["minimum"]),
        "max": format_rupiah(details["allowed_max"]), "suggested": format_rupiah(details["suggested"])}
    root = Prompt(text=prompt_text, key="amount", parse=parse_amount, then=Menu(
        title=lambda req, state: _("Change the domestic limit to %(amount)s?") % {
            "amount": format_rupiah(state["amount"])},
        options=[Option(_("Yes"), confirm), Option(_("No"), end(_("Cancelled. Your limit is unchanged.")))],
    ))
    return walk(root, request)


def register() -> None:
    register_menu("*888#", check_status_menu)
    register_menu("*111*11#", change_limit_menu)
