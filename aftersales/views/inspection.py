"""The inspection report for the school: what was checked, the problems, who fixes them by when,
how each rectification stands, and the customer's sign-off.

Values reach the templates unescaped: HTML templates escape them (autoescape),
Markdown templates pass them through `md()`, which backslash-escapes what
Markdown would otherwise read as markup. Nothing depends on the clock: the
only date that is not in the records is the `as of` date the caller gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aftersales.core.model import Asset, Check, Finding, Inspection, Records, Settings
from aftersales.engine import schedule
from aftersales.views import templating
from aftersales.views.labels import Names, texts
from aftersales.views.markdown import md
from aftersales.views.words import person

FORMATS = ("md", "html", "pdf")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Inspection report", "colon": ": ", "report_no": "Report No.", "issued": "Issue date",
        "project": "Project", "customer": "Customer", "supplier": "Service provider", "inspection": "Inspection",
        "plan": "Plan", "date": "Inspection date", "inspectors": "Inspectors", "areas": "Areas",
        "on_the_day": "Part A. What was found on {date}",
        "checks": "Assets checked", "asset": "Asset", "product": "Asset", "name": "Name", "location": "Location",
        "summary": "{assets} assets on the list, {checked} fully checked, {issues} with an issue. "
                   "Problems found: {findings}.",
        "no_checks": "No asset was checked.",
        "problems": "Problem summary", "no": "No.", "type": "Type", "severity": "Severity",
        "problem": "Problem", "no_problems": "No problems were found.",
        "solutions": "Solutions", "action": "Action", "owner": "Owner", "deadline": "Deadline",
        "rectification": "Part B. Rectification status as of {date}",
        "rectification_note": "How each problem stood on {date}, the issue date of this report; it changes after "
                              "that day as the work is done.",
        "status": "Status", "closed": "Closed on", "ticket": "Ticket",
        "signoff": "Sign-off", "for_supplier": "For the service provider", "for_customer": "For the customer",
        "signoff_note": "The customer has reviewed the problems and the solutions above.",
        "signature": "Signature", "signer": "Name", "signed_on": "Date",
        "recorded": "Customer sign-off recorded on {date} by {name}.",
        "other_area": "Other", "page": "Page", "of": "of",
    },
    "zh": {
        "title": "巡检报告", "colon": "：", "report_no": "报告编号", "issued": "出具日期",
        "project": "项目", "customer": "客户", "supplier": "服务单位", "inspection": "巡检编号",
        "plan": "计划", "date": "巡检日期", "inspectors": "巡检人员", "areas": "巡检区域",
        "on_the_day": "一、{date} 巡检所见",
        "checks": "检查资产及结果", "asset": "资产编号", "product": "资产", "name": "名称", "location": "位置",
        "summary": "列入巡检的资产共 {assets} 项，已全部检查完毕 {checked} 项，其中 {issues} 项有问题；"
                   "发现问题 {findings} 个。",
        "no_checks": "本次巡检未检查任何资产。",
        "problems": "问题汇总", "no": "序号", "type": "问题类型", "severity": "严重程度",
        "problem": "问题描述", "no_problems": "本次巡检未发现问题。",
        "solutions": "整改方案", "action": "整改措施", "owner": "责任人", "deadline": "完成期限",
        "rectification": "二、截至 {date} 的整改状态",
        "rectification_note": "以下为本报告出具日（{date}）各问题的整改状态，此后随整改进展而变化。",
        "status": "状态", "closed": "完成日期", "ticket": "工单",
        "signoff": "签字确认", "for_supplier": "服务单位", "for_customer": "客户",
        "signoff_note": "客户已知悉上述问题及整改方案。",
        "signature": "签字", "signer": "姓名", "signed_on": "日期",
        "recorded": "客户已于 {date} 签收（{name}）。",
        "other_area": "其他", "page": "第", "of": "页，共",
    },
}


def report_number(records: Records, ins: Inspection) -> str:
    """Stable: the project's id and the inspection id (SIP-SCH-INS-2026Q1)."""
    return "-".join(x for x in (records.settings.project_id, ins.id) if x)


def context(records: Records, ins: Inspection, at: dt.date, lang: str) -> dict[str, Any]:
    """Everything the inspection templates show, in the order the school reads it."""
    settings = records.settings
    lab = texts(TEXTS, lang)
    names = Names(lang, settings)
    plan = next((p for p in settings.plans if p.id == ins.plan), None)
    checklist = list(plan.checklist) if plan else _items(ins.checks)
    findings = [_finding(f, records.assets, at, names) for f in ins.findings]
    groups = _groups(records, ins, checklist, lab, names)
    issues = sum(1 for c in ins.checks if "issue" in c.results.values())
    unchecked = sum(1 for c in ins.checks if any(item not in c.results for item in checklist))
    summary = lab["summary"].format(assets=len(ins.checks), checked=len(ins.checks) - unchecked, issues=issues,
                                    findings=len(findings))
    signed = ins.signoff if ins.signoff and ins.signoff.date <= at else None
    return {
        "lang": lang, "l": lab, "md": md, "as_of": at, "number": report_number(records, ins),
        "project": {"name": settings.name, "customer": settings.customer, "supplier": settings.supplier},
        "inspection": {"id": ins.id, "date": ins.date, "plan": ins.plan,
                       "plan_name": names("plan", ins.plan) if plan else "",
                       "inspectors": [person(i, names, with_role=True, phone=_phone(settings, i))
                                      for i in ins.inspectors],
                       "areas": [{"id": a, "name": names("area", a)} for a in ins.areas]},
        "checklist": [{"id": item, "label": names("item", item)} for item in checklist],
        "groups": groups, "summary": summary, "findings": findings,
        "on_the_day_heading": lab["on_the_day"].format(date=ins.date.isoformat()),
        "rectification_heading": lab["rectification"].format(date=at.isoformat()),
        "rectification_note": lab["rectification_note"].format(date=at.isoformat()),
        "signoff": {"name": signed.name, "date": signed.date} if signed else None,
        "recorded": lab["recorded"].format(date=signed.date, name=signed.name) if signed else "",
    }


def _phone(settings: Settings, pid: str) -> str:
    """The inspectors' work phones go to the school: whom to call about a finding."""
    found = settings.people.get(pid)
    return found.phone if found else ""


def _items(checks: tuple[Check, ...]) -> list[str]:
    return list(dict.fromkeys(item for c in checks for item in c.results))


def _groups(records: Records, ins: Inspection, checklist: list[str], lab: Mapping[str, str],
            names: Names) -> list[dict[str, Any]]:
    """The checks by area: the inspection's areas in its order, then any other area."""
    order = list(ins.areas) + [a for a in records.settings.areas if a not in ins.areas]
    by_area: dict[str, list[dict[str, Any]]] = {}
    for check in ins.checks:
        asset = records.assets.get(check.asset)
        results = [{"value": check.results.get(item), "label": names("result", check.results.get(item) or "none")}
                   for item in checklist]
        by_area.setdefault(asset.area if asset else "", []).append({
            "asset": check.asset, "name": asset.name if asset else "",
            "location": asset.location if asset else "", "results": results})
    ranked = sorted(by_area, key=lambda a: order.index(a) if a in order else len(order))
    return [{"id": a, "name": names("area", a) if a else lab["other_area"], "rows": by_area[a]}
            for a in ranked]


def _finding(f: Finding, assets: Mapping[str, Asset], at: dt.date, names: Names) -> dict[str, Any]:
    asset = assets.get(f.asset or "")
    status = schedule.finding_status(f, at)
    return {
        "id": f.id, "asset": f.asset, "asset_name": asset.name if asset else "",
        "location": f.location or (asset.location if asset else ""),
        "category": f.category, "category_label": names("category", f.category) if f.category else "",
        "severity": f.severity, "severity_label": names("severity", f.severity) if f.severity else "",
        "problem": f.problem, "action": f.action, "owner": person(f.owner, names), "due": f.due,
        "closed": f.closed if f.closed is not None and f.closed <= at else None,  # later: not yet
        "ticket": f.ticket, "status": status, "status_label": names("finding", status),
    }


def render(records: Records, ins: Inspection, at: dt.date, lang: str = "en", fmt: str = "md") -> str:
    """The report as text: templates/inspection.<fmt>.j2, the records' own templates first."""
    return templating.render(Path(records.root), f"inspection.{fmt}.j2", context(records, ins, at, lang))
