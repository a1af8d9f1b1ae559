"""The JSON parser of every API endpoint: hostile documents are refused before any view or query sees them.

PostgreSQL rejects NUL in text and a lone UTF-16 surrogate cannot be encoded back to UTF-8, so either one anywhere
in the document (a key or a value) is a 400 naming the field; so is nesting deeper than any endpoint needs (a
1,000-level array would otherwise end in a RecursionError further down).
"""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers

from core.api.exceptions import ApiError

MAX_DEPTH = 16  # the deepest request any endpoint takes is a batch of records: 2 levels


def hostile_text(value: str) -> str | None:
    """Why a string cannot be stored (a translated message), or None."""
    if "\x00" in value:
        return _("Contains a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("Contains an invalid character (a lone UTF-16 surrogate).")
    return None


def _path(parts: list) -> str:
    return ".".join(str(part) for part in parts) or "non_field_errors"


def document_check(document) -> None:
    """Walk the parsed document without recursion; raise a 400 ApiError at the first problem."""
    stack = [(document, [], 1)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ApiError(400, "too_deeply_nested",
                           _("The JSON document is nested more than %(n)d levels deep.") % {"n": MAX_DEPTH})
        if isinstance(value, str):
            problem = hostile_text(value)
            if problem:
                raise ApiError(400, "invalid", _("Invalid input."), fields={_path(path): [problem]})
        elif isinstance(value, dict):
            for key, inner in value.items():
                problem = hostile_text(key)
                if problem:
                    raise ApiError(400, "invalid", _("Invalid input."), fields={_path(path): [problem]})
                stack.append((inner, [*path, key], depth + 1))
        elif isinstance(value, list):
            stack.extend((inner, [*path, index], depth + 1) for index, inner in enumerate(value))


def _clean(document, *, strings: bool) -> bool:
    """True when document_check has nothing to say: no value nested past MAX_DEPTH and, if `strings`, no hostile
    string. Builds no field paths (a batch of 1,000 records is 7,000 values); document_check names the field once a
    problem is known."""
    stack = [(document, 1)]
    push = stack.append
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        kind = type(value)  # json.loads gives exactly dict, list, str, int, float, bool or None
        if kind is str:
            if strings and hostile_text(value):
                return False
        elif kind is dict or kind is list:
            if kind is dict:
                if strings and any(hostile_text(key) for key in value):
                    return False
                value = value.values()
            depth += 1
            for inner in value:
                kind = type(inner)
                if kind is dict or kind is list or (strings and kind is str) or depth > MAX_DEPTH:
                    push((inner, depth))
    return True


def parse_json(raw: bytes):
    """The request body as a JSON document, or the 400/413 ApiError that names what is wrong with it."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and len(raw) > limit:
        raise ApiError(413, "body_too_large", _("The request body is larger than %(n)d bytes.") % {"n": limit})
    try:
        text = raw.decode("utf-8")
        document = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ApiError(400, "too_deeply_nested",
                       _("The JSON document is nested more than %(n)d levels deep.") % {"n": MAX_DEPTH})
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "parse_error", _("The request body is not valid JSON."))
    # A NUL or a lone surrogate can only come from a \u escape: strict UTF-8 decoding refuses an encoded
    # surrogate and json.loads a raw control character in a string. Without one, only the depth is walked.
    if not _clean(document, strings="\\u" in text):
        document_check(document)
    return document


class SafeJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1 if limit is not None else -1) if stream is not None else b""
        return parse_json(raw)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")
