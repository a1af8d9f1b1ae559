from django.utils import translation


class UserLanguageMiddleware:
    """An agent's chosen language follows them to every page and every workstation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "language", ""):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in items) for key, items in values.lists())


class RejectUnstorableInputMiddleware:
    """PostgreSQL cannot store or compare text holding a NUL character, so a page request with one in a query or
    form field (the search box, any agent or admin form) is answered 400 with a clear message before a view reads
    it: nothing is written. (Form-encoded input cannot carry lone surrogates: Django decodes them to U+FFFD.)
    The API under /api/ answers its own JSON errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and (
                _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST))):
            from django.shortcuts import render
            from django.utils.translation import gettext as _

            message = _("The text you sent contains a character that cannot be used (a NUL character). Nothing was "
                        "saved: type it again without it.")
            return render(request, "core/bad_input.html", {"message": message}, status=400)
        return self.get_response(request)
