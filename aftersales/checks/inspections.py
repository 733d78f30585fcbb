"""Checks of an inspection: its plan, areas, assets, findings and dates."""

from __future__ import annotations

from collections.abc import Iterator

from aftersales.checks.common import Known, error, warning
from aftersales.core.model import Inspection
from aftersales.core.problems import Problem, did_you_mean


def check_inspection(ins: Inspection, known: Known) -> Iterator[Problem]:
    s = known.settings
    path, line = ins.where.path, ins.lines.get
    plan = next((p for p in s.plans if p.id == ins.plan), None) if s else None
    if ins.plan is not None and s is not None and plan is None:
        yield error(path, line("plan", 1), "unknown-plan", f"plan {ins.plan!r} is not a maintenance plan"
                    + did_you_mean(ins.plan, [p.id for p in s.plans]))
    if s is not None:
        for area in ins.areas:
            if area not in s.areas:
                yield error(path, line("areas", 1), "unknown-area",
                            f"area {area!r} is not one of the settings' areas" + did_you_mean(area, s.areas))
    if plan is not None and len(ins.inspectors) < plan.inspectors:
        yield warning(path, line("inspectors", 1), "inspectors",
                      f"plan {plan.id} needs {plan.inspectors} inspectors; {len(ins.inspectors)} listed")
    for check in ins.checks:
        if known.missing("asset", check.asset):
            yield error(path, check.line, "unknown-asset", f"asset {check.asset!r} does not exist"
                        + known.suggest("asset", check.asset))
        if plan is not None:
            for item in check.results:
                if item not in plan.checklist:
                    yield error(path, check.line, "unknown-key", f"{item!r} is not on the checklist of "
                                f"plan {plan.id} ({', '.join(plan.checklist)})" + did_you_mean(item, plan.checklist))
    if ins.signoff is not None and ins.signoff.date < ins.date:
        yield error(path, line("signoff", 1), "date-order",
                    f"signed off {ins.signoff.date}, before the inspection ({ins.date})")
    seen: set[str] = set()
    for finding in ins.findings:
        if finding.id in seen:
            yield error(path, finding.line, "duplicate-id", f"finding id {finding.id!r} is used twice")
        seen.add(finding.id)
        if finding.asset is not None and known.missing("asset", finding.asset):
            yield error(path, finding.line, "unknown-asset", f"finding {finding.id}: asset {finding.asset!r} "
                        "does not exist" + known.suggest("asset", finding.asset))
        if finding.ticket is not None and known.missing("ticket", finding.ticket):
            yield error(path, finding.line, "unknown-ticket",
                        f"finding {finding.id}: ticket {finding.ticket!r} does not exist")
        if finding.closed is not None and finding.closed < ins.date:
            yield error(path, finding.line, "date-order",
                        f"finding {finding.id}: closed {finding.closed} before the inspection ({ins.date})")
