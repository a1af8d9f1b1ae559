"""Issue 14: the JSON parser walks a document for hostile strings only when its text has a \\u escape (the one way a
NUL or a lone surrogate gets in) and builds no field paths unless there is a problem. Generated documents, sent
escaped (ensure_ascii) or as raw UTF-8: the parser refuses exactly what the full walk (document_check) refuses, with
the same error."""

import io
import json

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from core.api.exceptions import ApiError
from core.api.parsers import MAX_DEPTH, SafeJSONParser, document_check

TEXT = st.text(st.sampled_from(["a", "7", " ", "é", "\\", '"', "\x00", "\x1f", "\ud800", "\udfff", "\U0001f600"]),
               max_size=6)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT
TREES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                     max_leaves=12)


def nest(value, depth: int):
    for _ in range(depth):
        value = [value]
    return value


DOCUMENTS = st.builds(nest, TREES, st.integers(0, MAX_DEPTH + 2))


def outcome(call):
    try:
        call()
    except ApiError as exc:
        return exc.code, exc.fields
    return None


@settings(max_examples=1500, deadline=None)
@given(document=DOCUMENTS, escaped=st.booleans())
def test_the_parser_refuses_what_the_full_walk_refuses(document, escaped):
    raw = json.dumps(document, ensure_ascii=escaped).encode("utf-8", "surrogatepass")
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:  # a surrogate sent raw is not UTF-8
        assert outcome(lambda: SafeJSONParser().parse(io.BytesIO(raw))) == ("parse_error", {})
        return
    expected = outcome(lambda: document_check(parsed))
    assert outcome(lambda: SafeJSONParser().parse(io.BytesIO(raw))) == expected


def test_a_nul_only_escaped_is_found():
    raw = json.dumps([{"record_id": "ok"}, {"record_id": "a\x00b"}]).encode()
    assert b"\\u0000" in raw
    with translation.override("en"):
        assert outcome(lambda: SafeJSONParser().parse(io.BytesIO(raw))) == (
            "invalid", {"1.record_id": ["Contains a NUL character."]})
