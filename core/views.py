from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from core.models import JobRun


@login_required
def dashboard(request):
    """The supervisors' dashboard: the panels the apps registered (core.dashboard), each its own small queries."""
    from core.dashboard import panels_rendered
    from core.dates import local_today

    if not request.user.is_supervisor:
        raise PermissionDenied
    today = local_today()
    return render(request, "core/dashboard.html", {"panels": panels_rendered(request, today), "today": today})


@require_POST
def language_set(request):
    """Switch the interface language; remembered on the user so it follows them."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = redirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        translation.activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@login_required
@permission_required("core.view_jobrun", raise_exception=True)
def jobs(request):
    """Supervisors' Jobs page: the schedules with "run now", and the runs with counts, progress and duration."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.core.paginator import Paginator
    from django.utils.translation import gettext as _

    from core.schedules import schedule_label
    from core.selectors import job_runs, job_runs_attention, job_schedules
    from core.services import PeriodDone, job_run_now

    if request.method == "POST":
        if not request.user.has_perm("core.change_jobrun"):
            raise PermissionDenied
        name = request.POST.get("schedule", "")
        force = request.POST.get("force") == "on"
        reason = request.POST.get("reason", "").strip()[:500]
        if force and not reason:
            messages.error(request, _("Give a reason to force a re-run of a finished period."))
            return redirect("core:jobs")
        try:
            job_run_now(schedule_name=name, force=force, actor=request.user, reason=reason)
        except PeriodDone as done:
            messages.warning(request, _("%(name)s: the period %(period)s is already done; nothing was queued. To run "
                                        "it again, force a re-run and give the reason.")
                             % {"name": schedule_label(name), "period": done.run.period_key})
            return redirect(f"{reverse('core:jobs')}?{urlencode({'rerun': name})}")
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s queued.") % {"name": schedule_label(name)})
        return redirect("core:jobs")

    status = request.GET.get("status", "")
    page = Paginator(job_runs(status=status), 50).get_page(request.GET.get("page"))
    return render(request, "core/jobs.html", {
        "schedules": job_schedules(), "page": page, "status": status, "statuses": JobRun.Status.choices,
        "can_run": request.user.has_perm("core.change_jobrun"), "attention": job_runs_attention(),
        "rerun": request.GET.get("rerun", ""),
    })
