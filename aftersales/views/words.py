"""Words the documents share: durations and promises, amounts, people, percentages.

The engine hands over durations as `30m`/`2h`/`3d` and calendars by id; these
functions say them as a reader of a contract would ("within 2 hours", "3 个工作日内").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aftersales.core.model import Settings
from aftersales.views.labels import Names

UNIT_WORDS = {
    "en": {"m": ("{n} min", "{n} working min"), "h": ("{n} h", "{n} working h"),
           "d": ("{n} days", "{n} working days")},
    "zh": {"m": ("{n} 分钟", "{n} 个工作分钟"), "h": ("{n} 小时", "{n} 个工作小时"), "d": ("{n} 天", "{n} 个工作日")},
}
LIST_SEP = {"en": ", ", "zh": "、"}
CLAUSE_SEP = {"en": "; ", "zh": "；"}


def duration(text: str, calendar: str, lang: str) -> str:
    """`2h` on the `always` calendar -> "2 h" / "2 小时"; `3d` on a working calendar -> "3 working days"."""
    amount, unit = int(text[:-1]), text[-1]
    plain, working = UNIT_WORDS[lang][unit]
    if unit == "d" and amount == 1:
        plain, working = ("1 day", "1 working day") if lang == "en" else (plain, working)
    return (plain if calendar == "always" else working).format(n=amount)


def within(text: str, calendar: str, lang: str) -> str:
    """"within 2 h" / "2 小时内"."""
    words = duration(text, calendar, lang)
    return f"within {words}" if lang == "en" else f"{words}内"


def joined(items: Sequence[str], lang: str) -> str:
    return LIST_SEP[lang].join(items)


def priority_durations(by_priority: Mapping[str, str], calendar: str, settings: Settings, names: Names,
                       lang: str) -> str:
    """{critical: 2h, high: 2h, normal: 4h} -> "within 2 h (highest, high), within 4 h (normal)"."""
    order = [p for p in settings.priorities if p in by_priority] + [p for p in by_priority
                                                                     if p not in settings.priorities]
    groups: dict[str, list[str]] = {}
    for p in order:
        groups.setdefault(by_priority[p], []).append(names("priority", p))
    open_, close = (" (", ")") if lang == "en" else ("（", "）")
    return LIST_SEP[lang].join(f"{within(d, calendar, lang)}{open_}{joined(ps, lang)}{close}"
                               for d, ps in groups.items())


WHEN_GROUPS = {"kind": "kind", "severity": "severity", "priority": "priority", "area": "area",
               "category": "category"}


def condition(when: Mapping[str, Sequence[str]], names: Names, lang: str) -> str:
    """A target entry's `when` in words: "emergency repair" / "紧急 维修"."""
    parts = []
    for key in ("severity", "priority", "area", "category", "kind"):
        if key in when:
            parts.append(joined([names(WHEN_GROUPS[key], v) for v in when[key]], lang))
    return (" " if lang == "en" else "").join(parts)


def promise(entries: Sequence[Mapping[str, Any]], settings: Settings, names: Names, lang: str) -> str:
    """What the settings promise for one target, every entry in order:
    "emergency repair: within 30 min; repair: within 2 h (highest, high), within 4 h (normal)"."""
    out = []
    colon = ": " if lang == "en" else "："
    for entry in entries:
        if isinstance(entry["within"], Mapping):
            words = priority_durations(entry["within"], entry["calendar"], settings, names, lang)
        else:
            words = within(entry["within"], entry["calendar"], lang)
        when = condition(entry["when"], names, lang)
        out.append(f"{when}{colon}{words}" if when and len(entries) > 1 else words)
    return CLAUSE_SEP[lang].join(out)


def promised(clocks: Sequence[Mapping[str, str]], lang: str) -> str:
    """The allowed times a set of clocks ran against: "within 2 h" or "within 30 min / 2 h"."""
    if not clocks:
        return ""
    times = [duration(c["within"], c["calendar"], lang) for c in clocks]
    return f"within {' / '.join(times)}" if lang == "en" else f"{' / '.join(times)}内"


def money(amount: float | int | None, currency: str, lang: str) -> str:
    """750 CNY -> "CNY 750.00" / "750.00 元"; other currencies keep their code in both languages."""
    value = f"{float(amount or 0):,.2f}"
    if lang == "zh":
        return f"{value} 元" if currency == "CNY" else f"{value} {currency}"
    return f"{currency} {value}"


def person(pid: str | None, names: Names, with_role: bool = False, phone: str = "") -> str:
    """A person's name (with their role and work phone, when asked and known) from the settings;
    the id where the settings do not know them."""
    if not pid:
        return ""
    name = names("person", pid)
    extra = [names("role", pid)] if with_role and names.known("role", pid) else []
    extra += [phone] if phone else []
    if not extra:
        return name
    return f"{name} ({', '.join(extra)})" if names.lang == "en" else f"{name}（{'，'.join(extra)}）"
