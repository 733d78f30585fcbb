"""Field descriptions of every record kind: the one source of truth.

Each type checks a value read by `yamlio` (reporting located problems) and
returns the cleaned value; the same descriptions produce the JSON Schema
export and the README's field tables.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

from aftersales.core import phones
from aftersales.core.durations import Duration, parse_duration
from aftersales.core.model import MERGE_WITHIN
from aftersales.core.problems import Problem, bounded, did_you_mean, quoted
from aftersales.store.yamlio import Map, Mark, Quirky, Seq

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9-]*$"
_ID = re.compile(ID_PATTERN)
_HOURS = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")
INVALID = object()
MARKS = "__marks__"  # key of a cleaned mapping holding (its mark, its keys' marks)


@dataclass
class Context:
    """Where problems go while one file is checked."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, mark: Mark, code: str, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line, mark.column, "error", code, bounded(message)))

    def warning(self, mark: Mark, code: str, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line, mark.column, "warning", code, bounded(message)))


def _shown(value: Any) -> str:
    if isinstance(value, Quirky):
        return quoted(value.text).strip("'")
    if isinstance(value, Map):
        return "a mapping"
    if isinstance(value, Seq):
        return "a list"
    return quoted(value)


class Type:
    """A kind of value a field holds."""

    label = "value"

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def wrong(self, value: Any, mark: Mark, ctx: Context, name: str, expected: str | None = None) -> Any:
        if isinstance(value, Quirky):
            ctx.error(mark, "yaml-1.1",
                      f"{name}: YAML reads {value.text} as {value.became}; "
                      f"write it in quotes (\"{value.text}\") to keep it as text")
        else:
            ctx.error(mark, "type", f"{name}: expected {expected or self.label}, got {_shown(value)}")
        return INVALID


class Text(Type):
    label = "text"

    def __init__(self, pattern: str | None = None, hint: str = "") -> None:
        self.pattern = re.compile(pattern) if pattern else None
        self.hint = hint

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, mark, ctx, name)
        if not value.strip():
            ctx.error(mark, "empty", f"{name}: must not be empty")
            return INVALID
        if self.pattern and not self.pattern.match(value):
            ctx.error(mark, "format", f"{name}: {quoted(value)} is not {self.hint}")
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "minLength": 1}
        if self.pattern:
            out["pattern"] = self.pattern.pattern
        return out


class Id(Text):
    label = "an id"

    def __init__(self) -> None:
        super().__init__(ID_PATTERN, "an id (letters, digits and '-', starting with a letter)")


class Choice(Type):
    def __init__(self, *choices: str) -> None:
        self.choices = choices
        self.label = "one of " + ", ".join(choices)

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, mark, ctx, name)
        if value not in self.choices:
            ctx.error(mark, "value", f"{name}: {quoted(value)} is not one of {', '.join(self.choices)}"
                      + _suggest(value, self.choices))
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


class Integer(Type):
    def __init__(self, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum
        self.label = "a whole number" + (f" from {minimum}" if minimum is not None else "") + (
            f" to {maximum}" if maximum is not None else "")

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return self.wrong(value, mark, ctx, name)
        if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum):
            ctx.error(mark, "range", f"{name}: {value} is out of range; expected {self.label}")
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


class Number(Type):
    def __init__(self, minimum: float = 0, maximum: float | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum
        self.label = f"a number from {minimum}" + (f" to {maximum}" if maximum is not None else "")

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.wrong(value, mark, ctx, name)
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            ctx.error(mark, "range", f"{name}: {value} is out of range; expected {self.label}")
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "number", "minimum": self.minimum}
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


class Boolean(Type):
    label = "true or false"

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if isinstance(value, Quirky) and isinstance(value.value, bool):
            return value.value
        if not isinstance(value, bool):
            return self.wrong(value, mark, ctx, name)
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Date(Type):
    label = "a date like 2026-03-14"

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            return self.wrong(value, mark, ctx, name)
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


_OFFSETS: dict[dt.tzinfo, dt.tzinfo] = {}   # see `Instant.check`


class Instant(Type):
    label = "a time with its UTC offset, like 2026-03-14T09:12:00+08:00"

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                return self.wrong(value, mark, ctx, name)
        if not isinstance(value, dt.datetime):
            return self.wrong(value, mark, ctx, name)
        if value.tzinfo is None:
            ctx.error(mark, "no-offset",
                      f"{name}: {value.isoformat(sep='T')} has no UTC offset; write it like "
                      f"{value.isoformat(timespec='seconds')}+08:00")
            return INVALID
        # One shared offset object for equal offsets: the parser makes one per instant, and a
        # pickle (the record cache) then writes and rebuilds each one instead of referring to one.
        shared = _OFFSETS.setdefault(value.tzinfo, value.tzinfo)
        return value if shared is value.tzinfo else value.replace(tzinfo=shared)

    def schema(self) -> dict[str, Any]:
        return {"type": "string",
                "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"}


class DurationType(Type):
    label = "a duration like 30m, 2h or 3d"

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, mark, ctx, name)
        try:
            return parse_duration(value)
        except ValueError as exc:
            ctx.error(mark, "duration", f"{name}: {exc}")
            return INVALID

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^[0-9]{1,6}[mhd]$"}


class DateOrRange(Type):
    label = "a date or a range like 2026-02-15..2026-02-23"

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return (value, value)
        if isinstance(value, str):
            parts = value.split("..")
            try:
                dates = [dt.date.fromisoformat(p.strip()) for p in parts]
            except ValueError:
                dates = []
            if len(dates) == 1:
                return (dates[0], dates[0])
            if len(dates) == 2:
                if dates[1] < dates[0]:
                    ctx.error(mark, "range", f"{name}: the range {value} ends before it starts")
                    return INVALID
                return (dates[0], dates[1])
        return self.wrong(value, mark, ctx, name)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}(\.\.\d{4}-\d{2}-\d{2})?$"}


class HoursWindow(Type):
    label = 'a window of hours like "08:30-12:00"'

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if isinstance(value, Quirky) or not isinstance(value, str):
            return self.wrong(value, mark, ctx, name)
        match = _HOURS.match(value)
        if not match:
            ctx.error(mark, "format", f"{name}: {quoted(value)} is not {self.label}")
            return INVALID
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h2 == 24 and m2:
            ctx.error(mark, "format", f"{name}: {quoted(value)} ends after 24:00")
            return INVALID
        start = dt.time(h1, m1)
        end = dt.time.max if h2 == 24 else dt.time(h2, m2)
        if end <= start:
            ctx.error(mark, "range", f"{name}: the window {value} ends before it starts")
            return INVALID
        return (start, end)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": _HOURS.pattern}


# RFC 5545 ranges of the numeric rule parts (dateutil accepts some out-of-range values silently)
_RULE_RANGES = {"BYMONTH": (1, 12), "BYMONTHDAY": (1, 31), "BYYEARDAY": (1, 366), "BYWEEKNO": (1, 53),
                "BYHOUR": (0, 23), "BYMINUTE": (0, 59), "BYSECOND": (0, 60), "BYSETPOS": (1, 366),
                "INTERVAL": (1, 10_000), "COUNT": (1, 100_000)}
_SIGNED = {"BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS"}


def _rule_numbers(rule: str) -> list[tuple[str, int, tuple[int, int]]]:
    found = []
    for piece in rule.split(";"):
        key, _, values = piece.partition("=")
        key = key.strip().upper()
        if key in _RULE_RANGES:
            for item in values.split(","):
                try:
                    found.append((key, int(item), _RULE_RANGES[key]))
                except ValueError:
                    continue  # dateutil has already refused anything that is not a number
    return found


class RRule(Type):
    label = 'an RFC 5545 rule like "FREQ=MONTHLY;BYMONTHDAY=-1"'

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, mark, ctx, name)
        if "DTSTART" in value.upper():
            ctx.error(mark, "rrule", f"{name}: give the first date in `start`, not DTSTART in the rule")
            return INVALID
        try:
            rrulestr(value, dtstart=dt.datetime(2000, 1, 1))
        except (ValueError, TypeError, KeyError) as exc:
            ctx.error(mark, "rrule", f"{name}: {quoted(value)} is not a valid RFC 5545 rule ({exc})")
            return INVALID
        for part, number, (low, high) in _rule_numbers(value):
            if not (low <= abs(number) <= high and (number > 0 or part in _SIGNED)):
                ctx.error(mark, "rrule", f"{name}: {part}={number} is out of range in {quoted(value)}")
                return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^[A-Z]+=.+$"}


class Phone(Type):
    label = "a phone number (digits, spaces, hyphens, optionally +86)"

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if isinstance(value, Quirky) or not isinstance(value, str):
            if isinstance(value, int) and not isinstance(value, bool):
                ctx.error(mark, "type", f"{name}: write the phone number in quotes (\"{value}\"), as text: "
                          "YAML would drop a leading 0 or a +")
                return INVALID
            return self.wrong(value, mark, ctx, name)
        text = phones.normalize(value)
        if not phones.is_phone(text):
            ctx.error(mark, "format", f"{name}: {quoted(value)} is not {phones.HINT}")
            return INVALID
        return text

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1}


class TimeZone(Type):
    label = "an IANA time zone like Asia/Shanghai"

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, mark, ctx, name)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            ctx.error(mark, "value", f"{name}: {quoted(value)} is not {self.label}")
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1}


class ListOf(Type):
    def __init__(self, item: Type, min_items: int = 0, unique: bool = False) -> None:
        self.item, self.min_items, self.unique = item, min_items, unique
        self.label = f"a list of {item.label}"

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if not isinstance(value, Seq):
            return self.wrong(value, mark, ctx, name)
        if len(value) < self.min_items:
            ctx.error(mark, "empty", f"{name}: needs at least {self.min_items} item"
                      + ("s" if self.min_items > 1 else ""))
        out, seen = [], set()
        for i, (item, item_mark) in enumerate(zip(value, value.item_marks, strict=False)):
            cleaned = self.item.check(item, item_mark, ctx, f"{name}[{i + 1}]")
            if cleaned is INVALID:
                continue
            if self.unique and isinstance(cleaned, str):
                if cleaned in seen:
                    ctx.error(item_mark, "duplicate", f"{name}: {quoted(cleaned)} is listed twice")
                    continue
                seen.add(cleaned)
            out.append(cleaned)
        return out

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.schema()}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.unique:
            out["uniqueItems"] = True
        return out


class OneOf(Type):
    """The first alternative whose shape fits the value (scalar, list or mapping)."""

    def __init__(self, *options: Type) -> None:
        self.options = options
        self.label = " or ".join(o.label for o in options)

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        for option in self.options:
            if _fits(option, value):
                return option.check(value, mark, ctx, name)
        return self.wrong(value, mark, ctx, name)

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [o.schema() for o in self.options]}


def _fits(option: Type, value: Any) -> bool:
    if isinstance(option, (Shape, MapOf)):
        return isinstance(value, Map)
    if isinstance(option, ListOf):
        return isinstance(value, Seq)
    return not isinstance(value, (Map, Seq))


class MapOf(Type):
    """A mapping from free keys (ids) to values of one type."""

    def __init__(self, value: Type, key: Type | None = None, min_items: int = 0) -> None:
        self.value, self.key, self.min_items = value, key or Id(), min_items
        self.label = f"a mapping of {self.key.label} to {value.label}"

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if not isinstance(value, Map):
            return self.wrong(value, mark, ctx, name)
        if len(value) < self.min_items:
            ctx.error(mark, "empty", f"{name}: needs at least {self.min_items} entry")
        out = {}
        for key, item in value.items():
            key_mark = value.key_marks[key]
            if self.key.check(key, key_mark, ctx, f"{name} key") is INVALID:
                continue
            cleaned = self.value.check(item, value.value_marks[key], ctx, f"{name}.{key}")
            if cleaned is not INVALID:
                out[key] = cleaned
        return out

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object", "additionalProperties": self.value.schema()}
        if isinstance(self.key, Text) and self.key.pattern:
            out["propertyNames"] = {"pattern": self.key.pattern.pattern}
        if self.min_items:
            out["minProperties"] = self.min_items
        return out


@dataclass(frozen=True)
class Field:
    """One key of a mapping: its type, whether it must be there, what it means, the value an
    absent key stands for, (for event fields) the event types that carry it, and (for the fields
    a spreadsheet column may hold) its Chinese column label and other headers people write for it."""

    name: str
    type: Type
    doc: str
    required: bool = False
    default: Any = None
    carried_by: tuple[str, ...] = ()
    label_zh: str = ""
    aliases: tuple[str, ...] = ()


class Shape(Type):
    """A mapping with known keys: unknown keys are errors with a suggestion."""

    def __init__(self, label: str, *fields: Field) -> None:
        self.label = label
        self.fields = {f.name: f for f in fields}
        # the keys a record must have (worked out once: asked of every mapping of every file read)
        self.required: tuple[str, ...] = tuple(f.name for f in fields if f.required)

    @property
    def order(self) -> tuple[str, ...]:
        """The keys in the order files write them."""
        return tuple(self.fields)

    def default(self, key: str) -> Any:
        return self.fields[key].default

    def doc(self, key: str) -> str:
        """What the key means (also the help text of the option that sets it)."""
        return self.fields[key].doc

    def complete(self, clean: Mapping[str, Any]) -> bool:
        """Whether a cleaned mapping has every required key (a record can be built from it)."""
        return all(map(clean.__contains__, self.required))

    def get(self, clean: Mapping[str, Any], key: str) -> Any:
        """The cleaned value of `key`, or the default an absent key stands for."""
        return clean.get(key, self.fields[key].default)

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if not isinstance(value, Map):
            if not name:  # the whole file
                ctx.error(mark, "type", f"the file must hold {self.label} as a mapping of keys to values, "
                          f"not {_shown(value)}")
                return INVALID
            return self.wrong(value, mark, ctx, name, f"{self.label} (a mapping of keys to values)")
        out: dict[str, Any] = {}
        for key, item in value.items():
            spec = self.fields.get(key)
            key_mark = value.key_marks[key]
            if spec is None:
                ctx.error(key_mark, "unknown-key",
                          f"{_join(name, key)}: unknown key" + _suggest(str(key), self.fields))
                continue
            if item is None:
                if spec.required:
                    ctx.error(key_mark, "required", f"{_join(name, key)}: must have a value")
                continue
            cleaned = spec.type.check(item, value.value_marks[key], ctx, _join(name, key))
            if cleaned is not INVALID:
                out[key] = cleaned
        for key in self.required:
            if key in value:
                continue
            ctx.error(mark, "required", f"{_join(name, key)}: required key is missing")
        out[MARKS] = (mark, value.key_marks)
        return out

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                f.name: {**f.type.schema(), "description": f.doc} for f in self.fields.values()
            },
            "required": [f.name for f in self.fields.values() if f.required],
            "additionalProperties": False,
        }


def _join(name: str, key: Any) -> str:
    return f"{name}.{key}" if name else str(key)


def _suggest(word: str, choices: Any) -> str:
    return did_you_mean(word, choices)


# --- the record kinds -------------------------------------------------------

KINDS = ("repair", "maintenance", "return", "exchange", "complaint", "inquiry")
KINDS_WITH_ASSET = ("repair", "maintenance", "return", "exchange")
SEVERITIES = ("emergency", "urgent", "normal")
CATEGORIES = ("structure", "surface", "function", "hardware", "safety", "cleaning", "other")
CHANNELS = ("phone", "online", "wechat", "email", "onsite", "inspection", "qr")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHECK_RESULTS = ("ok", "issue", "n/a")
STATUSES = ("breached", "at-risk", "running", "paused", "met", "void")  # of an SLA clock cycle

# Event types and what each means (RECORDS.md); the fields each carries are marked on the fields.
EVENT_TYPES: dict[str, str] = {
    "reported": "the request came in; always the first event",
    "assigned": "given to someone",
    "responded": "the customer was contacted about it",
    "arrived": "a technician reached the site",
    "inspected": "the product was examined (returns, exchanges)",
    "workaround": "a temporary solution is in place",
    "paused": "waiting for the customer or for parts",
    "resumed": "work goes on after a pause",
    "escalated": "handed to a higher tier",
    "resolved": "fixed",
    "accepted": "the customer signed the work off",
    "diagnosed": "a first diagnosis was given to the customer",
    "informed": "the customer was told how the work is going",
    "callback": "follow-up call after the service",
    "message": "follow-up message after the service (SMS, WeChat): use and care advice",
    "revisit": "on-site follow-up visit after the service",
    "reopened": "the fix did not hold",
    "cancelled": "withdrawn",
    "note": "anything else",
}

PART_USE = Shape(
    "a part used",
    Field("part", Id(), "id of the part (parts/<ID>.yaml)", required=True),
    Field("qty", Number(minimum=0), "quantity used, in the part's unit", required=True),
)

# Fields in the order a logged event writes them; `carried_by`: the event types that may carry one
# (a field with none is common to every event).
EVENT = Shape(
    "an event",
    Field("at", Instant(), "when it happened, with its UTC offset", required=True),
    Field("type", Choice(*EVENT_TYPES), "what happened", required=True),
    Field("by", Text(), "who recorded or did it"),
    Field("to", Text(), "assigned / escalated: to whom", carried_by=("assigned", "escalated")),
    Field("verdict", Choice("accept", "reject"), "inspected: the verdict on a return or exchange",
          carried_by=("inspected",)),
    Field("until", Instant(), "workaround: the agreed final resolution time", carried_by=("workaround",)),
    Field("reason", Text(), "paused / resumed: why", carried_by=("paused", "resumed")),
    Field("parts", ListOf(PART_USE), "resolved: spare parts used", default=(), carried_by=("resolved",)),
    Field("cost", Number(minimum=0), "resolved: amount charged to the customer", carried_by=("resolved",)),
    Field("satisfaction", Integer(1, 5), "callback / revisit: the customer's score, 1 (worst) to 5 (best)",
          carried_by=("callback", "revisit")),
    Field("note", Text(), "free text"),
    Field("logged", Instant(), "a late entry: when it was written (never before `at`)"),
)
COMMON_EVENT_FIELDS = tuple(f.name for f in EVENT.fields.values() if not f.carried_by)


def event_fields() -> dict[str, tuple[str, ...]]:
    """Event type -> the fields it carries beyond the common ones (from the spec, so a field
    added to EVENT is known everywhere at once). Worked out once per state of the spec: the
    checks ask for every event of every ticket."""
    fields = EVENT.fields
    if _EVENT_FIELDS and _EVENT_FIELDS[0] is fields:
        return _EVENT_FIELDS[1]
    carried = {kind: tuple(f.name for f in fields.values() if kind in f.carried_by) for kind in EVENT_TYPES}
    _EVENT_FIELDS[:] = [fields, carried]
    return carried


_EVENT_FIELDS: list[Any] = []   # [the EVENT fields it was worked out from, the answer]


REPORTER = Shape(
    "a reporter",
    Field("name", Text(), "who reported it"),
    Field("phone", Phone(), "phone number, as text (quote it): digits, spaces, hyphens, optionally +86"),
)

TICKET = Shape(
    "a ticket",
    Field("id", Id(), "the ticket id; also the file name", required=True),
    Field("kind", Choice(*KINDS), "what the customer asks for", required=True),
    Field("asset", Id(), "the asset concerned (required for repair, maintenance, return, exchange)"),
    Field("area", Id(), "a key of `areas`; default: the asset's area"),
    Field("priority", Text(), "one of `priorities`; default: the area's priority"),
    Field("severity", Choice(*SEVERITIES), "how urgent the problem is (default normal)", default="normal"),
    Field("category", Choice(*CATEGORIES), "the kind of problem"),
    Field("channel", Choice(*CHANNELS), "how the request came in (`qr`: a scanned label, `aftersales serve`)"),
    Field("reporter", REPORTER, "who reported it"),
    Field("location", Text(), "where exactly"),
    Field("summary", Text(), "one line describing the request", required=True),
    Field("inspection", Id(), "the inspection that found it"),
    Field("events", ListOf(EVENT, min_items=1), "append-only log, in time order; the first is `reported`",
          required=True),
)

EXTENSION = Shape(
    "a warranty extension",
    Field("years", Integer(1, 10), "years added", required=True),
    Field("fee", Number(), "fee paid"),
    Field("contract", Text(), "contract reference"),
)

ASSET = Shape(
    "an asset",
    Field("id", Id(), "the asset id; also the file name", required=True,
          label_zh="编号", aliases=("资产编号", "设备编号", "产品编号")),
    Field("name", Text(), "what it is", required=True, label_zh="名称", aliases=("品名", "产品名称", "设备名称")),
    Field("category", Text(), "product category, used to group in reports", required=True,
          label_zh="类别", aliases=("产品类别", "类型")),
    Field("area", Id(), "a key of `areas`", required=True, label_zh="区域", aliases=("使用区域",)),
    Field("location", Text(), "where it stands", label_zh="位置", aliases=("安装位置", "具体位置")),
    Field("quantity", Integer(1), "how many identical pieces (default 1)", default=1, label_zh="数量"),
    Field("model", Text(), "model number", label_zh="型号", aliases=("规格型号", "规格")),
    Field("installed", Date(), "acceptance date: the warranty starts here", label_zh="安装日期",
          aliases=("验收日期", "安装时间", "验收时间")),
    Field("warranty", Shape(
        "a warranty",
        Field("years", Integer(0, 50), "base warranty years (default: settings)", label_zh="质保年限",
              aliases=("质保期", "保修年限", "质保")),
        Field("extensions", ListOf(EXTENSION), "paid extensions"),
    ), "optional; default from settings"),
)

class CheckEntry(Type):
    """A checks entry: `asset` plus checklist items set to ok, issue or n/a."""

    label = "a check (asset and checklist results)"

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        if not isinstance(value, Map):
            return self.wrong(value, mark, ctx, name)
        out: dict[str, Any] = {}
        if "asset" not in value:
            ctx.error(mark, "required", f"{name}.asset: required key is missing")
        for key, item in value.items():
            item_mark = value.value_marks[key]
            if key == "asset":
                cleaned = Id().check(item, item_mark, ctx, f"{name}.asset")
            else:
                cleaned = Choice(*CHECK_RESULTS).check(item, item_mark, ctx, f"{name}.{key}")
            if cleaned is not INVALID:
                out[str(key)] = cleaned
        out[MARKS] = (mark, value.key_marks)
        return out

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "required": ["asset"],
                "properties": {"asset": Id().schema()},
                "additionalProperties": {"type": "string", "enum": list(CHECK_RESULTS)}}



FINDING = Shape(
    "a finding",
    Field("id", Id(), "unique within the inspection (F1, F2...)", required=True),
    Field("asset", Id(), "the asset concerned"),
    Field("location", Text(), "where exactly"),
    Field("category", Choice(*CATEGORIES), "the kind of problem"),
    Field("severity", Choice(*SEVERITIES), "how urgent"),
    Field("problem", Text(), "what is wrong", required=True),
    Field("action", Text(), "the solution"),
    Field("owner", Text(), "who fixes it"),
    Field("due", Date(), "by when"),
    Field("closed", Date(), "when it was fixed; absent while open"),
    Field("ticket", Id(), "the ticket that did the work"),
)

INSPECTION = Shape(
    "an inspection",
    Field("id", Id(), "the inspection id; also the file name", required=True),
    Field("plan", Id(), "the maintenance plan it fulfils"),
    Field("date", Date(), "when it was done", required=True),
    Field("inspectors", ListOf(Text(), min_items=1, unique=True), "who inspected", required=True),
    Field("areas", ListOf(Id(), unique=True), "areas inspected"),
    Field("checks", ListOf(CheckEntry()), "one entry per asset: each checklist item ok / issue / n/a"),
    Field("findings", ListOf(FINDING), "each problem found, with who fixes it by when"),
    Field("signoff", Shape(
        "a sign-off",
        Field("name", Text(), "who signed for the customer", required=True),
        Field("date", Date(), "when", required=True),
    ), "the customer's sign-off"),
)

MOVEMENT = Shape(
    "a stock movement",
    Field("date", Date(), "when", required=True, label_zh="日期", aliases=("入库日期",)),
    Field("in", Number(), "quantity received", label_zh="入库数量", aliases=("入库", "数量")),
    Field("out", Number(), "quantity taken out other than by a resolved ticket", label_zh="出库数量",
          aliases=("出库",)),
    Field("count", Number(), "a stock count: sets the level at this date", label_zh="盘点数量",
          aliases=("盘点",)),
    Field("note", Text(), "free text", label_zh="备注"),
)

PART = Shape(
    "a part",
    Field("id", Id(), "the part id; also the file name", required=True, label_zh="编号",
          aliases=("备件编号", "配件编号")),
    Field("name", Text(), "what it is", required=True, label_zh="名称", aliases=("备件名称", "配件名称", "品名")),
    Field("unit", Text(), "unit of quantities (pcs, m, kg...); in pcs, 件, 个, 套... quantities are whole",
          default="pcs", label_zh="单位"),
    Field("min", Number(), "reorder point: at or below it the part is low", label_zh="最低库存",
          aliases=("安全库存", "补货点")),
    Field("movements", ListOf(MOVEMENT), "deliveries, withdrawals and stock counts"),
)


# --- settings ---------------------------------------------------------------

LANGUAGES = ("en", "zh")  # the languages of the documents

# A display name: plain text, or one text per language ({en: ..., zh: ...}). Plain text is the
# customer's words (Chinese documents show it; English ones only when it holds no Chinese
# character); a document in a language neither gives shows the id instead (core.model.Name).
class DisplayName(OneOf):
    """A display name: text, or a mapping of at least one language to text."""

    def __init__(self) -> None:
        super().__init__(Text(), Shape(
            "a name per language",
            Field("en", Text(), "English"),
            Field("zh", Text(), "Simplified Chinese"),
        ))

    def check(self, value: Any, mark: Mark, ctx: Context, name: str) -> Any:
        cleaned = super().check(value, mark, ctx, name)
        if isinstance(cleaned, dict) and not any(lang in cleaned for lang in LANGUAGES):
            if isinstance(value, Map) and not value:
                ctx.error(mark, "empty", f"{name}: give the name in {' or '.join(LANGUAGES)}")
            return INVALID
        return cleaned

    def schema(self) -> dict[str, Any]:
        text, by_lang = (o.schema() for o in self.options)
        return {"oneOf": [text, {**by_lang, "minProperties": 1}]}


NAME = DisplayName()

WHEN_VALUE = OneOf(Text(), ListOf(Text(), min_items=1))
TARGET = Shape(
    "an SLA target",
    Field("id", Id(), "the target's name; several entries may share one id", required=True),
    Field("when", Shape(
        "a condition",
        Field("kind", WHEN_VALUE, "ticket kind(s)"),
        Field("priority", WHEN_VALUE, "priority(ies)"),
        Field("severity", WHEN_VALUE, "severity(ies)"),
        Field("area", WHEN_VALUE, "area(s)"),
        Field("category", WHEN_VALUE, "problem category(ies)"),
    ), "which tickets it applies to; all keys must match; absent: every ticket"),
    Field("start", Choice(*EVENT_TYPES), "the event that starts the clock", required=True),
    Field("stop", ListOf(Choice(*EVENT_TYPES), min_items=1, unique=True),
          "the first of these events after the start stops it", required=True),
    Field("within", OneOf(DurationType(), MapOf(DurationType(), key=Text())),
          "the allowed time, or a map from priority to time", required=True),
    Field("pausable", Boolean(), "time between paused and resumed does not count", default=False),
    Field("agreed", Choice("workaround"), "a workaround's `until` before the deadline moves it"),
    Field("calendar", Id(), "the calendar that counts time (default always)", default="always"),
)

TARGET_GROUP = Shape(
    "a group of targets",
    Field("id", Id(), "the group's id", required=True),
    Field("name", NAME, "its heading in documents, or {en: ..., zh: ...}", required=True),
    Field("targets", ListOf(Id(), min_items=1, unique=True), "target ids, in the order shown", required=True),
)

CALENDAR = Shape(
    "a calendar",
    Field("week", ListOf(Choice(*WEEKDAYS), unique=True), "working days of the week", default=WEEKDAYS),
    Field("hours", ListOf(HoursWindow()), "working windows of a day; omit for whole days"),
    Field("holidays", ListOf(DateOrRange()), "days off: dates or ranges A..B (both included)"),
    Field("extra_workdays", ListOf(DateOrRange()), "make-up working days (调休) on weekends"),
)

PLAN = Shape(
    "a maintenance plan",
    Field("id", Id(), "the plan id", required=True),
    Field("name", NAME, "what it is called, or {en: ..., zh: ...}"),
    Field("areas", OneOf(Choice("all"), ListOf(Id(), min_items=1, unique=True)),
          "`all` or a list of areas", required=True),
    Field("rrule", RRule(), "RFC 5545 recurrence rule of the due dates", required=True),
    Field("start", Date(), "the first date the rule counts from", required=True),
    Field("early", DurationType(), "how long before a due date an inspection still counts (days)"),
    Field("inspectors", Integer(1), "how many inspectors it needs", default=1),
    Field("checklist", ListOf(Id(), min_items=1, unique=True), "the items checked for each asset",
          required=True),
)

BASE_URL = Text(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$",
                "a web address like https://service.example.com (no query or fragment)")
SERVE = Shape(
    "the web app",
    Field("base_url", BASE_URL, "the address people reach the app at; QR labels point there"),
    Field("hotline", Text(), "the service phone number printed on labels and shown on the pages"),
    Field("language", Choice("zh", "en"), "language of the web pages and the labels", default="zh"),
    Field("merge_within", DurationType(),
          "a report of the same asset with the same text within this time is the same report",
          default=MERGE_WITHIN),
    Field("limits", Shape(
        "intake limits",
        Field("per_address", Integer(1), "reports an hour from one client address (a school's network may be one)",
              default=30),
        Field("per_asset", Integer(1), "reports an hour about one asset", default=20),
    ), "how many QR reports are taken an hour"),
)

# --- notify: alerts and customer messages --------------------------------------

ALERT_KINDS = ("at-risk", "breached", "escalation", "finding-overdue", "maintenance-overdue", "warranty-expiring",
               "low-stock")
CHANNEL_KINDS = ("wecom", "dingtalk", "feishu", "webhook", "email")
ENV_NAME = Text(r"^[A-Za-z_][A-Za-z0-9_]*$", "the name of an environment variable (letters, digits and _)")
ENV_NAME.label = "an environment variable name"
CHANNEL = Shape(
    "a notification channel",
    Field("id", Id(), "the channel's name, used by `rules`", required=True),
    Field("kind", Choice(*CHANNEL_KINDS), "wecom, dingtalk or feishu group robot, a JSON webhook, or email",
          required=True),
    Field("url_env", ENV_NAME, "robots and webhooks: the environment variable holding the URL (never the URL)"),
    Field("secret_env", ENV_NAME, "dingtalk / feishu: the environment variable holding the signing secret"),
    Field("smtp_env", ENV_NAME, "email: the environment variable holding smtp://user:password@host:587"),
    Field("to", ListOf(Text(), min_items=1, unique=True), "email: the recipients"),
    Field("from", Text(), "email: the sender address (default: the SMTP user)"),
    Field("per_minute", Integer(1, 10_000), "messages a minute at most (default: the robot's documented limit)"),
)
NOTIFY_RULE = Shape(
    "a notification rule",
    Field("on", ListOf(Choice(*ALERT_KINDS), min_items=1, unique=True), "the alert kinds it sends", required=True),
    Field("when", Shape(
        "a condition",
        Field("kind", WHEN_VALUE, "ticket kind(s)"),
        Field("priority", WHEN_VALUE, "priority(ies)"),
        Field("severity", WHEN_VALUE, "severity(ies)"),
        Field("area", WHEN_VALUE, "area(s)"),
        Field("category", WHEN_VALUE, "problem category(ies)"),
        Field("target", WHEN_VALUE, "SLA target id(s)"),
    ), "which alerts it applies to; all keys must match; absent: every alert of its kinds"),
    Field("to", ListOf(Id(), min_items=1, unique=True), "the channel ids it sends to", required=True),
)
NOTIFY = Shape(
    "the notifications",
    Field("language", Choice("zh", "en"), "language of the messages", default="zh"),
    Field("escalate_after", DurationType(), "a clock breached by more than this (counted like its target) "
          "raises an escalation", default=parse_duration("1h")),
    Field("warranty_days", Integer(1, 3660), "warranty-expiring: warranties ending within this many days",
          default=30),
    Field("summary_after", DurationType(), "alerts true for longer than this when first sent (missed while "
          "notify or the network was down) go out as one summary per channel", default=parse_duration("15m")),
    Field("channels", ListOf(CHANNEL), "where messages go"),
    Field("rules", ListOf(NOTIFY_RULE), "which alerts go to which channels"),
    Field("customer", Shape(
        "customer progress messages",
        Field("channel", Id(), "a webhook channel: the supplier's SMS or WeChat gateway", required=True),
        Field("on", ListOf(Choice(*EVENT_TYPES), min_items=1, unique=True),
              "the events that send the reporter a message",
              default=("responded", "arrived", "resolved", "callback")),
        Field("within", DurationType(), "events older than this when notify runs send nothing",
              default=parse_duration("24h")),
    ), "progress messages to the reporter (off without this section)"),
)

PERSON = Shape(
    "a person",
    Field("name", NAME, "full name, or {en: ..., zh: ...}", required=True),
    Field("role", NAME, "job title, or {en: ..., zh: ...}"),
    Field("phone", Text(), "work phone, as text (quote it)"),
)

SETTINGS = Shape(
    "the settings",
    Field("schema", Integer(1, 1), "records format version (1)", required=True),
    Field("project", Shape(
        "the project",
        Field("name", Text(), "project name, shown on reports", required=True),
        Field("customer", Text(), "the customer"),
        Field("supplier", Text(), "who gives the service"),
        Field("currency", Text(r"^[A-Z]{3}$", "an ISO 4217 currency code like CNY"),
              "ISO 4217 code of the amounts charged (default CNY)", default="CNY"),
        Field("timezone", TimeZone(), "IANA time zone every time is computed in", required=True),
        Field("id", Id(), "short name of the project in exports of several contracts (default: the "
              "records folder's name) and at the start of its report numbers"),
    ), "who and where", required=True),
    Field("areas", MapOf(Shape(
        "an area",
        Field("name", NAME, "display name, or {en: ..., zh: ...}", required=True),
        Field("priority", Text(), "one of `priorities`", required=True),
    ), min_items=1), "where furniture stands, each with a priority", required=True),
    Field("priorities", ListOf(Id(), min_items=1, unique=True), "priorities, highest first",
          required=True),
    Field("late_after", DurationType(), "an event written more than this after its `at` carries `logged` "
          "(default 15m)", default=Duration(15, "m")),
    Field("calendars", MapOf(CALENDAR), "working-time calendars (`always` exists without one)"),
    Field("sla", Shape(
        "the SLA",
        Field("at_risk", Number(0, 1), "share of a target after which a running clock is at risk",
              default=0.75),
        Field("targets", ListOf(TARGET), "targets in order; for each id the first match applies"),
        Field("names", MapOf(NAME), "how documents name each target id"),
        Field("groups", ListOf(TARGET_GROUP), "how documents group the targets, in order; targets in no "
              "group come last"),
    ), "service-level targets"),
    Field("warranty", Shape(
        "the warranty terms",
        Field("years", Integer(0, 50), "years from an asset's installed date (5 without this section)",
              required=True, default=5),
        Field("max_extension_years", Integer(0, 50), "extensions add up to at most this", default=3),
        Field("replace_after", Shape(
            "a replacement rule",
            Field("failures", Integer(1), "repairs", required=True),
            Field("within", DurationType(), "in any window this long", required=True),
        ), "repeated repairs that make an asset due for replacement"),
    ), "warranty terms"),
    Field("maintenance", ListOf(PLAN), "recurring inspections and upkeep"),
    Field("people", MapOf(PERSON), "who the ids in `by`, `to`, inspectors and owners are"),
    Field("categories", MapOf(NAME, key=Text()), "names of the asset categories, for documents"),
    Field("units", MapOf(NAME, key=Text()), "names of the parts' units, for documents"),
    Field("serve", SERVE, "the web app of `aftersales serve` and its QR labels"),
    Field("notify", NOTIFY, "alerts to the team's group chats and progress messages to customers"),
)

RECORD_SHAPES: dict[str, Shape] = {
    "settings": SETTINGS, "asset": ASSET, "ticket": TICKET, "inspection": INSPECTION, "part": PART,
}
