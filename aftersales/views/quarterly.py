"""The quarterly service report: its texts in English and Simplified Chinese, the numbers
rounded for people (`plain`), the render context and where the files go.

The numbers come exact from `engine.kpis`; this module rounds them once, and the
templates only lay them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from aftersales.core.model import Records
from aftersales.core.times import Period
from aftersales.views import charts
from aftersales.views.fmt import iso, whole
from aftersales.views.labels import Names, texts
from aftersales.views.markdown import md
from aftersales.views.tables import to_json
from aftersales.views.templating import builtin_text, render

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Quarterly service report", "period": "Period", "as_of": "Figures as of", "customer": "Customer",
        "supplier": "Supplier", "summary": "Summary", "tickets": "Service requests", "opened": "Opened",
        "resolved": "Resolved", "cancelled": "Cancelled", "by_kind": "By kind", "by_area": "By area",
        "by_category": "By problem category", "by_asset_category": "By product category",
        "sla": "Service-level commitments", "target": "Commitment", "priority": "Priority", "met": "Met",
        "breached": "Breached", "compliance": "Compliance", "mean_time": "Mean time", "all": "All",
        "breaches": "Breached commitments", "ticket": "Ticket", "asset": "Asset", "area": "Area",
        "deadline": "Deadline", "over_by": "Late by", "still_open": "still open", "no_breaches":
        "No commitment was breached in this period.", "quality": "Quality", "first_time_fix_rate":
        "First-time fix rate", "repeat_repair_rate": "Repeat repair rate", "reopen_rate": "Reopen rate",
        "complaints": "Complaints", "complaint_rate": "Complaint rate", "satisfaction": "Customer satisfaction",
        "mean": "Mean score", "responses": "Responses", "score": "Score", "callbacks": "Callback coverage",
        "maintenance": "Inspections and maintenance", "plan": "Plan", "due": "Due", "status": "Status",
        "inspection": "Inspection", "pm_compliance": "Maintenance compliance", "no_slots":
        "No inspection was due in this period.", "findings": "Inspection findings", "open": "Open",
        "closed_on_time": "Closed on time", "closed_late": "Closed late", "overdue": "Overdue",
        "warranty": "Warranty", "expiring": "Warranty ends within {days} days", "expired": "Warranty ended",
        "ends": "Warranty ends", "days_left": "Days left", "out_of_warranty": "Requests out of warranty",
        "charged": "Charged to the customer", "replacement": "Replacement candidates (repeated failures)",
        "repairs": "Repairs", "none": "None.", "parts": "Spare parts", "part": "Part", "stock": "Stock",
        "min": "Reorder at", "used": "Used in period", "low": "Low", "yes": "yes", "no": "",
        "analysis": "Analysis", "top_problems": "Most frequent problems", "count": "Count",
        "by_hour": "Requests by hour of day", "by_weekday": "Requests by weekday", "per_week":
        "Requests per week", "trend": "Trend against {previous}", "figure": "Figure", "current": "This period",
        "previous": "Previous", "change": "Change", "definitions": "How the figures are counted",
        "na": "n/a", "minutes": "min", "points": "pt",
        "product_category": "Product category", "compliance_chart": "Compliance by commitment",
        "category_chart": "Problems by category", "satisfaction_chart": "Satisfaction scores",
        "definitions_text": (
            "Figures follow the definitions of KPIS.md. A request counts in the period in which it was "
            "reported (opened), finally resolved or cancelled. A commitment's clock counts in the period in "
            "which it started; compliance = met / (met + breached); running and paused clocks count in "
            "neither. First-time fix: resolved repairs with no reopening and at most one visit. Repeat repair: "
            "repairs of an asset repaired in the 90 days before. Callback coverage: resolved requests with a "
            "callback after the last resolution. Maintenance compliance = done / (done + late + overdue) of "
            "the inspections due in the period. n/a: nothing to count."),
    },
    "zh": {
        "title": "季度售后服务报告", "period": "统计期间", "as_of": "数据截至", "customer": "客户",
        "supplier": "服务单位",
        "summary": "概览", "tickets": "服务请求", "opened": "新增", "resolved": "已解决", "cancelled": "已取消",
        "by_kind": "按类型", "by_area": "按区域", "by_category": "按问题类别", "by_asset_category": "按产品类别",
        "sla": "服务承诺达成情况", "target": "承诺项", "priority": "优先级", "met": "达成", "breached": "未达成",
        "compliance": "达成率", "mean_time": "平均用时", "all": "全部", "breaches": "未达成的承诺",
        "ticket": "工单", "asset": "产品", "area": "区域", "deadline": "时限", "over_by": "超时",
        "still_open": "仍在处理", "no_breaches": "本期所有服务承诺均已达成。", "quality": "服务质量",
        "first_time_fix_rate": "一次修复率", "repeat_repair_rate": "重复维修率", "reopen_rate": "返修率",
        "complaints": "投诉", "complaint_rate": "投诉率", "satisfaction": "客户满意度", "mean": "平均分",
        "responses": "回访数", "score": "评分", "callbacks": "回访覆盖率", "maintenance": "巡检与保养",
        "plan": "计划", "due": "应完成日期", "status": "状态", "inspection": "巡检记录",
        "pm_compliance": "保养计划完成率", "no_slots": "本期没有到期的巡检。", "findings": "巡检发现问题",
        "open": "未关闭", "closed_on_time": "按期整改", "closed_late": "逾期整改", "overdue": "已逾期",
        "warranty": "质保", "expiring": "{days} 天内质保到期", "expired": "质保已到期", "ends": "质保到期日",
        "days_left": "剩余天数", "out_of_warranty": "质保期外请求", "charged": "向客户收费",
        "replacement": "建议更换（多次故障）", "repairs": "维修次数", "none": "无。", "parts": "备品备件",
        "part": "备件", "stock": "库存", "min": "补货线", "used": "本期用量", "low": "需补货", "yes": "是",
        "no": "", "analysis": "问题分析", "top_problems": "高发问题", "count": "次数",
        "by_hour": "按报修时段", "by_weekday": "按星期", "per_week": "每周请求数", "trend": "与 {previous} 对比",
        "figure": "指标", "current": "本期", "previous": "上期", "change": "变化", "definitions": "统计口径",
        "na": "n/a", "minutes": "分钟", "points": "个百分点",
        "product_category": "产品类别", "compliance_chart": "各承诺项达成率", "category_chart": "问题类别分布",
        "satisfaction_chart": "满意度评分分布",
        "definitions_text": (
            "各项数据按 KPIS.md 的定义统计。请求按报修、最终解决或取消的时间计入所在期间；"
            "服务承诺计时按开始时间计入所在期间，达成率 = 达成 /（达成 + 未达成），进行中和暂停中的计时不计入。"
            "一次修复：已解决且未返修、最多上门一次的维修。"
            "重复维修：同一产品在前 90 天内曾被修复。回访覆盖率：最后一次解决之后有回访的请求所占比例。"
            "保养计划完成率 = 按期完成 /（按期 + 逾期完成 + 逾期未做），统计本期到期的巡检。n/a：无可统计的数据。"),
    },
}

FIGURE_NAMES = {
    "tickets.opened": "opened", "tickets.resolved": "resolved", "tickets.cancelled": "cancelled",
    "quality.complaints": "complaints", "quality.first_time_fix_rate": "first_time_fix_rate",
    "quality.repeat_repair_rate": "repeat_repair_rate", "quality.reopen_rate": "reopen_rate",
    "satisfaction.mean": "mean", "callbacks.coverage": "callbacks", "maintenance.pm_compliance": "pm_compliance",
}
GROUPS = {"by_kind": "kind", "by_area": "area", "by_category": "category", "by_asset_category": "asset-category"}
FORMATS = ("md", "html", "json")


def output_name(period: Period, fmt: str, lang: str) -> str:
    """The dated name a report gets in an output folder, like quarterly-2026Q1.zh.html."""
    return f"quarterly-{period.name}.{lang}.{fmt}"


# --- rounding, once ---------------------------------------------------------------

def _minutes(seconds: Fraction | int | None) -> float | int | None:
    return None if seconds is None else round(float(seconds) / 60, 1)


# key -> (the key it is shown as, how it is rounded)
SHOWN: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "mean_seconds": ("mean_minutes", _minutes),
    "over_seconds": ("over_minutes", lambda s: None if s is None else round(s / 60)),
    "out_of_warranty_cost": ("out_of_warranty_cost", lambda v: round(float(v), 2)),
    "stock": ("stock", whole), "min": ("min", whole), "used": ("used", whole),
}
TWO_PLACES = ("satisfaction.mean",)


def plain(report: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """The report as JSON-ready values for people: instants in ISO 8601 with the project's
    offset, dates as text, rates as floats (unrounded: JSON readers round), mean times in
    minutes to 0.1, the satisfaction mean to 2 places, quantities as whole numbers when whole."""

    def value(key: str, item: Any, path: str) -> Any:
        if isinstance(item, Mapping):
            out: dict[str, Any] = {}
            for k, v in item.items():
                shown, how = SHOWN.get(k, (k, None))
                out[shown] = how(v) if how is not None else value(k, v, f"{path}.{k}" if path else k)
            if path == "satisfaction" or item.get("key") in TWO_PLACES:
                for k in ("mean", "current", "previous", "change"):
                    if isinstance(out.get(k), float):
                        out[k] = round(out[k], 2)
            return out
        if isinstance(item, (list, tuple)):
            return [value(key, v, path) for v in item]
        if isinstance(item, dt.datetime):
            return iso(item, tz)
        if isinstance(item, dt.date):
            return item.isoformat()
        if isinstance(item, Fraction):
            return float(item)
        return item

    return value("", report, "")


# --- rendering ----------------------------------------------------------------------

def context(report: Mapping[str, Any], lang: str, fmt: str, names: Names) -> dict[str, Any]:
    """What the templates get: the numbers (rounded once), the texts and small formatting helpers."""
    text = texts(TEXTS, lang)

    def name(group: str, value: str | None) -> str:
        return names(group, value)

    def pct(value: float | None) -> str:
        return text["na"] if value is None else f"{value * 100:.1f}%"

    def num(value: Any) -> str:
        return text["na"] if value is None else (f"{value:g}" if isinstance(value, float) else str(value))

    def change(value: float | None, key: str) -> str:
        if value is None:
            return text["na"]
        if key.endswith(("rate", "compliance", "coverage")):
            return f"{value * 100:+.1f} {text['points']}"
        return f"{value:+g}"

    def span(minutes: float | None) -> str:
        """A duration for people: 2d 3h 05m (zh: 2天3小时05分)."""
        if minutes is None:
            return text["na"]
        days, rest = divmod(round(minutes), 1440)
        hours, mins = divmod(rest, 60)
        units = ("天", "小时", "分") if lang == "zh" else ("d ", "h ", "m")
        parts = [f"{days}{units[0]}" if days else "", f"{hours}{units[1]}" if days or hours else "",
                 f"{mins:02d}{units[2]}" if days or hours else f"{mins}{units[2]}"]
        return "".join(parts).strip()

    def figure_label(key: str) -> str:
        if key in FIGURE_NAMES:
            return text[FIGURE_NAMES[key]]
        _, target, _ = key.split(".")
        return f"{text['compliance']}: {name('target', target)}"

    ctx: dict[str, Any] = {"r": report, "L": text, "name": name, "pct": pct, "num": num, "change": change,
                           "lang": lang, "md": md, "span": span, "figure_label": figure_label, "groups": GROUPS}
    if fmt == "html":
        ctx["css"] = builtin_text("base.css")
        ctx["chart"] = _charts(report, text, name, pct)
    return ctx


def _charts(report: Mapping[str, Any], text: Mapping[str, str], name: Callable[[str, str | None], str],
            pct: Callable[[float | None], str]) -> dict[str, Markup]:
    sla_items = [(name("target", t), n["compliance"], pct(n["compliance"])) for t, n in report["sla"].items()]
    categories = [(name("category", c), n["opened"], str(n["opened"]))
                  for c, n in report["tickets"]["by_category"].items()]
    scores = report["satisfaction"]["distribution"]
    weeks = [(w["week"][5:], w["opened"]) for w in report["analysis"]["per_week"]]
    return {
        "compliance": charts.hbars(sla_items, scale=1.0, title=text["compliance_chart"]),
        "weeks": charts.vbars(weeks, title=text["per_week"], every=2),
        "categories": charts.hbars(categories, title=text["category_chart"]),
        "satisfaction": charts.vbars([(s, scores[s]) for s in scores], width=300, title=text["satisfaction_chart"]),
    }


def render_quarterly(records: Records, report: Mapping[str, Any], fmt: str, lang: str) -> str:
    """The report as Markdown, HTML or JSON text."""
    shown = plain(report, records.settings.tz)
    if fmt == "json":
        return to_json(shown) + "\n"
    names = Names(lang, records.settings)
    return render(Path(records.root), f"quarterly.{fmt}.j2", context(shown, lang, fmt, names))
