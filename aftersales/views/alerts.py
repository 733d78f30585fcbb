"""The words of `aftersales notify`: alert messages for the team and progress messages for
customers, in Chinese or English, short enough for a phone screen.

A message is a title and a few lines of plain text (record text made visible, never obeyed);
`markdown()` turns it into the Markdown the WeCom and DingTalk robots show, `payload()` gives the
JSON fields of the generic webhook. Numbers come exact from the engine and are rounded here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.core.model import Records
from aftersales.engine.alerts import Alert, Progress
from aftersales.views.fmt import human_seconds, iso, short, whole
from aftersales.views.labels import Names, texts
from aftersales.views.markdown import md
from aftersales.views.safe import visible

TEXTS = {
    "en": {
        "at-risk": "At risk", "breached": "Breached", "escalation": "Escalation",
        "finding-overdue": "Finding overdue", "maintenance-overdue": "Maintenance overdue",
        "warranty-expiring": "Warranty ending", "low-stock": "Low stock",
        "open": "", "close": ": ",
        "promise": "Promise: by {deadline} ({within})",
        "left": "{time} left", "late": "late by {time}", "escalated": "late by {time}: please step in",
        "finding-due": "Due {due}, {days} days overdue", "owner": "owner {owner}",
        "slot-due": "Due {due}, {days} days overdue",
        "warranty-end": "Warranty until {due}, {days} days left", "warranty-today": "Warranty ends today ({due})",
        "stock": "Stock {stock} {unit}, reorder point {min}",
        "summary": "Catching up: {count} alerts not sent in time",
        "paren": " ({})", "and": "; ",
        "digest": "{count} alerts",
        "more": "... and {count} more",
        "dear": "{supplier}: {name}, your request \u201c{summary}\u201d ({ticket}): {news}",
        "dear-anonymous": "{supplier}: your request \u201c{summary}\u201d ({ticket}): {news}",
        "responded": "we have it and are on it.",
        "arrived": "our technician is on site.",
        "resolved": "the work is done. Call us if anything is still wrong.",
        "callback": "thank you for your feedback.",
        "update": "there is news ({event}).",
    },
    "zh": {
        "at-risk": "即将超时", "breached": "已超时", "escalation": "超时升级",
        "finding-overdue": "整改逾期", "maintenance-overdue": "保养逾期",
        "warranty-expiring": "质保将到期", "low-stock": "库存不足",
        "open": "【", "close": "】",
        "promise": "承诺：{deadline} 前（{within}）",
        "left": "剩余 {time}", "late": "已超时 {time}", "escalated": "已超时 {time}，请介入",
        "finding-due": "整改期限 {due}，已逾期 {days} 天", "owner": "负责人 {owner}",
        "slot-due": "应于 {due} 完成，已逾期 {days} 天",
        "warranty-end": "质保至 {due}，还剩 {days} 天", "warranty-today": "质保今天到期（{due}）",
        "stock": "库存 {stock} {unit}，补货点 {min}",
        "summary": "补发：未能及时发出的提醒共 {count} 条",
        "paren": "（{}）", "and": "，",
        "digest": "提醒：共 {count} 条",
        "more": "……另有 {count} 条",
        "dear": "【{supplier}】{name}您好，您报修的“{summary}”（单号 {ticket}）{news}",
        "dear-anonymous": "【{supplier}】您好，您报修的“{summary}”（单号 {ticket}）{news}",
        "responded": "我们已受理，正在处理。",
        "arrived": "工程师已到达现场。",
        "resolved": "已处理完毕，如仍有问题请随时联系我们。",
        "callback": "感谢您的回访反馈。",
        "update": "有新进展（{event}）。",
    },
}


@dataclass(frozen=True)
class Message:
    """A title (an email's subject, a robot's first line) and the lines under it."""

    title: str
    lines: tuple[str, ...] = ()

    def plain(self) -> str:
        return "\n".join((self.title, *self.lines))

    def markdown(self, blank_lines: bool = False) -> str:
        """Bold title, then each line as inert Markdown (record text never becomes a link or markup);
        `blank_lines` for DingTalk, whose Markdown joins lines not separated by an empty one."""
        joint = "\n\n" if blank_lines else "\n"
        return joint.join((f"**{md(self.title)}**", *(md(line) for line in self.lines)))

    def size(self) -> int:
        return len(self.plain().encode("utf-8"))


def duration_text(seconds: int, lang: str) -> str:
    """`1d 2h 05m` in English; `1天2小时5分钟` in Chinese."""
    if lang == "en":
        return human_seconds(seconds)
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "", f"{minutes}分钟" if minutes else ""]
    return "".join(parts) or f"{seconds}秒"


class Writer:
    """Messages in one language for one records folder."""

    def __init__(self, records: Records, lang: str) -> None:
        self.records = records
        self.lang = lang
        self.tz: ZoneInfo = records.settings.tz
        self.names = Names(lang, records.settings)
        self.t = texts(TEXTS, lang)

    def _label(self, kind: str) -> str:
        return f"{self.t['open']}{self.t[kind]}{self.t['close']}"

    def _where(self, asset_id: str | None, location: str | None, area: str | None) -> str:
        asset = self.records.assets.get(asset_id or "")
        pieces = [asset.name if asset else asset_id, self.names("area", area) if area else None,
                  location or (asset.location if asset else None)]
        return " · ".join(visible(p) for p in pieces if p)

    def alert(self, a: Alert) -> Message:
        """The message of one alert. An at-risk alert of a clock already past its deadline (it
        went from running to breached between two runs) is labelled breached: that is its state."""
        label = "breached" if a.kind == "at-risk" and (a.lateness or 0) > 0 else a.kind
        return Message(f"{self._label(label)}{self._name(a)}", tuple(line for line in self._lines(a) if line))

    def _name(self, a: Alert) -> str:
        if a.clock is not None:
            return f"{self.names('target', a.target)} {a.subject}"
        if a.kind == "finding-overdue":
            return f"{a.inspection} {a.finding}"
        if a.kind == "maintenance-overdue":
            plan = next((p for p in self.records.settings.plans if p.id == a.subject), None)
            return visible(self.names("plan", a.subject) if plan is None or not plan.name else
                           (plan.name if self.lang == "zh" else plan.name + self.t["paren"].format(plan.id)))
        if a.kind == "warranty-expiring":
            asset = self.records.assets.get(a.subject)
            return visible(asset.name) + self.t["paren"].format(a.subject) if asset else a.subject
        part = self.records.parts.get(a.subject)
        return visible(part.name) + self.t["paren"].format(a.subject) if part else a.subject

    def _lines(self, a: Alert) -> list[str]:
        t = self.t
        if a.clock is not None and a.ticket is not None:
            c = a.clock
            late = a.lateness or 0
            status = (t["escalated"] if a.kind == "escalation" else t["late"] if late > 0 else t["left"]).format(
                time=duration_text(abs(late), self.lang))
            return [self._where(a.ticket.asset, a.ticket.location, a.area), visible(a.ticket.summary),
                    t["promise"].format(deadline=short(c.deadline, self.tz), within=str(c.within)), status]
        if a.kind == "finding-overdue":
            ins = self.records.inspections.get(a.inspection or "")
            f = next((f for f in ins.findings if f.id == a.finding), None) if ins else None
            owner = t["owner"].format(owner=visible(f.owner)) if f and f.owner else ""
            return [self._where(a.asset, f.location if f else None, a.area), visible(f.problem) if f else "",
                    t["and"].join(p for p in (t["finding-due"].format(due=a.due, days=a.days), owner) if p)]
        if a.kind == "maintenance-overdue":
            return [t["slot-due"].format(due=a.due, days=a.days)]
        if a.kind == "warranty-expiring":
            asset = self.records.assets.get(a.subject)
            key = "warranty-today" if a.days == 0 else "warranty-end"
            return [self._where(None, asset.location if asset else None, a.area), t[key].format(due=a.due, days=a.days)]
        part = self.records.parts.get(a.subject)
        unit = part.unit if part else ""
        minimum = whole(part.min) if part else None
        return [t["stock"].format(stock=whole(a.stock), unit=visible(unit), min=minimum)]

    def one_line(self, a: Alert) -> str:
        """An alert on one line, for a summary: label, what, and the time left or late."""
        message = self.alert(a)
        tail = message.lines[-1] if message.lines else ""
        return f"{message.title} {tail}".strip()

    def summary(self, alerts: Sequence[Alert], missed: bool) -> Message:
        """Several alerts in one message: those missed during downtime, or a batch that keeps a
        channel under its rate limit."""
        title = self.t["summary" if missed else "digest"].format(count=len(alerts))
        return Message(title, tuple(self.one_line(a) for a in alerts))

    def more(self, count: int) -> str:
        return self.t["more"].format(count=count)

    def progress(self, p: Progress) -> str:
        """The short message (an SMS) the reporter of a ticket gets about its progress."""
        s = self.records.settings
        ticket = p.ticket
        news = self.t[p.event] if p.event in ("responded", "arrived", "resolved", "callback") else \
            self.t["update"].format(event=p.event)
        name = ticket.reporter.name if ticket.reporter else None
        key = "dear" if name else "dear-anonymous"
        return self.t[key].format(supplier=visible(s.supplier or s.name), name=visible(name or ""),
                                  summary=visible(ticket.summary), ticket=ticket.id, news=news)


def payload(a: Alert, message: Message, tz: ZoneInfo) -> dict[str, Any]:
    """The generic webhook's JSON for one alert (docs/notify.md lists the fields)."""
    ticket = a.ticket
    return {
        "kind": a.kind, "subject": a.subject,
        "ticket": ticket.id if ticket else None, "target": a.target or None,
        "cycle": int(a.cycle) if a.clock is not None else None,
        "deadline": iso(a.clock.deadline, tz) if a.clock is not None else None,
        "due": a.due.isoformat() if a.due else None,
        "since": iso(a.since, tz),
        "late_seconds": a.lateness if a.clock is not None else None,
        "summary": ticket.summary if ticket else None, "asset": a.asset, "area": a.area, "priority": a.priority,
        "title": message.title, "message": message.plain(),
    }
