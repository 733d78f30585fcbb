"""Checks of the `notify:` settings that need more than one field: channels named by rules and by
the customer messages, what each kind of channel needs, and the environment variables that hold
the secrets (the records never hold a URL, a signing secret or a password)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from aftersales.checks.common import error, warning
from aftersales.core.model import Channel, Settings
from aftersales.core.problems import Problem, did_you_mean
from aftersales.store.paths import SETTINGS_FILE
from aftersales.store.spec import CATEGORIES, KINDS, SEVERITIES

ROBOTS = ("wecom", "dingtalk", "feishu")
SIGNED = ("dingtalk", "feishu")
# field -> the channel kinds that use it
USED_BY: dict[str, tuple[str, ...]] = {
    "url_env": (*ROBOTS, "webhook"), "secret_env": SIGNED, "smtp_env": ("email",), "to": ("email",),
    "sender": ("email",),
}
REQUIRED: dict[str, tuple[str, ...]] = {"url_env": (*ROBOTS, "webhook"), "smtp_env": ("email",), "to": ("email",)}
NAMES = {"sender": "from"}  # model field -> settings key

_WHEN_VALUES: dict[str, Callable[[Settings], Iterable[str]]] = {
    "kind": lambda s: KINDS, "severity": lambda s: SEVERITIES, "category": lambda s: CATEGORIES,
    "priority": lambda s: s.priorities, "area": lambda s: s.areas,
    "target": lambda s: dict.fromkeys(t.id for t in s.targets),
}


def _error(line: int, code: str, message: str) -> Problem:
    return error(SETTINGS_FILE, line, code, message)


def check_notify(s: Settings) -> Iterator[Problem]:
    """The channels, rules and customer messages of `notify:` fit together."""
    n = s.notify
    seen: set[str] = set()
    for c in n.channels:
        name = f"notify.channels ({c.id})"
        if c.id in seen:
            yield _error(c.line, "duplicate-id", f"notify.channels: channel id {c.id!r} is used twice")
        seen.add(c.id)
        for attr, kinds in USED_BY.items():
            key = NAMES.get(attr, attr)
            if getattr(c, attr) and c.kind not in kinds:
                yield _error(c.line, "value", f"{name}: {_a(c.kind)} channel has no `{key}` "
                             f"(only {', '.join(kinds)})")
        for attr, kinds in REQUIRED.items():
            if c.kind in kinds and not getattr(c, attr):
                yield _error(c.line, "required", f"{name}: {_a(c.kind)} channel needs `{attr}`")
    ids = [c.id for c in n.channels]
    for index, rule in enumerate(n.rules, 1):
        name = f"notify.rules[{index}]"
        for channel in rule.to:
            if channel not in ids:
                yield _error(rule.line, "unknown-channel",
                             f"{name}.to: no channel {channel!r}" + did_you_mean(channel, ids))
        for key, values in rule.when.items():
            allowed = list(_WHEN_VALUES[key](s))
            for value in values:
                if value not in allowed:
                    yield _error(rule.line, "value", f"{name}.when.{key}: {value!r} is not one of "
                                 f"{', '.join(allowed) or '(none)'}" + did_you_mean(value, allowed))
    customer = n.customer
    if customer is not None:
        kind_of = {c.id: c.kind for c in n.channels}
        if customer.channel not in kind_of:
            yield _error(customer.line, "unknown-channel", f"notify.customer.channel: no channel "
                         f"{customer.channel!r}" + did_you_mean(customer.channel, ids))
        elif kind_of[customer.channel] != "webhook":
            yield _error(customer.line, "value", f"notify.customer.channel: {customer.channel!r} is "
                         f"{_a(kind_of[customer.channel])} channel; customer messages go through a webhook channel "
                         "(the SMS or WeChat gateway), never a group chat")


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def missing_variables(channel: Channel, environ: Mapping[str, str]) -> list[str]:
    """The environment variables a channel of its kind reads that are unset or empty."""
    names = [getattr(channel, attr) for attr in ("url_env", "secret_env", "smtp_env")
             if channel.kind in USED_BY[attr]]
    return [name for name in names if name and not environ.get(name)]


def check_environment(s: Settings, environ: Mapping[str, str]) -> Iterator[Problem]:
    """A warning for each channel whose URL, secret or SMTP variable is not set here: `notify`
    run with this environment refuses to send to it."""
    used = {c for rule in s.notify.rules for c in rule.to}
    if s.notify.customer is not None:
        used.add(s.notify.customer.channel)
    for c in s.notify.channels:
        missing = missing_variables(c, environ)
        if missing and c.id in used:
            yield warning(SETTINGS_FILE, c.line, "notify-env",
                          f"notify.channels ({c.id}): ${', $'.join(missing)} "
                          f"{'is' if len(missing) == 1 else 'are'} not set; `aftersales notify` cannot send "
                          "to this channel in this environment")
