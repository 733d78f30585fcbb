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

from aftersales.core.model import Asset, Check, Finding, Inspection, Records
from aftersales.engine import schedule
from aftersales.views import templating
from aftersales.views.labels import Names, texts
from aftersales.views.markdown import md

FORMATS = ("md", "html")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Inspection report", "colon": ": ",
        "project": "Project", "customer": "Customer", "supplier": "Supplier", "inspection": "Inspection",
        "plan": "Plan", "date": "Date", "inspectors": "Inspectors", "areas": "Areas",
        "checks": "Assets checked", "asset": "Asset", "name": "Name", "location": "Location",
        "summary": "{assets} assets on the list, {checked} fully checked, {issues} with an issue. "
                   "Problems found: {findings}.",
        "no_checks": "No asset was checked.",
        "problems": "Problem summary", "no": "No.", "type": "Type", "severity": "Severity",
        "problem": "Problem", "no_problems": "No problems were found.",
        "solutions": "Solutions", "action": "Action", "owner": "Owner", "deadline": "Deadline",
        "rectification": "Rectification status as of {date}", "status": "Status", "closed": "Closed",
        "ticket": "Ticket",
        "signoff": "Customer sign-off", "signed_by": "Signed for the customer by", "signed_on": "Date",
        "signoff_note": "The customer has reviewed the problems and the solutions above.",
        "other_area": "Other",
    },
    "zh": {
        "title": "巡检报告", "colon": "：",
        "project": "项目", "customer": "客户", "supplier": "服务单位", "inspection": "巡检编号",
        "plan": "计划", "date": "日期", "inspectors": "巡检人员", "areas": "巡检区域",
        "checks": "检查资产及结果", "asset": "资产编号", "name": "名称", "location": "位置",
        "summary": "列入巡检的资产共 {assets} 项，已全部检查完毕 {checked} 项，其中 {issues} 项有问题；"
                   "发现问题 {findings} 个。",
        "no_checks": "本次巡检未检查任何资产。",
        "problems": "问题汇总", "no": "序号", "type": "问题类型", "severity": "严重程度",
        "problem": "问题描述", "no_problems": "本次巡检未发现问题。",
        "solutions": "整改方案", "action": "整改措施", "owner": "责任人", "deadline": "完成期限",
        "rectification": "整改跟踪（截至 {date}）", "status": "状态", "closed": "完成日期", "ticket": "工单",
        "signoff": "客户签收", "signed_by": "客户签字", "signed_on": "日期",
        "signoff_note": "客户已知悉上述问题及整改方案。",
        "other_area": "其他",
    },
}
def context(records: Records, ins: Inspection, at: dt.date, lang: str) -> dict[str, Any]:
    """Everything the inspection templates show, in the order the school reads it."""
    settings = records.settings
    lab = texts(TEXTS, lang)
    names = Names(lang)
    plan = next((p for p in settings.plans if p.id == ins.plan), None)
    checklist = list(plan.checklist) if plan else _items(ins.checks)
    findings = [_finding(f, records.assets, at, names) for f in ins.findings]
    groups = _groups(records, ins, checklist, lab, names)
    issues = sum(1 for c in ins.checks if "issue" in c.results.values())
    unchecked = sum(1 for c in ins.checks if any(item not in c.results for item in checklist))
    summary = lab["summary"].format(assets=len(ins.checks), checked=len(ins.checks) - unchecked, issues=issues,
                                    findings=len(findings))
    return {
        "lang": lang, "l": lab, "md": md, "as_of": at,
        "project": {"name": settings.name, "customer": settings.customer, "supplier": settings.supplier},
        "inspection": {"id": ins.id, "date": ins.date, "plan": ins.plan, "plan_name": plan.name if plan else "",
                       "inspectors": list(ins.inspectors),
                       "areas": [{"id": a, "name": _area_name(records, a)} for a in ins.areas]},
        "checklist": [{"id": item, "label": names("item", item)} for item in checklist],
        "groups": groups, "summary": summary, "findings": findings,
        "rectification_heading": lab["rectification"].format(date=at.isoformat()),
        "signoff": {"name": ins.signoff.name, "date": ins.signoff.date}
        if ins.signoff and ins.signoff.date <= at else None,
    }


def _items(checks: tuple[Check, ...]) -> list[str]:
    return list(dict.fromkeys(item for c in checks for item in c.results))


def _area_name(records: Records, area: str) -> str:
    found = records.settings.areas.get(area)
    return found.name if found else area


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
    return [{"id": a, "name": _area_name(records, a) if a else lab["other_area"], "rows": by_area[a]}
            for a in ranked]


def _finding(f: Finding, assets: Mapping[str, Asset], at: dt.date, names: Names) -> dict[str, Any]:
    asset = assets.get(f.asset or "")
    status = schedule.finding_status(f, at)
    return {
        "id": f.id, "asset": f.asset, "asset_name": asset.name if asset else "",
        "location": f.location or (asset.location if asset else ""),
        "category": f.category, "category_label": names("category", f.category) if f.category else "",
        "severity": f.severity, "severity_label": names("severity", f.severity) if f.severity else "",
        "problem": f.problem, "action": f.action, "owner": f.owner, "due": f.due,
        "closed": f.closed if f.closed is not None and f.closed <= at else None,  # later: not yet
        "ticket": f.ticket, "status": status, "status_label": names("finding", status),
    }


def render(records: Records, ins: Inspection, at: dt.date, lang: str = "en", fmt: str = "md") -> str:
    """The report as text: templates/inspection.<fmt>.j2, the records' own templates first."""
    return templating.render(Path(records.root), f"inspection.{fmt}.j2", context(records, ins, at, lang))
