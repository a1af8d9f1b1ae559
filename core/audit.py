"""`audit_record(...)`: the one way to write an audit event (ACC-07); the registry of the verbs it writes."""

import datetime as dt
import json
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.bilingual import localized
from core.models import AuditEvent, Channel
from core.money import format_rupiah


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


# The counter visit an agent's request works within (set by the visits app's middleware for the request): every
# event written meanwhile carries its id, so the visit lists what was done during it.
current_interaction: ContextVar[int | None] = ContextVar("current_interaction", default=None)


def audit_record(
    *,
    actor,
    verb: str,
    subject,
    channel: str = Channel.GRAPARI,
    old: Any = None,
    new: Any = None,
    reason: str = "",
    actor_label: str = "",
    outlet=None,
    line=None,
    customer=None,
    interaction_id: int | None = None,
) -> AuditEvent:
    """Write one append-only event on the timelines of `line` and `customer` (the line's customer by default).

    Without them, the subject's own `line_id` / `customer_id` are used (a claim, a bill; a line and a customer
    answer them for themselves), so core needs to know no app's models.
    """
    return audit_save(audit_values(actor=actor, verb=verb, subject=subject, channel=channel, old=old, new=new,
                                   reason=reason, actor_label=actor_label, outlet=outlet, line=line,
                                   customer=customer, interaction_id=interaction_id), actor=actor)


def audit_save(values: dict, *, actor=None) -> AuditEvent:
    """Write the event of `audit_values(...)` with the ORM (what audit_record does)."""
    if values["actor_id"] is not None and getattr(actor, "pk", None) == values["actor_id"]:
        values = {**values, "actor": actor}  # the event knows its user without a query
        del values["actor_id"]
    return AuditEvent.objects.create(**values)


def audit_values(
    *, actor, verb: str, subject, channel: str = Channel.GRAPARI, old: Any = None, new: Any = None, reason: str = "",
    actor_label: str = "", outlet=None, line=None, customer=None, interaction_id: int | None = None,
) -> dict:
    """The columns of the event `audit_record` writes (by attname). A hot path that writes its event in its own
    statement (`audit_insert_select_sql`, with `audit_sql_params`) takes them from here, so the event is the same; where
    it cannot (SQLite), `audit_save(values)` writes them."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    outlet_id = outlet.pk if outlet is not None else getattr(user, "outlet_id", None)
    line_id = line.pk if line is not None else getattr(subject, "line_id", None)
    if customer is not None:
        customer_id = customer.pk
    elif line is not None:
        customer_id = line.customer_id
    else:
        customer_id = getattr(subject, "customer_id", None)
    return {
        "actor_id": user.pk if user else None,
        "actor_label": actor_label or (user.get_username() if user else "system"),
        "outlet_id": outlet_id,
        "channel": channel,
        "verb": verb,
        "subject_type": subject._meta.label_lower,
        "subject_id": str(subject.pk),
        "subject_repr": str(subject)[:200],
        "line_id": line_id,
        "customer_id": customer_id,
        "old": _jsonable(old),
        "new": _jsonable(new),
        "reason": reason,
        "interaction_id": interaction_id if interaction_id is not None else current_interaction.get(),
    }


# PostgreSQL: the columns of an event's INSERT; their parameters are named audit_<column> (audit_sql_params). The
# JSON columns are bound as text and cast.
_AUDIT_COLUMNS = ("created_at", "actor_id", "actor_label", "outlet_id", "channel", "verb", "subject_type",
                  "subject_id", "subject_repr", "line_id", "customer_id", "old", "new", "reason", "interaction_id")


def audit_insert_select_sql(*, source: str, columns: dict[str, str]) -> str:
    """PostgreSQL: the INSERT of one event per row of `source` (a FROM clause, e.g. over a statement's CTEs), for a
    hot path that writes its event in its own statement. `columns` gives the columns only that statement knows (a
    row it locked, a row it wrote) as SQL over `source`; every other column is the parameter audit_<column> of
    audit_sql_params. The caller's test compares the event with the one audit_record writes."""
    unknown = set(columns) - set(_AUDIT_COLUMNS)
    if unknown:
        raise ValueError(f"not columns of an audit event: {sorted(unknown)}")
    values = ", ".join(columns.get(column) or (f"%(audit_{column})s::jsonb" if column in ("old", "new")
                                               else f"%(audit_{column})s") for column in _AUDIT_COLUMNS)
    return f"INSERT INTO {AuditEvent._meta.db_table} ({', '.join(_AUDIT_COLUMNS)}) SELECT {values} FROM {source}"


def audit_sql_params(values: dict, *, now: dt.datetime) -> dict:
    """`audit_values(...)` as the parameters of audit_insert_select_sql, the event written at `now`."""
    params = {f"audit_{column}": value for column, value in values.items()}
    for column in ("old", "new"):
        value = values[column]
        params[f"audit_{column}"] = None if value is None else json.dumps(value)
    params["audit_created_at"] = now
    return params


# ---------------------------------------------------------------------------------------------------------------
# Timeline verbs: each app registers the verbs it writes (in its AppConfig.ready()), with a label and how to show
# the old/new values, so that the line and customer timelines read as sentences in both languages.

Format = Callable[[Any], str]


@dataclass(frozen=True)
class Verb:
    code: str
    label: Any  # a lazy translation
    fields: dict[str, tuple[Any, Format | None]]  # key of old/new → (label, format); format None: not shown
    value: Format | None  # for an old/new that is a single value, not a dict


_VERBS: dict[str, Verb] = {}


def verb_register(code: str, label, *, fields: dict | None = None, value: Format | None = None) -> None:
    """Register a verb this app writes. `fields` labels the keys of its old/new dicts, in the order shown."""
    _VERBS[code] = Verb(code=code, label=label, fields=dict(fields or {}), value=value)


def verb_get(code: str) -> Verb | None:
    return _VERBS.get(code)


def verbs_registered() -> dict[str, Verb]:
    return dict(_VERBS)


def verb_label(code: str) -> str:
    verb = _VERBS.get(code)
    return capfirst(str(verb.label)) if verb else gettext("Other change")


def admin_edit_verbs_register(model, *, money: tuple[str, ...] | None = None) -> None:
    """The verbs the audited admin edit of `model` writes (`<model>.created`, `<model>.changed`)."""
    fields = model_fields(model, money=money)
    name = model._meta.verbose_name
    verb_register(f"{model._meta.model_name}.created", format_lazy(_("{model} created"), model=name), fields=fields)
    verb_register(f"{model._meta.model_name}.changed", format_lazy(_("{model} changed"), model=name), fields=fields)


def model_fields(model, *, money: tuple[str, ...] | None = None) -> dict:
    """Every editable field of `model` labelled and formatted by its type, for verbs whose old/new are its fields.
    Money fields are the BigIntegerFields (whole rupiah) unless `money` names them."""
    fields = {}
    for field in model._meta.get_fields():
        if not getattr(field, "editable", False) or field.auto_created or not hasattr(field, "verbose_name"):
            continue
        if field.many_to_many or field.one_to_many:
            fields[field.name] = (field.verbose_name, as_text)  # stored as sorted names
        elif field.is_relation:
            fields[field.name] = (field.verbose_name, Lookup(field.related_model, key="pk", name=None))
        elif field.choices:
            fields[field.name] = (field.verbose_name, as_choice(dict(field.choices)))
        elif isinstance(field, models.BooleanField):
            fields[field.name] = (field.verbose_name, as_yes_no)
        elif isinstance(field, models.DateField):
            fields[field.name] = (field.verbose_name, as_date)
        elif (field.name in money) if money is not None else isinstance(field, models.BigIntegerField):
            fields[field.name] = (field.verbose_name, as_rupiah)
        else:
            fields[field.name] = (field.verbose_name, as_text)
    return fields


def _shown(value) -> bool:
    return value is not None and value != "" and value != [] and value != {}


class Lookup:
    """A catalogue code shown as the row's name (a package code as "FREEDOM COMBO 14GB"); resolved in one query per
    catalogue for a whole timeline, so a page's query count does not grow with its events."""

    def __init__(self, model, *, key: str = "code", name: str | None = "name"):
        self.model, self.key, self.name = model, key, name  # name None: the row's str()

    def load(self, values: set) -> dict:
        rows = self.model.objects.filter(**{f"{self.key}__in": values})
        if self.name is None:
            return {str(getattr(row, self.key)): str(row) for row in rows} | {
                getattr(row, self.key): str(row) for row in rows}
        # the active language's name where the catalogue has both (`name_en`, core.bilingual)
        return {getattr(row, self.key): localized(row, self.name) for row in rows}

    def __call__(self, value) -> str:
        return str((_lookup_names.get() or {}).get(self, {}).get(value, value))


# The names a timeline loaded for its lookups (per request: one context, no shared state between threads).
_lookup_names: ContextVar[dict | None] = ContextVar("audit_lookup_names", default=None)


def event_changes(verb_code: str, old, new) -> list[str]:
    """old → new of one event as short phrases ("Saldo: Rp 10.000 → Rp 60.000"); keys without a label are left out."""
    verb = _VERBS.get(verb_code)
    if verb is None:
        return []
    if not isinstance(old, dict) and not isinstance(new, dict):
        if verb.value is None or not (_shown(old) or _shown(new)):
            return []
        if _shown(old) and _shown(new):
            return [f"{verb.value(old)} → {verb.value(new)}"]
        return [verb.value(new if _shown(new) else old)]
    old, new = (old if isinstance(old, dict) else {}), (new if isinstance(new, dict) else {})
    phrases = []
    for key, (label, show) in verb.fields.items():
        if show is None:
            continue
        before, after = old.get(key), new.get(key)
        if _shown(before) and _shown(after) and before != after:
            phrases.append(f"{capfirst(label)}: {show(before)} → {show(after)}")
        elif _shown(after) or _shown(before):
            phrases.append(f"{capfirst(label)}: {show(after if _shown(after) else before)}")
    return phrases


def actor_name(event) -> str:
    """Who acted, as a person reads it: the user, the channel client, or "Scheduled job" for a job's label."""
    if event.actor_id is None and (event.actor_label.startswith("job:") or event.actor_label == "system"):
        return gettext("Scheduled job") if event.actor_label.startswith("job:") else gettext("System")
    return event.actor_label


def timeline_describe(events) -> list:
    """Audit events with `label` (the verb's label) and `changes` (old → new phrases) for a timeline."""
    events = list(events)
    wanted: dict[Lookup, set] = {}
    for event in events:
        verb = _VERBS.get(event.verb)
        for key, (_label, show) in (verb.fields.items() if verb else ()):
            if isinstance(show, Lookup):
                for values in (event.old, event.new):
                    if isinstance(values, dict) and _shown(values.get(key)):
                        wanted.setdefault(show, set()).add(values[key])
    token = _lookup_names.set({lookup: lookup.load(values) for lookup, values in wanted.items()})
    try:
        for event in events:
            event.label = verb_label(event.verb)
            event.actor_name = actor_name(event)
            event.changes = event_changes(event.verb, event.old, event.new)
    finally:
        _lookup_names.reset(token)
    return events


# Formats for old/new values, as JSON stored them (dates as ISO strings, money as integers).


def field_label(model, name: str):
    """A model field's verbose name: the label a timeline shows for the key of the same name."""
    return model._meta.get_field(name).verbose_name


def as_rupiah(value) -> str:
    return format_rupiah(int(value))


def as_date(value) -> str:
    """A date or a moment, shown in local time (WIB): 01-12-2026 or 01-12-2026 14:05."""
    if isinstance(value, str):
        parsed = parse_datetime(value) if "T" in value else parse_date(value)
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "d-m-Y H:i")
    return date_format(value, "d-m-Y")


def as_text(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def as_yes_no(value) -> str:
    return gettext("yes") if value else gettext("no")


def as_choice(choices) -> Format:
    """A code shown as its label (a TextChoices class, or a dict code → label)."""
    labels = dict(choices.choices) if hasattr(choices, "choices") else dict(choices)

    def show(value) -> str:
        return str(labels.get(value, value))

    return show
