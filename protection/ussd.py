"""UMB `*500*777#`: TecProtec information, registration and status (TP-02).

1 Info · 2 Daftar · 3 Status. Daftar → 1 Bulanan / 2 6 Bulan → 1 YA → END with the outcome, so the text path
`2*1*1` registers a monthly plan. Every refusal names its reason; a prepaid line is told TecProtec is for
KartuHalo only and nothing is created (TP-01).
"""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.branding import brand_context
from core.dates import local_today
from core.models import Channel
from core.money import format_rupiah
from core.ussd import Menu, Option, UssdReply, UssdRequest, end, register_menu, walk
from core.verdicts import RuleViolation
from protection.models import Enrollment
from protection.rules import enrollment_eligibility
from protection.selectors import enrollment_current, line_device, product_current
from protection.services import protection_enroll

SERVICE_CODE = "*500*777#"


def _line(request: UssdRequest):
    from accounts.selectors import line_by_msisdn

    return line_by_msisdn(request.msisdn)


def _d(day) -> str:
    return date_format(day, "d-m-Y")


def _info(request: UssdRequest, state: dict) -> UssdReply:
    product = product_current()
    if product is None:
        return end(_("TecProtec is not available."))
    return end(_("TecProtec for KartuHalo: %(monthly)s/month x%(n)s or %(upfront)s for %(months)s months. "
                 "1 claim up to %(limit)s, fee %(fee)s. AMSI %(cc)s")
               % {"monthly": format_rupiah(product.monthly_price), "n": product.installment_count,
                  "upfront": format_rupiah(product.upfront_price), "months": product.period_months,
                  "limit": format_rupiah(product.claim_limit), "fee": format_rupiah(product.claim_fee),
                  "cc": product.partner_call_centre})


def _status(request: UssdRequest, state: dict) -> UssdReply:
    line = _line(request)
    if line is None:
        return end(_("This number is not registered."))
    enrollment = enrollment_current(line)
    if enrollment is None:
        return end(_("You have no TecProtec. Dial *500*777# and choose 2 to register."))
    if enrollment.status == Enrollment.Status.ACTIVE:
        return end(_("TecProtec active until %(end)s for IMEI %(imei)s. Claims from %(from)s.")
                   % {"end": _d(enrollment.last_covered_day), "imei": enrollment.imei,  # TP-04
                      "from": _d(enrollment.claims_from)})
    return end(_("Your TecProtec is %(status)s (%(end)s).")
               % {"status": enrollment.get_status_display(), "end": _d(enrollment.last_covered_day)})


def _first_reason(verdict_or_exc) -> str:
    reasons = verdict_or_exc.reasons
    return str(reasons[0].message) if reasons else _("Registration is not possible.")


def _register_start(request: UssdRequest, state: dict):
    """Choosing 2 Daftar: refuse at once, with the reason, when the line cannot subscribe."""
    line = _line(request)
    if line is None:
        return end(_("This number is not registered."))
    device = line_device(line)
    verdict = enrollment_eligibility(line=line, product=product_current(), imei=device.imei if device else None,
                                     channel=Channel.UMB, today=local_today())
    if not verdict.allowed:
        if "not_postpaid" in verdict.codes:  # TP-01
            return end(_("Sorry, TecProtec is only for %(postpaid_brand)s (postpaid) customers.") % brand_context())
        return end(_("Registration refused: %(reason)s") % {"reason": _first_reason(verdict)})
    state["line"] = line
    return _payment_menu()


def _payment_menu() -> Menu:
    product = product_current()
    return Menu(
        title=_("TecProtec payment:"),
        options=[
            Option(_("Bulanan (%(price)s/month)") % {"price": format_rupiah(product.monthly_price)},
                   lambda request, state: _confirm_menu(state, Enrollment.PaymentOption.MONTHLY)),
            Option(_("6 Bulan (%(price)s)") % {"price": format_rupiah(product.upfront_price)},
                   lambda request, state: _confirm_menu(state, Enrollment.PaymentOption.UPFRONT)),
        ],
    )


def _confirm_menu(state: dict, option: str) -> Menu:
    state["option"] = option
    product = product_current()
    if option == Enrollment.PaymentOption.MONTHLY:
        price = _("%(price)s/month for %(n)s months") % {"price": format_rupiah(product.monthly_price),
                                                         "n": product.installment_count}
    else:
        price = _("%(price)s for %(months)s months") % {"price": format_rupiah(product.upfront_price),
                                                        "months": product.period_months}
    return Menu(
        title=_("Register TecProtec, %(price)s on your KartuHalo bill?") % {"price": price},
        options=[Option(_("YA"), _register), Option(_("Cancel"), end(_("Registration cancelled.")))],
    )


def _register(request: UssdRequest, state: dict) -> UssdReply:
    try:
        enrollment = protection_enroll(line=state["line"], payment_option=state["option"],
                                       channel=Channel.UMB, actor=None,
                                       actor_label=f"ussd:{SERVICE_CODE}")
    except RuleViolation as exc:
        return end(_("Registration refused: %(reason)s") % {"reason": _first_reason(exc)})
    return end(_("TecProtec active from %(start)s to %(end)s for IMEI %(imei)s. An SMS confirms it.")
               % {"start": _d(enrollment.start_date), "end": _d(enrollment.last_covered_day),  # TP-04
                  "imei": enrollment.imei})


def menu(request: UssdRequest) -> UssdReply:
    # Built per request so that the texts are in the language active now.
    root = Menu(
        title="TecProtec",
        options=[Option(_("Info"), _info), Option(_("Daftar"), _register_start), Option(_("Status"), _status)],
    )
    return walk(root, request)


def register() -> None:
    register_menu(SERVICE_CODE, menu)
