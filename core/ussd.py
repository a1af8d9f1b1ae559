"""The USSD gateway: apps register a menu per service code; the dispatcher answers Africa's Talking's callbacks.

Each callback carries every input so far (`text` = "1*2*50000"), so a menu is a small state machine replayed over
that path: any web worker can answer any step and nothing is kept between requests. A screen is at most
USSD_MAX_CHARS characters including its `CON `/`END ` prefix: a longer one is never cut, it is shown in pages
(whole sentences where they fit, whole words otherwise), each but the last ending "98 More"; answering 98 shows the
next page (the earlier inputs are replayed to rebuild the screen, so a screen that an action produced, such as a
confirmation, must fit one page: those are kept short).
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

USSD_MAX_CHARS = 182
MORE = "98"  # the input that turns to the next page of a long screen


@dataclass(frozen=True)
class UssdRequest:
    session_id: str
    service_code: str
    msisdn: str  # E.164 +628…
    inputs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UssdReply:
    text: str
    ends: bool

    def pages(self) -> list[str]:
        """The screen as the subscriber sees it: one page, or several that each fit USSD_MAX_CHARS."""
        text = str(self.text).strip()
        prefix = "END " if self.ends else "CON "
        if len(prefix) + len(text) <= USSD_MAX_CHARS:
            return [prefix + text]
        more = "\n" + _("%(key)s More") % {"key": MORE}
        chunks = _split(text, USSD_MAX_CHARS - len("CON ") - len(more))
        return [f"CON {chunk}{more}" for chunk in chunks[:-1]] + [prefix + chunks[-1]]

    def render(self, page: int = 0) -> str:
        pages = self.pages()
        return pages[min(page, len(pages) - 1)]


def _split(text: str, size: int) -> list[str]:
    """Cut `text` into chunks of at most `size` characters: after a sentence or a line where one ends in the second
    half of the chunk, else between words (a single word longer than `size` is the only thing ever split)."""
    chunks = []
    while len(text) > size:
        window = text[: size + 1]
        ends = [m.end() for m in re.finditer(r"[.!?:]\s|\n", window) if m.end() - 1 >= size // 2]
        cut = ends[-1] if ends else window.rfind(" ") + 1 or size
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*chunks, text] if text else chunks


def con(text: str) -> UssdReply:
    """The menu goes on: the subscriber answers this screen."""
    return UssdReply(str(text), ends=False)


def end(text: str) -> UssdReply:
    """The session ends with this screen."""
    return UssdReply(str(text), ends=True)


Handler = Callable[[UssdRequest], UssdReply]
MENUS: dict[str, Handler] = {}


def normalize_service_code(code: str) -> str:
    return "".join((code or "").split())


def register_menu(service_code: str, handler: Handler) -> None:
    """Register (or replace) the menu of a service code such as "*888#"."""
    MENUS[normalize_service_code(service_code)] = handler


def parse_text(text: str) -> list[str]:
    """Africa's Talking joins the inputs with `*`; the first callback has an empty text."""
    text = (text or "").strip()
    return [part.strip() for part in text.split("*")] if text else []


def ussd_answer(*, session_id: str, service_code: str, msisdn: str, text: str) -> str:
    """The whole reply body (`CON …` or `END …`) for one callback. Trailing 98s page through the screen that the
    inputs before them produced, when that screen has more pages."""
    inputs = parse_text(text)
    paged = 0
    while paged < len(inputs) and inputs[len(inputs) - 1 - paged] == MORE:
        paged += 1
    if paged:
        earlier = _reply(session_id, service_code, msisdn, inputs[:-paged]).pages()
        if len(earlier) > 1:
            return earlier[min(paged, len(earlier) - 1)]
    return _reply(session_id, service_code, msisdn, inputs).render()


def _reply(session_id: str, service_code: str, msisdn: str, inputs: list[str]) -> UssdReply:
    request = UssdRequest(session_id=session_id, service_code=normalize_service_code(service_code), msisdn=msisdn,
                          inputs=inputs)
    handler = MENUS.get(request.service_code)
    if handler is None:
        return end(_("Unknown service code %(code)s.") % {"code": request.service_code[:20]})
    try:
        reply = handler(request)
    except Exception:
        logger.exception("USSD menu %s failed on %r", request.service_code, request.inputs)
        reply = end(_("Service temporarily unavailable. Please try again later."))
    if not isinstance(reply, UssdReply):
        logger.error("USSD menu %s returned %r", request.service_code, reply)
        reply = end(_("Service temporarily unavailable. Please try again later."))
    return reply


# --- A small state-machine helper for menus -------------------------------------------------------------------------


class InvalidInput(Exception):
    """Raised by a Prompt's parser: the same screen is shown again with this short message."""


Target = Any  # a Step, a UssdReply, or a callable(request, state) returning one of those


class Step:
    def render(self, request: UssdRequest, state: dict, error: str | None) -> UssdReply:
        raise NotImplementedError

    def accept(self, value: str, request: UssdRequest, state: dict) -> Target:
        """Return the next target or raise InvalidInput."""
        raise NotImplementedError


def _screen(error: str | None, text: str) -> str:
    return f"{error}\n{text}" if error else text


@dataclass
class Option:
    label: str
    target: Target


@dataclass
class Menu(Step):
    """Numbered choices 1..n. `title` may be a callable(request, state) for dynamic text."""

    title: Any
    options: list[Option]

    def render(self, request, state, error):
        title = self.title(request, state) if callable(self.title) else self.title
        lines = [str(title)] + [f"{index}. {option.label}" for index, option in enumerate(self.options, start=1)]
        return con(_screen(error, "\n".join(lines)))

    def accept(self, value, request, state):
        if value.isdigit() and 1 <= int(value) <= len(self.options):
            return self.options[int(value) - 1].target
        raise InvalidInput(_("Invalid choice."))


@dataclass
class Prompt(Step):
    """Asks for a value; `parse(value, request, state)` returns the cleaned value or raises InvalidInput.
    The value is stored as state[key]; then `then` is followed."""

    text: Any
    key: str
    parse: Callable[[str, UssdRequest, dict], Any]
    then: Target

    def render(self, request, state, error):
        text = self.text(request, state) if callable(self.text) else self.text
        return con(_screen(error, str(text)))

    def accept(self, value, request, state):
        state[self.key] = self.parse(value, request, state)
        return self.then


def _resolve(target: Target, request: UssdRequest, state: dict):
    while callable(target) and not isinstance(target, Step):
        target = target(request, state)
    return target


def walk(root: Step, request: UssdRequest) -> UssdReply:
    """Replay the inputs over the menu: an invalid input keeps the same step (with an error) and is consumed."""
    state: dict = {}
    step: Step = root
    error: str | None = None
    for value in request.inputs:
        if value == MORE and len(step.render(request, state, error).pages()) > 1:
            continue  # a page turn on a long screen, then the answer to it
        try:
            target = _resolve(step.accept(value, request, state), request, state)
        except InvalidInput as exc:
            error = str(exc)
            continue
        error = None
        if isinstance(target, UssdReply):
            return target
        step = target
    return step.render(request, state, error)
