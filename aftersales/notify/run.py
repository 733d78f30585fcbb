"""One `aftersales notify` run: which messages are due, and sending each of them once.

1. The engine says which alerts are true now (`engine.alerts`); the settings' rules route each
   to channels; what the state records as told on a channel is dropped.
2. A clock's alerts make one message per channel: the most severe (escalation, then breached,
   then at-risk); the others are recorded as covered by it.
3. Alerts that became true longer than `summary_after` ago were missed (notify or the network
   was down): two or more of them on a channel go out as one summary. When the rest would
   still exceed the channel's messages a minute, they are batched into one message too.
   A summary longer than the robot's size limit is split into as few messages as fit.
4. Each message is sent under the channel's rate limit (counted across runs in the state),
   retried with backoff on a timeout, a refused connection, HTTP 429/5xx or a robot's "too
   many" code, and recorded as told only once the server accepted it. A channel whose
   variables are unset, or that failed for good, is not tried again in this run; its
   messages stay unsent for the next run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftersales.core.errors import UsageError
from aftersales.core.model import Channel, NotifyRule, Records
from aftersales.engine import alerts as engine
from aftersales.engine.alerts import SEVERITY, Alert
from aftersales.notify import state as state_file
from aftersales.notify.channels import SendError, Transport
from aftersales.notify.state import Key, State
from aftersales.views.alerts import Message, Writer, payload
from aftersales.views.safe import masked_phone

RETRIES = 3              # tries after the first one, within a run
BACKOFF_SECONDS = 1.0    # waits 1, 2, 4 s between tries
TIMEOUT_SECONDS = 10.0
Told = tuple[tuple[Key, str], ...]  # (alert key, how: sent / summary / covered)


@dataclass(frozen=True)
class Outgoing:
    """One message for one channel, and the alerts it tells."""

    channel: Channel
    kind: str                    # alert, summary (missed alerts), digest (a batch under the rate limit), progress
    message: Message
    payload: dict[str, Any]
    told: Told
    recipient: str | None = None  # progress: the reporter's phone, masked (the payload has it whole)

    @property
    def private(self) -> bool:
        return self.kind == "progress"


@dataclass(frozen=True)
class Outcome:
    outgoing: Outgoing
    error: str | None = None     # None: the server accepted it
    tries: int = 0


@dataclass
class Result:
    planned: list[Outgoing]
    outcomes: list[Outcome] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error is not None]


# --- what is due --------------------------------------------------------------------------

def routes(rules: Sequence[NotifyRule], a: Alert) -> list[str]:
    """The channels the rules send `a` to, each once, in the order the rules name them."""
    found: dict[str, None] = {}
    for rule in rules:
        if a.kind in rule.on and all(set(a.facts.get(k, ())) & set(v) for k, v in rule.when.items()):
            found.update(dict.fromkeys(rule.to))
    return list(found)


@dataclass(frozen=True)
class Due:
    """What is true as of an instant: the alerts the rules ask for, and the progress messages."""

    alerts: list[Alert]
    progress: list[engine.Progress]

    @property
    def keys(self) -> set[Key]:
        return {a.key for a in self.alerts} | {p.key for p in self.progress}


def due(records: Records, at: dt.datetime) -> Due:
    n = records.settings.notify
    kinds = {k for rule in n.rules for k in rule.on}
    customer = n.customer
    return Due(engine.alerts(records, at, kinds=kinds) if kinds else [],
               engine.progress(records.tickets.values(), at, customer.on, customer.within) if customer else [])


def plan(records: Records, at: dt.datetime, state: State, found: Due | None = None) -> list[Outgoing]:
    """Every message due as of `at` that the state does not record as told, channel by channel."""
    n = records.settings.notify
    writer = Writer(records, n.language)
    found = found or due(records, at)
    pending: dict[str, list[Alert]] = {}
    for a in found.alerts:
        for channel_id in routes(n.rules, a):
            if not state.is_sent(a.key, channel_id):
                pending.setdefault(channel_id, []).append(a)
    late_before = at - dt.timedelta(seconds=n.summary_after.seconds)
    out: list[Outgoing] = []
    for channel in n.channels:
        if channel.id in pending:
            out += _channel_messages(channel, pending[channel.id], writer, late_before, records)
    out += _progress_messages(records, found.progress, state, writer)
    return out


def _channel_messages(channel: Channel, pending: list[Alert], writer: Writer, late_before: dt.datetime,
                      records: Records) -> list[Outgoing]:
    groups: dict[tuple[str, ...], list[Alert]] = {}
    for a in pending:
        groups.setdefault(a.group, []).append(a)
    chosen: list[tuple[Alert, Told]] = []
    for members in groups.values():
        best = max(members, key=lambda a: SEVERITY.get(a.kind, 0))
        chosen.append((best, tuple((a.key, "covered") for a in members if a is not best)))
    chosen.sort(key=lambda pair: (pair[0].since, pair[0].key))
    late = [pair for pair in chosen if pair[0].since < late_before]
    fresh = [pair for pair in chosen if pair[0].since >= late_before]
    messages: list[Outgoing] = []
    if len(late) >= 2:
        messages += _summaries(channel, late, writer, records, missed=True)
    else:
        fresh = late + fresh
    limit = Transport(channel, {}, 0).per_minute
    if len(messages) + len(fresh) > limit:
        return messages + _summaries(channel, fresh, writer, records, missed=False)
    tz = records.settings.tz
    for a, covered in fresh:
        message = writer.alert(a)
        messages.append(Outgoing(channel, "alert", message, payload(a, message, tz), ((a.key, "sent"), *covered)))
    return messages


def rendered_size(message: Message, kind: str) -> int:
    """Bytes of the message as the channel's kind sends it (Markdown escapes add some)."""
    text = message.markdown(blank_lines=kind == "dingtalk") if kind in ("wecom", "dingtalk") else message.plain()
    return len(text.encode("utf-8"))


def _summaries(channel: Channel, chosen: list[tuple[Alert, Told]], writer: Writer, records: Records,
               missed: bool) -> list[Outgoing]:
    """As few summary messages as the channel's size limit allows."""
    limit = Transport(channel, {}, 0).max_bytes
    chunks: list[list[tuple[Alert, Told]]] = [[]]
    for pair in chosen:
        candidate = [*chunks[-1], pair]
        if chunks[-1] and rendered_size(writer.summary([a for a, _ in candidate], missed), channel.kind) > limit:
            chunks.append([pair])
        else:
            chunks[-1] = candidate
    tz = records.settings.tz
    out = []
    for chunk in chunks:
        message = writer.summary([a for a, _ in chunk], missed)
        body = {"kind": "summary", "missed": missed, "title": message.title, "message": message.plain(),
                "alerts": [payload(a, writer.alert(a), tz) for a, _ in chunk]}
        told = tuple(item for a, covered in chunk for item in ((a.key, "summary"), *covered))
        out.append(Outgoing(channel, "summary" if missed else "digest", message, body, told))
    return out


def _progress_messages(records: Records, progress: list[engine.Progress], state: State,
                       writer: Writer) -> list[Outgoing]:
    customer = records.settings.notify.customer
    channel = next((c for c in records.settings.notify.channels if customer and c.id == customer.channel), None)
    if customer is None or channel is None:
        return []
    out = []
    for p in progress:
        if state.is_sent(p.key, channel.id):
            continue
        text = writer.progress(p)
        reporter = p.ticket.reporter
        phone = reporter.phone if reporter else None
        body = {"kind": "progress", "event": p.event, "ticket": p.ticket.id, "phone": phone,
                "name": reporter.name if reporter else None, "message": text}
        out.append(Outgoing(channel, "progress", Message(text), body, ((p.key, "sent"),), masked_phone(phone)))
    return out


# --- sending ------------------------------------------------------------------------------

@dataclass
class Sender:
    """Sends planned messages through their channels' transports; time is injectable for tests."""

    environ: Mapping[str, str]
    timeout: float = TIMEOUT_SECONDS
    retries: int = RETRIES
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    def send_all(self, planned: Iterable[Outgoing], state: State, at: dt.datetime,
                 on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        outcomes = []
        given_up: dict[str, str] = {}
        transports: dict[str, Transport] = {}
        for o in planned:
            transport = transports.setdefault(o.channel.id, Transport(o.channel, self.environ, self.timeout))
            why = given_up.get(o.channel.id) or transport.unusable()
            if why:
                given_up.setdefault(o.channel.id, why)
                outcome = Outcome(o, why)
            else:
                outcome = self._deliver(o, transport, state, at)
                if outcome.error is not None:
                    given_up[o.channel.id] = f"not tried after an earlier failure ({outcome.error})"
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
        return outcomes

    def _deliver(self, o: Outgoing, transport: Transport, state: State, at: dt.datetime) -> Outcome:
        error = ""
        for attempt in range(self.retries + 1):
            self._wait_for_room(o.channel.id, transport.per_minute, state)
            state.record_send(o.channel.id, self.clock())
            try:
                transport.send(o.message, o.payload, private=o.private)
            except SendError as exc:
                error = exc.reason
                if not exc.retry or attempt == self.retries:
                    tries = attempt + 1
                    return Outcome(o, error + (f" (after {tries} tries)" if tries > 1 else ""), tries)
                self.sleep(BACKOFF_SECONDS * 2 ** attempt)
                continue
            state.mark(o.told, o.channel.id, at)
            return Outcome(o, None, attempt + 1)
        return Outcome(o, error, self.retries + 1)  # pragma: no cover - the loop always returns

    def _wait_for_room(self, channel: str, per_minute: int, state: State) -> None:
        """Wait until the channel has sent fewer than `per_minute` messages in the last minute."""
        now = self.clock()
        recent = state.recent_sends(channel, now)
        if len(recent) >= per_minute:
            self.sleep(max(0.0, recent[-per_minute] + state_file.RATE_WINDOW - now))


def run(records: Records, root: Path, at: dt.datetime, state_path: Path | None, *, dry_run: bool,
        sender: Sender, on_outcome: Callable[[Outcome], None] | None = None) -> Result:
    """Plan and (unless `dry_run`) send, with the state locked from the first look to the last record."""
    if not records.settings.notify.channels:
        raise UsageError("the settings have no `notify:` channels, so there is nowhere to send; "
                         "docs/notify.md shows how to add them")
    path = state_path or state_file.default_path(root)
    state_file.check_outside(path, root)
    found = due(records, at)
    with state_file.opened(path, write=not dry_run) as state:
        planned = plan(records, at, state, found)
        if dry_run:
            return Result(planned, dry_run=True)
        outcomes = sender.send_all(planned, state, at, on_outcome)
        state.forget(found.keys, at, sender.clock())
    return Result(planned, outcomes)
