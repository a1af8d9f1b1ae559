"""Agent pages for prepaid: the line tab, the paged ledger and the actions (each calls one service)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Line
from core.actions import ActionState, action_done, action_render, action_submit, is_check
from core.dates import format_day, local_today
from core.models import Channel
from core.money import format_rupiah
from core.replica import replica_reads
from core.verdicts import Reason
from prepaid import forms, rules, selectors, services
from prepaid.models import Card, PrimeSubscription

LEDGER_PAGE = 25
TAB_LEDGER_ROWS = 10


def _line(pk) -> Line:
    from accounts.selectors import line_detail

    try:
        return line_detail(pk)
    except Line.DoesNotExist:
        raise Http404 from None


def _card(line: Line) -> Card:
    card = selectors.card_for_line(line)
    if card is None:
        raise Http404
    return card


# The line-page tab the actions come back to (registered in prepaid/apps.py).
TAB = "prepaid"


def _back(line):
    return action_done(line=line, tab=TAB)


def _page(request, **kwargs):
    return action_render(request, cancel_tab=TAB, **kwargs)


def _day_class(days: int | None) -> str:
    if days is None:
        return "secondary"
    if days <= 3:
        return "danger"
    if days <= 7:
        return "warning"
    return "success"


def _state_refused(code: str, message: str) -> ActionState:
    return ActionState(False, (Reason(code, message),))


def _topup_state(card: Card) -> ActionState:
    if card.state == Card.State.INVALID:  # PRE-02: the card has ended, its balance is gone
        return _state_refused("card_invalid", _("The card has been invalid since %(date)s: no top-up.")
                              % {"date": format_day(card.invalid_since)})
    return ActionState()


def _card_state_refusal(card: Card) -> ActionState:
    return _state_refused("card_not_active", _("The card is %(state)s, not active.")
                          % {"state": card.get_state_display().lower()})


def _purchase_state(card: Card) -> ActionState:
    return ActionState() if card.state == Card.State.ACTIVE else _card_state_refusal(card)


def _prime_state(card: Card) -> ActionState:
    """PRE-07: Prime only on an active IM3 card (the fee against the balance is checked on the form)."""
    if card.state != Card.State.ACTIVE:
        return _card_state_refusal(card)
    if card.brand != Card.Brand.IM3:
        return _state_refused("not_im3", _("IM3 Prime is for IM3 Ooredoo cards; this card is %(brand)s.")
                              % {"brand": card.get_brand_display()})
    return ActionState()


def line_tab_context(request, line) -> dict:
    """The prepaid tab: state timeline, balance, last ledger rows, Prime, benefits. A constant number of queries."""
    today = local_today()
    card = selectors.card_for_line(line)
    if card is None:
        return {"card": None, "can_create": request.user.has_perm("prepaid.add_card")}
    subscription = selectors.active_prime(card)
    days = selectors.days_left(card, today)
    days_class = "danger" if card.state == Card.State.GRACE else _day_class(days)  # PRE-02: never green in grace
    user = request.user
    return {
        "card": card, "today": today, "days_left": days, "days_class": days_class,
        "subscription": subscription, "benefits": selectors.prime_benefits(subscription),
        "entries": list(selectors.card_ledger(card)[:TAB_LEDGER_ROWS]),
        "purchases": list(card.purchases.select_related("package").order_by("-purchased_at", "-id")[:5]),
        "app_pass": selectors.active_app_pass(card),
        "open_blocks": list(line.blocks.filter(ended_at__isnull=True).order_by("-started_at")),
        "can_activate": card.state == Card.State.INACTIVE and user.has_perm("prepaid.change_card"),
        # Shown disabled with the reason when the card's state rules them out (not hidden).
        "can_topup": user.has_perm("prepaid.add_ledgerentry"), "topup_state": _topup_state(card),
        "can_purchase": user.has_perm("prepaid.add_packagepurchase"), "purchase_state": _purchase_state(card),
        "can_replace_sim": card.state != Card.State.INACTIVE and user.has_perm("prepaid.add_simreplacement"),
        "sim_state": ActionState.of(rules.sim_replacement_verdict(card=card)),
        "prime_state": _prime_state(card),
        "can_block": user.has_perm("accounts.add_block"),
        "can_unblock": user.has_perm("accounts.change_block"),
        "can_claim_pass": subscription is not None and user.has_perm("prepaid.add_apppass"),
        "can_join_prime": subscription is None and card.state != Card.State.INACTIVE
        and user.has_perm("prepaid.add_primesubscription"),
        "can_cancel_prime": subscription is not None and user.has_perm("prepaid.change_primesubscription"),
    }


@login_required
@permission_required("prepaid.view_ledgerentry", raise_exception=True)
@replica_reads  # issue 14: a report, read from the replica
def ledger(request, pk):
    line = _line(pk)
    card = _card(line)
    page = Paginator(selectors.card_ledger(card), LEDGER_PAGE).get_page(request.GET.get("page"))
    return render(request, "prepaid/ledger.html", {"line": line, "card": card, "page": page})


@login_required
@permission_required("prepaid.add_card", raise_exception=True)
@require_http_methods(["GET", "POST"])
def card_create(request, pk):
    line = _line(pk)
    form = forms.CardCreateForm(request.POST or None)
    if action_submit(request, form, lambda data: services.card_create(
            line=line, activation_area=data["activation_area"], actor=request.user, brand=data["brand"])):
        messages.success(request, _("Prepaid card recorded; activate it in its area."))
        return _back(line)
    return _page(request, line=line, form=form, title=_("Record the prepaid card"))


@login_required
@permission_required("prepaid.change_card", raise_exception=True)
@require_http_methods(["GET", "POST"])
def activate(request, pk):
    line = _line(pk)
    card = _card(line)
    form = forms.ActivateForm(request.POST or None, initial={"area": card.activation_area_id})
    if action_submit(request, form, lambda data: services.card_activate(card=card, area=data["area"],
                                                                         actor=request.user)):
        messages.success(request, _("The card is active."))
        return _back(line)
    verdict = rules.activation_eligibility(card=card, area=card.activation_area)  # PRE-01
    return _page(request, line=line, form=form, title=_("Activate the card"), verdict=verdict,
                 intro=_("Pack area: %(area)s.") % {"area": card.activation_area.name})


@login_required
@permission_required("prepaid.add_ledgerentry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def topup(request, pk):
    line = _line(pk)
    card = _card(line)
    form = forms.TopupForm(request.POST or None)
    if action_submit(request, form, lambda data: services.topup_apply(
            card=card, amount=data["denomination"].amount, actor=request.user, channel=Channel.GRAPARI,
            reference=f"grapari:{data['reference'].strip()}")):
        messages.success(request, _("Top-up of %(amount)s recorded.")
                         % {"amount": format_rupiah(form.cleaned_data["denomination"].amount)})
        return _back(line)
    return _page(request, line=line, form=form, title=_("Record a top-up"),
                 intro=_("Each denomination extends the active period by its validity."),  # PRE-02
                 denominations=form.fields["denomination"].queryset, details_template="prepaid/_denominations.html")


@login_required
@permission_required("prepaid.add_packagepurchase", raise_exception=True)
@require_http_methods(["GET", "POST"])
def purchase(request, pk):
    line = _line(pk)
    card = _card(line)
    checking = is_check(request)
    form = forms.PurchaseForm(request.POST or None, checking=checking)
    verdict = None
    today = local_today()
    prime = selectors.active_prime(card) is not None
    if request.method == "POST" and form.is_valid():
        package = form.cleaned_data["package"]
        price = selectors.package_price(package=package, day=today, prime=prime)
        verdict = rules.package_purchase_eligibility(
            card=card, package=package, price=price, blocked=bool(line.open_blocks))
    if done := action_submit(request, form, lambda data: services.package_purchase(
            card=card, package_code=data["package"].code, channel=Channel.GRAPARI, actor=request.user,
            reference=f"grapari:{uuid.uuid4().hex}")):
        messages.success(request, _("%(package)s bought for %(price)s.")
                         % {"package": done.result.package.display_name, "price": format_rupiah(done.result.price)})
        return _back(line)
    percent = selectors.tariff_percent(today)
    upcoming = selectors.upcoming_price_changes(today)  # PRE-08: announced, not yet in force
    packages = [(p, selectors.package_price(package=p, day=today, prime=prime, percent=percent), upcoming.get(p.pk))
                for p in selectors.packages_on_sale(today)]
    return _page(request, line=line, form=form, title=_("Buy a package"), verdict=verdict, check_button=True,
                 intro=_("A purchase must leave at least Rp 3.000 on the card."),  # PRE-05
                 packages=packages, tariff_percent=percent, balance=card.balance,
                 calendar=selectors.tariff_calendar(today), details_template="prepaid/_packages.html")


@login_required
@permission_required("prepaid.add_simreplacement", raise_exception=True)
def sim_replace(request, pk):
    """ACC-10: one SIM replacement page for every line (identity check first); prepaid's fee joins it (PRE-03)."""
    return redirect("accounts:line_sim_replace", pk=_line(pk).pk)


@login_required
@permission_required("accounts.add_block", raise_exception=True)
@require_http_methods(["GET", "POST"])
def block(request, pk):
    line = _line(pk)
    card = _card(line)
    form = forms.BlockForm(request.POST or None)
    if action_submit(request, form, lambda data: services.card_block(
            card=card, reason=data["reason"], actor=request.user, note=data["note"], reference=data["reference"])):
        messages.success(request, _("The card is blocked."))
        return _back(line)
    return _page(request, line=line, form=form, title=_("Block the card"), danger=True,
                 intro=_("Illegal use, SMS beyond fair usage, an authorised institution's request, misuse."))  # PRE-04


@login_required
@permission_required("accounts.change_block", raise_exception=True)
@require_http_methods(["GET", "POST"])
def unblock(request, pk):
    line = _line(pk)
    card = _card(line)
    form = forms.UnblockForm(request.POST or None, line=line)
    if action_submit(request, form, lambda data: services.card_unblock(card=card, block=data["block"],
                                                                        actor=request.user, note=data["note"])):
        messages.success(request, _("The block is lifted."))
        return _back(line)
    return _page(request, line=line, form=form, title=_("Lift a block"))


@login_required
@permission_required("prepaid.add_apppass", raise_exception=True)
@require_http_methods(["GET", "POST"])
def app_pass(request, pk):
    line = _line(pk)
    card = _card(line)
    form = forms.ConfirmForm(request.POST or None)
    if done := action_submit(request, form, lambda data: services.app_pass_claim(
            card=card, reference=f"grapari:{uuid.uuid4().hex}", channel=Channel.GRAPARI, actor=request.user)):
        messages.success(request, _("Unlimited app pass active until %(until)s.")
                         % {"until": timezone.localtime(done.result.valid_until).strftime("%d-%m-%Y %H:%M")})
        return _back(line)
    return _page(request, line=line, form=form, title=_("Claim the unlimited app pass"),
                 intro=_("3 days, domestic only: %(apps)s.") % {"apps": ", ".join(selectors.pass_apps())})


@login_required
@permission_required("prepaid.add_primesubscription", raise_exception=True)
@require_http_methods(["GET", "POST"])
def prime_join(request, pk):
    line = _line(pk)
    card = _card(line)
    form = forms.ConfirmForm(request.POST or None)
    if done := action_submit(request, form, lambda data: services.prime_subscribe(card=card, actor=request.user)):
        subscription = done.result
        messages.success(request, _("%(tier)s active; renews on %(date)s.")
                         % {"tier": subscription.tier.name, "date": subscription.renews_on.strftime("%d-%m-%Y")})
        return _back(line)
    return _page(request, line=line, form=form, title=_("Join IM3 Prime"),
                 intro=_("The tier follows the last 3 months' average spend; its fee is taken now and every "
                         "month."))  # PRM-01, PRM-02


@login_required
@permission_required("prepaid.change_primesubscription", raise_exception=True)
@require_http_methods(["GET", "POST"])
def prime_cancel(request, pk):
    line = _line(pk)
    card = _card(line)
    subscription = PrimeSubscription.objects.filter(card=card, status=PrimeSubscription.Status.ACTIVE).first()
    if subscription is None:
        raise Http404
    form = forms.ReasonForm(request.POST or None)
    if action_submit(request, form, lambda data: services.prime_cancel(subscription=subscription,
                                                                        actor=request.user, reason=data["reason"])):
        messages.success(request, _("IM3 Prime cancelled."))
        return _back(line)
    return _page(request, line=line, form=form, title=_("Cancel IM3 Prime"), danger=True)
