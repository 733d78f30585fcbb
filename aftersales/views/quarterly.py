"""The quarterly service report: its texts in English and Simplified Chinese, the numbers
rounded for people (`plain`), the render context and where the files go.

The numbers come exact from `engine.kpis`; this module rounds them once, and the
templates only lay them out.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from aftersales.core import collector
from aftersales.core.model import Records, Settings
from aftersales.core.times import Period
from aftersales.engine import kpis
from aftersales.store.cache import fingerprint
from aftersales.views import charts
from aftersales.views.fmt import iso_once, whole
from aftersales.views.labels import Names, texts
from aftersales.views.markdown import md
from aftersales.views.tables import SCALAR_JSON, Written, instant_json, json_pieces, json_value, row_template
from aftersales.views.tables import json_text as text_json
from aftersales.views.templating import render
from aftersales.views.words import duration, joined, money, person, promise, promised, within

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Quarterly service report", "colon": ": ", "comma": ", ", "semicolon": "; ", "lparen": " (",
        "rparen": ")", "report_no": "Report No.", "issued": "Issue date",
        "project": "Project", "period": "Period", "customer": "Customer", "supplier": "Service provider",
        "basis": "Basis",
        "basis_text": "Service-level outcomes, inspection slots and amounts charged as of {at}; warranties, "
                      "replacement candidates, inspection findings and spare-part stock as of {day}{end}.",
        "end_of_period": ", the last day of the period",
        "summary": "Summary", "tickets": "Service requests", "opened": "Opened",
        "resolved": "Resolved", "cancelled": "Cancelled", "by_kind": "By kind", "by_area": "By area",
        "by_category": "By problem category", "by_asset_category": "By product category",
        "sla": "Service promises", "target": "Promise", "priority": "Priority", "promised": "Promised",
        "met": "Kept", "breached": "Missed", "compliance": "Kept (%)", "mean_time": "Average time",
        "all": "All requests",
        "sla_note": "Each promise is counted in the period its clock started. Kept (%) = kept / (kept + missed); "
                    "clocks still running on {at} without having missed are in neither.",
        "breaches": "Promises missed", "reported": "Reported", "request": "Request", "missed_by": "Missed by",
        "why": "What the records say", "ticket": "Ticket", "no_reason": "no reason recorded",
        "not_done": "not done by {at}: {over} past the deadline",
        "no_breaches": "Every promise of this period was kept.",
        "no_asset": "no product concerned",
        "quality": "Quality of service", "figure": "Figure", "value": "This period", "counted": "Counted",
        "previous": "Previous period", "change": "Change",
        "first_time_fix_rate": "First-time fix rate", "repeat_repair_rate": "Repeat repair rate",
        "reopen_rate": "Reopen rate", "complaints": "Complaints", "complaint_rate": "Complaint rate",
        "satisfaction": "Customer satisfaction", "mean": "Satisfaction (mean score)", "responses": "Responses",
        "score": "Score", "count": "Count", "callbacks": "Callback coverage",
        "message_coverage": "Care advice message coverage", "revisit_coverage": "On-site revisit coverage",
        "revisit_mean": "Satisfaction at revisits (mean score)",
        "counted_revisits": "scores given at revisits: {n}; out of 5",
        "counted_ftf": "{n} of {d} repairs resolved in the period",
        "counted_repeat": "{n} of {d} repairs opened in the period",
        "counted_reopen": "{n} of {d} requests resolved in the period",
        "counted_complaints": "{n} of {d} requests opened were complaints",
        "counted_callbacks": "{n} of {d} requests resolved in the period",
        "counted_satisfaction": "scores given in callbacks: {n}; out of 5",
        "maintenance": "Inspections and maintenance", "plan": "Plan", "due": "Due", "status": "Status",
        "inspection": "Inspection", "pm_compliance": "Maintenance done on time",
        "no_slots": "No inspection was due in this period.",
        "findings": "Inspection findings", "open": "Open", "overdue": "of them overdue",
        "closed_on_time": "Closed on time", "closed_late": "Closed late",
        "findings_of": "Findings of the inspections dated in the period, status as of {day}: {list}.",
        "findings_none": "No inspection is dated in this period.",
        "findings_elsewhere": "{ins} was done on {date}, after the period: its findings are counted in the "
                              "report of the period of that date.",
        "n_findings": "{n} findings",
        "warranty": "Warranty", "expiring": "Warranty ends within {days} days of {day}",
        "expired": "Warranty already ended on {day}", "asset": "Product", "area": "Area",
        "ends": "Warranty ends", "days_left": "Days left", "out_of_warranty": "Requests out of warranty",
        "charged": "charged to the customer", "replacement": "Replacement candidates (repeated failures)",
        "replacement_rule": "At least {n} repairs under warranty within {within}.",
        "repairs": "Repairs", "tickets_col": "Requests", "none": "None.",
        "parts": "Spare parts", "part": "Part", "stock": "Stock on {day}", "min": "Reorder at",
        "used": "Used in the period", "low": "Low", "yes": "yes", "no": "",
        "analysis": "Analysis", "top_problems": "Most frequent problems", "product_category": "Product category",
        "problem_category": "Problem category",
        "by_hour": "Requests by hour of day", "by_weekday": "Requests by weekday", "per_week":
        "Requests per week", "trend": "Compared with {previous}",
        "na": "n/a", "points": "pt",
        "compliance_chart": "Promises kept (%)", "category_chart": "Requests by problem category",
        "satisfaction_chart": "Satisfaction scores",
        "definitions": "Appendix: how the figures are counted",
        "signoff": "Sign-off", "for_supplier": "For the service provider", "for_customer": "For the customer",
        "signoff_note": "Both parties have read this report.", "signature": "Signature", "name": "Name",
        "date": "Date", "page": "Page", "of": "of", "other_group": "Other promises",
        "sum_volume": "In {period}, {opened} service requests were opened ({prev_opened} in {previous}), "
                      "{resolved} resolved and {cancelled} cancelled.",
        "sum_volume_no_prev": "In {period}, {opened} service requests were opened, {resolved} resolved and "
                              "{cancelled} cancelled.",
        "sum_kept": "Of the {total} promises with an outcome, {met} were kept ({rate}){prev}.",
        "sum_kept_prev": "; {prev_rate} in {previous}",
        "sum_none": "No promise had an outcome in this period.",
        "sum_well": "Kept every time: {list}.",
        "sum_missed": "Missed: {list}; section 2 lists each case with its reason.",
        "sum_missed_item": "{name} {n} of {d}",
        "sum_not_done": "{n} of them were still not done on {at}.",
        "sum_quality": "Satisfaction averaged {mean} of 5 over {responses} callbacks; first-time fix rate {ftf}.",
        "sum_maintenance": "Maintenance done on time: {rate} of the inspections due in the period.",
        "currency_note": "Amounts in {currency}.",
    },
    "zh": {
        "title": "季度售后服务报告", "colon": "：", "comma": "，", "semicolon": "；",
        "lparen": "（", "rparen": "）", "report_no": "报告编号", "issued": "出具日期", "project": "项目",
        "period": "统计期间", "customer": "客户", "supplier": "服务单位", "basis": "统计口径",
        "basis_text": "服务承诺达成情况、巡检计划执行情况及收费截至 {at}；"
                      "质保、更换建议、巡检问题整改状态及备件库存截至 {day}{end}。",
        "end_of_period": "（本期最后一天）",
        "summary": "概述", "tickets": "服务请求", "opened": "新增", "resolved": "已解决", "cancelled": "已取消",
        "by_kind": "按类型", "by_area": "按区域", "by_category": "按问题类别", "by_asset_category": "按产品类别",
        "sla": "服务承诺达成情况", "target": "承诺项", "priority": "优先级", "promised": "承诺时限",
        "met": "达成", "breached": "未达成", "compliance": "达成率", "mean_time": "平均用时", "all": "全部请求",
        "sla_note": "各项承诺按计时开始时间计入所在期间；达成率 = 达成 /（达成 + 未达成）；"
                    "截至 {at} 仍在计时且未超时的不计入。",
        "breaches": "未达成的承诺", "reported": "报修时间", "request": "服务请求", "missed_by": "超时",
        "why": "记录中的原因", "ticket": "工单", "no_reason": "未记录原因",
        "not_done": "截至 {at} 仍未完成，已超过时限 {over}",
        "no_breaches": "本期所有服务承诺均已达成。", "no_asset": "不涉及具体产品",
        "quality": "服务质量", "figure": "指标", "value": "本期", "counted": "统计依据", "previous": "上期",
        "change": "变化",
        "first_time_fix_rate": "一次修复率", "repeat_repair_rate": "重复维修率", "reopen_rate": "返修率",
        "complaints": "投诉", "complaint_rate": "投诉率", "satisfaction": "客户满意度", "mean": "满意度（平均分）",
        "responses": "回访数", "score": "评分", "count": "次数", "callbacks": "回访覆盖率",
        "message_coverage": "回访信息覆盖率", "revisit_coverage": "上门回访覆盖率",
        "revisit_mean": "上门回访满意度（平均分）", "counted_revisits": "{n} 次上门回访评分，满分 5 分",
        "counted_ftf": "本期解决的维修 {d} 项中 {n} 项",
        "counted_repeat": "本期新增的维修 {d} 项中 {n} 项",
        "counted_reopen": "本期解决的请求 {d} 项中 {n} 项",
        "counted_complaints": "本期新增请求 {d} 项中投诉 {n} 项",
        "counted_callbacks": "本期解决的请求 {d} 项中 {n} 项",
        "counted_satisfaction": "{n} 次回访评分，满分 5 分",
        "maintenance": "巡检与保养", "plan": "计划", "due": "应完成日期", "status": "状态", "inspection": "巡检记录",
        "pm_compliance": "保养计划按期完成率", "no_slots": "本期没有到期的巡检。",
        "findings": "巡检发现问题", "open": "未关闭", "overdue": "其中已逾期", "closed_on_time": "按期整改",
        "closed_late": "逾期整改",
        "findings_of": "统计本期内进行的巡检所发现的问题，整改状态截至 {day}：{list}。",
        "findings_none": "本期内没有进行巡检。",
        "findings_elsewhere": "{ins} 于 {date} 完成（在本期之后），其发现的问题计入该日期所在期间的报告。",
        "n_findings": "发现问题 {n} 个",
        "warranty": "质保", "expiring": "{day} 起 {days} 天内质保到期", "expired": "截至 {day} 质保已到期",
        "asset": "产品", "area": "区域", "ends": "质保到期日", "days_left": "剩余天数",
        "out_of_warranty": "质保期外请求", "charged": "向客户收费",
        "replacement": "建议更换（多次故障）", "replacement_rule": "质保期内 {within}内维修不少于 {n} 次。",
        "repairs": "维修次数", "tickets_col": "相关工单", "none": "无。",
        "parts": "备品备件", "part": "备件", "stock": "{day} 库存", "min": "补货线", "used": "本期用量",
        "low": "需补货", "yes": "是", "no": "",
        "analysis": "问题分析", "top_problems": "高发问题", "product_category": "产品类别",
        "problem_category": "问题类别",
        "by_hour": "按报修时段", "by_weekday": "按星期", "per_week": "每周请求数", "trend": "与 {previous} 对比",
        "na": "无数据", "points": "个百分点",
        "compliance_chart": "各承诺项达成率", "category_chart": "问题类别分布", "satisfaction_chart": "满意度评分分布",
        "definitions": "附录：统计口径",
        "signoff": "签字确认", "for_supplier": "服务单位", "for_customer": "客户", "signoff_note": "双方已阅读本报告。",
        "signature": "签字", "name": "姓名", "date": "日期", "page": "第", "of": "页，共", "other_group": "其他承诺",
        "sum_volume": "{period} 新增服务请求 {opened} 项（{previous} 为 {prev_opened} 项），"
                      "解决 {resolved} 项，取消 {cancelled} 项。",
        "sum_volume_no_prev": "{period} 新增服务请求 {opened} 项，解决 {resolved} 项，取消 {cancelled} 项。",
        "sum_kept": "有结果的服务承诺共 {total} 项，达成 {met} 项（{rate}）{prev}。",
        "sum_kept_prev": "，{previous} 为 {prev_rate}",
        "sum_none": "本期没有已有结果的服务承诺。",
        "sum_well": "全部达成：{list}。",
        "sum_missed": "未达成：{list}；各项原因见第 2 节。",
        "sum_missed_item": "{name} {d} 项中 {n} 项",
        "sum_not_done": "其中 {n} 项截至 {at} 仍未完成。",
        "sum_quality": "{responses} 次回访的满意度平均 {mean} 分（满分 5 分）；一次修复率 {ftf}。",
        "sum_maintenance": "本期到期的巡检按期完成率 {rate}。",
        "currency_note": "金额单位：{currency}。",
    },
}

DEFINITIONS = {
    "en": [
        ("Period", "Calendar quarters (2026Q1 = 1 January 00:00 to 1 April 00:00) or the days given, in the "
                   "project's time zone. A request counts as opened, resolved or cancelled in the period in which "
                   "it was reported, last resolved or cancelled."),
        ("Promises", "Each promise is a clock that starts at an event (the report, the fix) and stops at the first "
                     "of the events that keep it (an answer, a visit, the fix, a callback). It is kept when it "
                     "stops by its deadline and missed when it stops later or is still running after it. Time "
                     "paused while waiting for the customer or for parts does not count where the promise says "
                     "so; a workaround agreed with the customer moves the deadline of a fix. A clock counts in "
                     "the period it started in."),
        ("Kept (%)", "kept / (kept + missed). Average time: the mean counted time of the clocks that stopped at "
                     "an event that keeps them."),
        ("First-time fix rate", "Of the repairs resolved in the period, those never reopened and needing at "
                                "most one visit."),
        ("Repeat repair rate", "Of the repairs opened in the period, those whose product had another repair "
                               "finished in the 90 days before."),
        ("Reopen rate", "Of the requests resolved in the period, those reopened at least once."),
        ("Complaint rate", "Complaints among the requests opened in the period."),
        ("Callback coverage", "Of the requests resolved in the period, those with a callback after the last "
                              "fix. Satisfaction: the mean score (1 to 5) given in the callbacks of the period."),
        ("Follow-ups", "Of the requests resolved in the period, those with a care advice message, and those with "
                       "an on-site revisit, after the last fix. Satisfaction at revisits: the mean score (1 to 5) "
                       "given at the revisits of the period."),
        ("Maintenance done on time", "done on time / (done on time + done late + not done) over the "
                                     "inspections due in the period."),
        ("Inspection findings", "The problems found by the inspections dated in the period, with their "
                                "rectification status on the day given: open, closed on time (by its "
                                "deadline), closed late, overdue (open after its deadline)."),
        ("Warranty", "Runs from a product's acceptance date for the warranty years plus any extension; a "
                     "request is in warranty when reported on or before its last day. Replacement candidates: "
                     "products with repeated repairs under warranty, as the warranty rule says."),
        ("Spare parts", "Stock at the end of the day given: deliveries less withdrawals and the parts used by "
                        "repairs; a stock count sets the level. Low: at or below its reorder point."),
        ("n/a", "nothing to count."),
    ],
    "zh": [
        ("统计期间", "按自然季度（2026Q1 即 1 月 1 日 0 时至 4 月 1 日 0 时）或指定日期，以项目所在时区计。"
                   "服务请求按报修、最后一次解决或取消的时间计入所在期间。"),
        ("服务承诺", "每项承诺是一个计时：从某一事件（报修、修复）开始，"
                   "到第一个满足承诺的事件（答复、到场、修复、回访）停止。在时限内停止为达成，超过时限才停止或超过时限仍在计时为未达成。承诺注明可暂停的，等待客户或备件的时间不计；"
                   "与客户约定临时方案后，修复时限按约定时间计。计时按开始时间计入所在期间。"),
        ("达成率", "达成 /（达成 + 未达成）。平均用时：因满足承诺的事件而停止的计时的平均计时时长。"),
        ("一次修复率", "本期解决的维修中，未返修且最多上门一次的比例。"),
        ("重复维修率", "本期新增的维修中，同一产品在之前 90 天内曾修复完成的比例。"),
        ("返修率", "本期解决的请求中，至少返修一次的比例。"),
        ("投诉率", "本期新增请求中投诉所占比例。"),
        ("回访覆盖率", "本期解决的请求中，最后一次修复之后有回访的比例。满意度：本期回访评分（1 至 5 分）的平均值。"),
        ("后续回访", "本期解决的请求中，最后一次修复之后发送过回访信息（使用保养提示）的比例，以及上门回访过的比例。"
                   "上门回访满意度：本期上门回访评分（1 至 5 分）的平均值。"),
        ("保养计划按期完成率", "按期完成 /（按期完成 + 逾期完成 + 逾期未做），统计本期到期的巡检。"),
        ("巡检发现问题", "本期内进行的巡检所发现的问题，及其在所注日期的整改状态：整改中、按期整改（在期限内完成）、"
                       "逾期整改、已逾期（超过期限仍未完成）。"),
        ("质保", "自产品验收日起算，质保年限加延保年限；报修日在质保最后一天或之前的请求为质保期内。"
               "建议更换：按质保规则多次维修的产品。"),
        ("备品备件", "所注日期结束时的库存：入库减出库及维修用量；盘点数量即为当日库存。需补货：库存不高于补货线。"),
        ("无数据", "没有可统计的数据。"),
    ],
}

FIGURE_NAMES = {
    "tickets.opened": "opened", "tickets.resolved": "resolved", "tickets.cancelled": "cancelled",
    "quality.complaints": "complaints", "quality.first_time_fix_rate": "first_time_fix_rate",
    "quality.repeat_repair_rate": "repeat_repair_rate", "quality.reopen_rate": "reopen_rate",
    "satisfaction.mean": "mean", "callbacks.coverage": "callbacks", "maintenance.pm_compliance": "pm_compliance",
    "follow_ups.message.coverage": "message_coverage", "follow_ups.revisit.coverage": "revisit_coverage",
    "revisit_satisfaction.mean": "revisit_mean",
}
GROUPS = {"by_kind": "kind", "by_area": "area", "by_category": "category", "by_asset_category": "asset-category"}
FORMATS = ("md", "html", "pdf", "json")


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
TWO_PLACES = ("satisfaction.mean", "revisit_satisfaction.mean")
_LEAVES = frozenset((str, int, float, bool, type(None)))   # values `plain` keeps as they are


def plain(report: Any, tz: ZoneInfo) -> Any:
    """The report as JSON-ready values for people: instants in ISO 8601 with the project's
    offset, dates as text, rates as floats (unrounded: JSON readers round), mean times in
    minutes to 0.1, the satisfaction mean to 2 places, quantities as whole numbers when whole.
    Each instant is written once (`iso_once`: the breaches of a ticket share its instants)."""
    instant = iso_once(tz)

    def value(item: Any, path: str) -> Any:
        # `path` names a top-level section ("satisfaction"); deeper down it is "." (it only matters
        # there). Text, numbers, booleans and null, most of the values, are returned at once.
        kind = type(item)
        if kind in _LEAVES:
            return item
        if kind is dt.datetime:
            return instant(item)
        if kind is dict or isinstance(item, Mapping):
            out: dict[str, Any] = {}
            below = "." if path else None
            for k, v in item.items():
                rule = SHOWN.get(k)
                if rule is not None:
                    out[rule[0]] = rule[1](v)
                elif (of := type(v)) in _LEAVES:
                    out[k] = v
                else:
                    out[k] = instant(v) if of is dt.datetime else value(v, below or k)
            if path in ("satisfaction", "revisit_satisfaction") or item.get("key") in TWO_PLACES:
                for k in ("mean", "current", "previous", "change"):
                    if isinstance(out.get(k), float):
                        out[k] = round(out[k], 2)
            return out
        if kind is list or kind is tuple or isinstance(item, (list, tuple)):
            return [v if type(v) in _LEAVES else value(v, path) for v in item]
        if isinstance(item, dt.datetime):
            return instant(item)
        if isinstance(item, dt.date):
            return item.isoformat()
        if isinstance(item, Fraction):
            return float(item)
        return item

    return value(report, "")


# --- rendering ----------------------------------------------------------------------

def report_number(settings: Settings, period_name: str) -> str:
    """Stable: the project's id, QSR and the period (SIP-SCH-QSR-2026Q3; a custom range as
    SIP-SCH-QSR-20260701-20260930)."""
    period = "-".join(day.replace("-", "") for day in period_name.split(".."))
    return "-".join(x for x in (settings.project_id, "QSR", period) if x)


def _pct(value: float | None, text: Mapping[str, str]) -> str:
    return text["na"] if value is None else f"{value * 100:.1f}%"


def _shown_pct(value: float | None) -> Fraction | None:
    """A rate as the document shows it, to 0.1 % (so that a change adds up with what is printed)."""
    return None if value is None else Fraction(round(Fraction(value) * 1000), 10)


class Document:
    """The words of one report in one language, built from the rounded numbers (`plain`)."""

    def __init__(self, r: Mapping[str, Any], records: Records, lang: str, issued: str) -> None:
        self.r, self.records, self.lang, self.issued = r, records, lang, issued
        self.settings = records.settings
        self.L = texts(TEXTS, lang)
        self.names = Names(lang, records.settings)
        self.at = r["as_of"][:16].replace("T", " ")

    # small helpers the templates use too
    def name(self, group: str, value: str | None) -> str:
        return self.names(group, value)

    def pct(self, value: float | None) -> str:
        return _pct(value, self.L)

    def num(self, value: Any) -> str:
        if value is None:
            return self.L["na"]
        return f"{value:g}" if isinstance(value, float) else str(value)

    def span(self, minutes: float | None) -> str:
        """A duration for people: 2d 3h 05m (zh: 2天3小时05分)."""
        if minutes is None:
            return self.L["na"]
        days, rest = divmod(round(minutes), 1440)
        hours, mins = divmod(rest, 60)
        units = ("天", "小时", "分") if self.lang == "zh" else ("d ", "h ", "m")
        parts = [f"{days}{units[0]}" if days else "", f"{hours}{units[1]}" if days or hours else "",
                 f"{mins:02d}{units[2]}" if days or hours else f"{mins}{units[2]}"]
        return "".join(parts).strip()

    def fmt(self, key: str, **values: Any) -> str:
        return self.L[key].format(**values)

    # the parts of the document
    def header(self) -> dict[str, Any]:
        r, L = self.r, self.L
        period = r["period"]
        day = r["state_as_of"]
        ended = day == period["last_day"]
        return {
            "number": report_number(self.settings, period["name"]), "issued": self.issued,
            "period": f"{period['name']} ({period['first_day']} – {period['last_day']})",
            "basis": L["basis_text"].format(at=self.at, day=day, end=L["end_of_period"] if ended else ""),
        }

    def summary(self) -> list[str]:
        r, L = self.r, self.L
        t = r["tickets"]
        trend = r.get("trend")
        previous = {f["key"]: f["previous"] for f in trend["figures"]} if trend else {}
        sentences = []
        if trend:
            sentences.append(self.fmt("sum_volume", period=r["period"]["name"], opened=t["opened"],
                                      prev_opened=previous["tickets.opened"], previous=trend["previous_period"],
                                      resolved=t["resolved"], cancelled=t["cancelled"]))
        else:
            sentences.append(self.fmt("sum_volume_no_prev", period=r["period"]["name"], opened=t["opened"],
                                      resolved=t["resolved"], cancelled=t["cancelled"]))
        total = r["sla_total"]
        if total["compliance"] is not None:
            prev = ""
            if trend and trend["previous_sla"]["compliance"] is not None:
                prev = self.fmt("sum_kept_prev", prev_rate=self.pct(trend["previous_sla"]["compliance"]),
                                previous=trend["previous_period"])
            sentences.append(self.fmt("sum_kept", total=total["met"] + total["breached"], met=total["met"],
                                      rate=self.pct(total["compliance"]), prev=prev))
            well = [self.name("target", k) for k, n in r["sla"].items() if n["met"] and not n["breached"]]
            if well:
                sentences.append(self.fmt("sum_well", list=joined(well, self.lang)))
            bad = sorted(((k, n) for k, n in r["sla"].items() if n["breached"]),
                         key=lambda kv: (-kv[1]["breached"], list(r["sla"]).index(kv[0])))
            if bad:
                items = [self.fmt("sum_missed_item", name=self.name("target", k), n=n["breached"],
                                  d=n["met"] + n["breached"]) for k, n in bad]
                sentences.append(self.fmt("sum_missed", list=joined(items, self.lang)))
                running = sum(1 for b in r["breaches"] if b["still_open"])
                if running:
                    sentences.append(self.fmt("sum_not_done", n=running, at=self.at))
        else:
            sentences.append(L["sum_none"])
        s, q = r["satisfaction"], r["quality"]
        if s["responses"]:
            sentences.append(self.fmt("sum_quality", mean=f"{s['mean']:.2f}", responses=s["responses"],
                                      ftf=self.pct(q["first_time_fix_rate"])))
        if r["maintenance"]["pm_compliance"] is not None:
            sentences.append(self.fmt("sum_maintenance", rate=self.pct(r["maintenance"]["pm_compliance"])))
        return sentences

    def trend(self) -> list[dict[str, str]]:
        """Each figure now and before; the change is that of the printed values, so it adds up."""
        rows = []
        for f in self.r["trend"]["figures"]:
            key = f["key"]
            is_rate = key.endswith(("rate", "compliance", "coverage"))
            now, before = f["current"], f["previous"]
            if is_rate:
                shown_now, shown_before = _shown_pct(now), _shown_pct(before)
                change = (self.L["na"] if shown_now is None or shown_before is None
                          else f"{float(shown_now - shown_before):+.1f} {self.L['points']}")
                rows.append({"label": self.figure_label(key), "current": self.pct(now), "previous": self.pct(before),
                             "change": change})
            elif key.endswith("satisfaction.mean"):
                two = [None if v is None else f"{v:.2f}" for v in (now, before)]
                change = (self.L["na"] if two[0] is None or two[1] is None
                          else f"{float(Fraction(two[0]) - Fraction(two[1])):+.2f}")
                rows.append({"label": self.figure_label(key), "current": two[0] or self.L["na"],
                             "previous": two[1] or self.L["na"], "change": change})
            else:
                change = self.L["na"] if now is None or before is None else f"{now - before:+d}"
                rows.append({"label": self.figure_label(key), "current": self.num(now), "previous": self.num(before),
                             "change": change})
        return rows

    def figure_label(self, key: str) -> str:
        if key in FIGURE_NAMES:
            return self.L[FIGURE_NAMES[key]]
        _, target, _ = key.split(".")
        return f"{self.L['compliance']}{self.L['colon']}{self.name('target', target)}"

    def promise_groups(self) -> list[dict[str, Any]]:
        """The promises as the settings group them: per target a row for all its clocks, then a row per
        priority that had an outcome; every row names its promise (a page break never orphans a row)."""
        groups = []
        for g in self.r["sla_groups"]:
            title = self.L["other_group"] if g["id"] == "other" and not self.names.known("target-group", "other") \
                else self.name("target-group", g["id"])
            targets = []
            for target in g["targets"]:
                n = self.r["sla"][target]
                name = self.name("target", target)
                rows = [{"target": name, "label": self.L["all"],
                         "promised": promise(n["promises"], self.settings, self.names, self.lang),
                         **self._numbers(n), "first": True}]
                for p, m in n["by_priority"].items():
                    if m["met"] or m["breached"]:
                        rows.append({"target": name, "label": self._priority_label(p),
                                     "promised": promised(m["promised"], self.lang), **self._numbers(m),
                                     "first": False})
                targets.append({"id": target, "name": name, "rows": rows})
            groups.append({"id": g["id"], "name": title, "targets": targets})
        return groups

    def _priority_label(self, priority: str) -> str:
        if priority == "unknown":
            return self.names.missing("priority")
        areas = [self.name("area", a.id) for a in self.settings.areas.values() if a.priority == priority]
        label = self.name("priority", priority)
        label = label[:1].upper() + label[1:]
        if not areas:
            return label
        return f"{label}: {joined(areas, self.lang)}" if self.lang == "en" else f"{label}：{joined(areas, self.lang)}"

    def _numbers(self, n: Mapping[str, Any]) -> dict[str, str]:
        return {"met": str(n["met"]), "breached": str(n["breached"]), "compliance": self.pct(n["compliance"]),
                "mean": self.span(n["mean_minutes"]) if n["stopped"] else self.L["na"]}

    def breaches(self) -> list[dict[str, Any]]:
        rows = []
        for b in self.r["breaches"]:
            where = [x for x in (b["location"], self.name("area", b["area"]) if b["area"] else None) if x]
            product = b["asset_name"] or self.L["no_asset"]
            if b["still_open"]:
                missed = self.fmt("not_done", at=self.at, over=self.span(b["over_minutes"]))
            else:
                missed = self.span(b["over_minutes"])
            rows.append({
                "reported": b["reported"][:16].replace("T", " "), "summary": b["summary"], "product": product,
                "where": joined(where, self.lang),
                "ticket": b["ticket"] + (f" #{b['cycle']}" if b["cycle"] > 1 else ""),
                "promise": self.name("target", b["target"]),
                "promised": within(b["within"], b["calendar"], self.lang),
                "deadline": b["deadline"][:16].replace("T", " ") if b["deadline"] else "",
                "missed": missed, "still_open": b["still_open"], "why": self._why(b),
            })
        return rows

    def _why(self, b: Mapping[str, Any]) -> list[str]:
        en = self.lang == "en"
        colon = ": " if en else "："
        out = []
        for e in b["events"]:
            when = e["at"][5:16].replace("T", " ")
            who = person(e["by"], self.names)
            by = (f" ({who})" if en else f"（{who}）") if who else ""
            reason = f"{colon}{e['reason']}" if e["reason"] else ""
            if e["type"] == "paused":
                out.append(f"{when} {'paused' if en else '暂停'}{by}{reason}")
            elif e["type"] == "resumed":
                out.append(f"{when} {'resumed' if en else '恢复'}{by}{reason}")
            elif e["type"] == "workaround":
                until = e["until"][:16].replace("T", " ") if e["until"] else ""
                agreed = (f", fix agreed by {until}" if en else f"，约定 {until} 前修复") if until else ""
                out.append(f"{when} {'workaround' if en else '临时方案'}{by}{agreed}"
                           + (f"{colon}{e['note']}" if e["note"] else ""))
            elif e["type"] == "escalated":
                to = person(e["to"], self.names)
                out.append(f"{when} " + (f"escalated to {to}" if en else f"升级至{to}") + by
                           + (f"{colon}{e['note']}" if e["note"] else ""))
            elif e["type"] in ("diagnosed", "informed"):
                told = {"diagnosed": ("diagnosis", "初步诊断"), "informed": ("customer informed", "告知客户进展")}
                note = f"{colon}{e['note']}" if e["note"] else ""
                out.append(f"{when} {told[e['type']][0 if en else 1]}{by}{note}")
            elif e["type"] == "note":
                out.append(f"{when}{by}{colon}{e['note']}" if e["note"] else "")
            elif e["type"] == "resolved":
                used = joined([self._part(p["part"], p["qty"]) for p in e["parts"]], self.lang)
                out.append(f"{when} " + (f"fixed with {used}" if en else f"更换{used}后修复"))
        out = [x for x in out if x]
        return out or [self.L["no_reason"]]

    def _part(self, pid: str, qty: float) -> str:
        part = self.records.parts.get(pid)
        unit = self.name("unit", part.unit) if part else ""
        amount = f"{qty:g}"
        name = part.name if part else pid
        return f"{name} × {amount} {unit}".rstrip()

    def quality(self) -> list[dict[str, str]]:
        q, c, s = self.r["quality"], self.r["callbacks"], self.r["satisfaction"]
        return [
            {"label": self.L["first_time_fix_rate"], "value": self.pct(q["first_time_fix_rate"]),
             "counted": self.fmt("counted_ftf", n=q["first_time_fixes"], d=q["repairs_resolved"])},
            {"label": self.L["repeat_repair_rate"], "value": self.pct(q["repeat_repair_rate"]),
             "counted": self.fmt("counted_repeat", n=q["repeat_repairs"], d=q["repairs_opened"])},
            {"label": self.L["reopen_rate"], "value": self.pct(q["reopen_rate"]),
             "counted": self.fmt("counted_reopen", n=q["reopened"], d=q["resolved"])},
            {"label": self.L["complaint_rate"], "value": self.pct(q["complaint_rate"]),
             "counted": self.fmt("counted_complaints", n=q["complaints"], d=q["opened"])},
            {"label": self.L["callbacks"], "value": self.pct(c["coverage"]),
             "counted": self.fmt("counted_callbacks", n=c["covered"], d=c["resolved"])},
            {"label": self.L["mean"], "value": self.L["na"] if s["mean"] is None else f"{s['mean']:.2f}",
             "counted": self.fmt("counted_satisfaction", n=s["responses"])},
            *self._follow_ups(),
        ]

    def _follow_ups(self) -> list[dict[str, str]]:
        """The follow-up ladder after the fix (a message, an on-site revisit), when the report has it."""
        f, v = self.r.get("follow_ups"), self.r.get("revisit_satisfaction")
        if f is None or v is None:
            return []
        rows = [{"label": self.L[f"{kind}_coverage"], "value": self.pct(f[kind]["coverage"]),
                 "counted": self.fmt("counted_callbacks", n=f[kind]["covered"], d=f[kind]["resolved"])}
                for kind in ("message", "revisit")]
        rows.append({"label": self.L["revisit_mean"],
                     "value": self.L["na"] if v["mean"] is None else f"{v['mean']:.2f}",
                     "counted": self.fmt("counted_revisits", n=v["responses"])})
        return rows

    def slots(self) -> list[dict[str, str]]:
        out = []
        for s in self.r["maintenance"]["slots"]:
            done = f"{s['inspection']} ({s['inspected']})" if s["inspection"] else ""
            out.append({"plan": self.name("plan", s["plan"]), "due": s["due"], "status": self.name("slot", s["status"]),
                        "inspection": done, "status_id": s["status"]})
        return out

    def findings_note(self) -> list[str]:
        f = self.r["findings"]
        notes = []
        if f["inspections"]:
            L = self.L
            listed = joined([f"{i['inspection']}{L['lparen']}{i['date']}{L['comma']}"
                             f"{self.fmt('n_findings', n=i['findings'])}{L['rparen']}" for i in f["inspections"]],
                            self.lang)
            notes.append(self.fmt("findings_of", day=f["as_of"], list=listed))
        else:
            notes.append(self.L["findings_none"])
        last = self.r["period"]["last_day"]
        for s in self.r["maintenance"]["slots"]:
            if s["inspected"] and s["inspected"] > last:
                notes.append(self.fmt("findings_elsewhere", ins=s["inspection"], date=s["inspected"]))
        return notes

    def replacement_rule(self) -> str:
        s = self.settings
        if not s.replace_failures or s.replace_within is None:
            return ""
        return self.fmt("replacement_rule", n=s.replace_failures,
                        within=duration(str(s.replace_within), "always", self.lang))

    def money(self, amount: float | None) -> str:
        return money(amount, self.r["project"]["currency"], self.lang)

    def unit(self, unit: str) -> str:
        return self.name("unit", unit)

    def definitions(self) -> list[tuple[str, str]]:
        return DEFINITIONS[self.lang]


def context(report: Mapping[str, Any], records: Records, lang: str, fmt: str, issued: str) -> dict[str, Any]:
    """What the templates get: the numbers (rounded once), the texts, the document's words."""
    doc = Document(report, records, lang, issued)
    ctx: dict[str, Any] = {"r": report, "L": doc.L, "doc": doc, "name": doc.name, "pct": doc.pct, "num": doc.num,
                           "span": doc.span, "lang": lang, "md": md, "groups": GROUPS,
                           "figure_label": doc.figure_label}
    if fmt == "html":
        ctx["chart"] = _charts(report, doc)
    return ctx


def _charts(report: Mapping[str, Any], doc: Document) -> dict[str, Markup]:
    sla_items = [(doc.name("target", t), n["compliance"], doc.pct(n["compliance"])) for t, n in report["sla"].items()]
    categories = [(doc.name("category", c), n["opened"], str(n["opened"]))
                  for c, n in report["tickets"]["by_category"].items()]
    scores = report["satisfaction"]["distribution"]
    weeks = [(w["week"][5:], w["opened"]) for w in report["analysis"]["per_week"]]
    return {
        "compliance": charts.hbars(sla_items, scale=1.0, title=doc.L["compliance_chart"]),
        "weeks": charts.vbars(weeks, title=doc.L["per_week"], every=2),
        "categories": charts.hbars(categories, title=doc.L["category_chart"]),
        "satisfaction": charts.vbars([(s, scores[s]) for s in scores], width=300, title=doc.L["satisfaction_chart"]),
    }


def render_quarterly(records: Records, report: Mapping[str, Any], fmt: str, lang: str) -> str:
    """The report as Markdown, HTML or JSON text (PDF: `pdf_bytes` of the HTML)."""
    if fmt == "json":
        return "".join(json_text(records, report))
    shown = plain(report, records.settings.tz)
    issued = shown["as_of"][:10]
    return render(Path(records.root), f"quarterly.{fmt}.j2", context(shown, records, lang, fmt, issued))


def json_text(records: Records, report: Mapping[str, Any]) -> Iterator[str]:
    """The report as JSON text, a piece at a time (its thousands of breaches row by row, written
    straight from the rows: `breach_json`, or as the engine gave them written with
    `breach_writer`). Its plain values all live on until the text is written (`core.collector`)."""
    tz = records.settings.tz
    listed = report["breaches"]
    with collector.paused():
        rest = plain({**report, "breaches": []}, tz)
        texts = listed.texts if isinstance(listed, kpis.WrittenBreaches) else breach_json(listed, tz)
        yield from json_pieces(rest, written={"breaches": texts})
    yield "\n"


def breach_writer(tz: ZoneInfo) -> kpis.BreachWriter:
    """What writes the report's breaches as `json_text` writes them (`breach_json`), for the engine
    to write them where it counts them (`kpis.quarterly`'s `write_breaches`); named after the time
    zone and the views' code, so that texts it wrote are kept only while they would be the same."""
    return kpis.BreachWriter(f"json|{tz.key}|{_views_code()}", lambda rows: list(breach_json(rows, tz)))


@functools.cache
def _views_code() -> str:
    return fingerprint(Path(__file__).resolve().parent.parent, ("views",))


# the line break and indent of a row in a list of the report's JSON text (`tables.json_pieces`)
_ROW_NEWLINE = "\n    "


def breach_json(rows: Iterable[Mapping[str, Any]], tz: ZoneInfo) -> Iterator[str]:
    """The JSON text of each of the report's breaches (`kpis.breach_row`) as `json_text` writes its
    plain form (`plain`) in the report, written straight from the row: a quarter's 20,000 rows,
    their texts and instants mostly repeated, each written once (`tables.Written`)."""
    words = Written(text_json)
    scalar = {**SCALAR_JSON, str: words.__getitem__, dt.datetime: instant_json(tz)}
    keys: dict[Any, str] = {}
    inner = _ROW_NEWLINE + "  "

    def text(key: str, value: Any) -> str:   # a value of another type, or one `SHOWN` rounds
        rule = SHOWN.get(key)
        if rule is not None:
            value = rule[1](value)
        write = scalar.get(type(value))
        if write is not None:
            return write(value)
        if type(value) is list and not value:   # (most rows tell no event)
            return "[]"
        return json_value(plain(value, tz), inner, keys)

    names: tuple[str, ...] = ()
    fill: Callable[..., str] = str
    for row in rows:
        if tuple(row) != names:   # (every row has the same keys: this is the first)
            names = tuple(row)
            fill = row_template([SHOWN[k][0] if k in SHOWN else k for k in names], _ROW_NEWLINE)
        yield fill(*[write(value) if (write := scalar.get(type(value))) is not None and key not in SHOWN
                     else text(key, value) for key, value in row.items()])
