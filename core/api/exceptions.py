"""ApiError: importable from parsers and fields without loading DRF's views (and so its settings)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions


class ApiError(exceptions.APIException):
    """Raise from a view: ApiError(404, "line_not_found", _("No line with this number."), fields=None)."""

    def __init__(self, status_code: int, code: str, message: str, fields: dict | None = None):
        self.status_code = status_code
        self.code = code
        self.message = str(message)
        self.fields = fields or {}
        super().__init__(detail=self.message, code=code)


def request_id_reused() -> ApiError:
    """The 409 of every idempotent write whose request_id was already used with another body."""
    return ApiError(409, "request_id_reused", _("This request_id was already used for a different request."),
                    fields={"request_id": [_("Already used with another body.")]})
