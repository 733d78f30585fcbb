"""Maintenance slots: which due dates a plan has, which inspection fulfils which, and their status.

Everything here works on dates in the project time zone and is pure: no
clock, no files, no printing. KPIS.md ("Maintenance plans and inspections")
defines the words; this module pins down the details it leaves open.

**Slots.** A plan's slots are the dates its `rrule` gives from `start`, as
python-dateutil reads the rule (`rrulestr(rule, dtstart=start 00:00)`): the
start date is a slot only when the rule produces it, and dates the rule cannot
produce (the 31st of a 30-day month) are skipped, never moved. Slot k has a
due date `due_k` and a window that opens `early` days before it:
`open_k = due_k - early` (`early` absent: the window is the due date alone).

**Fitting.** An inspection dated `d` *fits* slot k when

    open_k <= d <= due_k                      (inside the slot's window), or
    due_k < d < open_(k+1)                    (after the due date, before the
                                               next slot's window opens; after
                                               the last slot of a rule that ends,
                                               any later date)

The inspections naming a plan are taken in date order (then id order); each
fulfils the earliest slot it fits that no earlier inspection fulfilled, or
none. So a second inspection in the same window fulfils nothing, unless it is
also inside the next slot's window (windows overlap when `early` is longer
than the gap between two slots), in which case it fulfils that next slot. An
inspection dated after the next window has opened never fulfils the earlier
slot: that slot stays overdue. An inspection before the first window fulfils
nothing. Inspections dated after the as-of date do not exist yet.

**Status as of a date `at`:** done (fulfilled by an inspection dated on or
before the due date), late (fulfilled after it), overdue (not fulfilled and
`at` > due), due (not fulfilled and open <= `at` <= due), upcoming (the first
slot whose window opens after `at`). Slots are generated only up to `at` plus
that one upcoming slot, so an endless rule costs as many slots as have passed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from dateutil.rrule import rrulestr

from aftersales.core.model import Finding, Inspection, Plan, Settings

SLOT_STATUSES = ("overdue", "due", "upcoming", "done", "late")
FINDING_STATUSES = ("open", "closed-on-time", "closed-late", "overdue")
_CADENCE_SAMPLE = 6  # slots looked at to tell a quarterly or half-yearly plan


@dataclass(frozen=True)
class Slot:
    """One due date of a plan and how it stands as of a date."""

    plan: str
    due: dt.date
    opens: dt.date
    status: str
    inspection: str | None = None   # the inspection that fulfilled it
    inspected: dt.date | None = None


# --- slots ------------------------------------------------------------------

def early_days(plan: Plan) -> int:
    """The plan's `early` in whole days (validate insists on days; 0 when absent)."""
    if plan.early is None:
        return 0
    return plan.early.amount if plan.early.unit == "d" else plan.early.seconds // 86400


def due_dates(plan: Plan) -> Iterator[dt.date]:
    """The plan's slot dates in order, lazily (a rule may never end)."""
    rule = rrulestr(plan.rrule, dtstart=dt.datetime.combine(plan.start, dt.time()))
    previous = None
    for occurrence in rule:
        day = occurrence.date()
        if day != previous:  # a rule finer than a day gives each date once
            yield day
        previous = day


def opens(plan: Plan, due: dt.date) -> dt.date:
    """The first day of the slot's window."""
    return due - dt.timedelta(days=early_days(plan))


def _dues_until(plan: Plan, at: dt.date) -> list[dt.date]:
    """Every slot whose window has opened by `at`, then the first one that has not (if any)."""
    found = []
    for due in due_dates(plan):
        found.append(due)
        if opens(plan, due) > at:
            break
    return found


def _fits(plan: Plan, dues: Sequence[dt.date], k: int, day: dt.date, ended: bool) -> bool:
    if day < opens(plan, dues[k]):
        return False
    if day <= dues[k]:
        return True
    if k + 1 < len(dues):
        return day < opens(plan, dues[k + 1])
    return ended


def assign(plan: Plan, dues: Sequence[dt.date], inspections: Iterable[Inspection],
           ended: bool = False) -> dict[int, Inspection]:
    """Slot index -> the inspection that fulfils it (the rule in the module docstring).

    `ended`: `dues` holds every slot of the rule (it has a last one), so the
    last slot is fitted by any later date; otherwise slots after `dues` exist.
    """
    taken: dict[int, Inspection] = {}
    for ins in sorted((i for i in inspections if i.plan == plan.id), key=lambda i: (i.date, i.id)):
        for k in range(len(dues)):
            if k not in taken and _fits(plan, dues, k, ins.date, ended):
                taken[k] = ins
                break
    return taken


def plan_slots(plan: Plan, inspections: Iterable[Inspection], at: dt.date) -> list[Slot]:
    """The plan's slots as of `at`: every slot whose window has opened, then the next one."""
    dues = _dues_until(plan, at)
    ended = not dues or opens(plan, dues[-1]) <= at  # the rule ran out before passing `at`
    present = [i for i in inspections if i.date <= at]
    taken = assign(plan, dues, present, ended)
    slots = []
    for k, due in enumerate(dues):
        ins = taken.get(k)
        start = opens(plan, due)
        if ins is not None:
            status = "done" if ins.date <= due else "late"
        elif at > due:
            status = "overdue"
        elif start <= at:
            status = "due"
        else:
            status = "upcoming"
        slots.append(Slot(plan.id, due, start, status, ins.id if ins else None, ins.date if ins else None))
    return slots


def all_slots(settings: Settings, inspections: Iterable[Inspection], at: dt.date) -> list[Slot]:
    """Every plan's slots as of `at`, by due date then plan."""
    present = list(inspections)
    slots = [s for plan in settings.plans for s in plan_slots(plan, present, at)]
    return sorted(slots, key=lambda s: (s.due, s.plan))


def slot_for(plan: Plan, day: dt.date) -> dt.date | None:
    """The due date of the earliest slot an inspection on `day` fits, ignoring other inspections."""
    dues = _dues_until(plan, day)
    ended = not dues or opens(plan, dues[-1]) <= day
    return next((due for k, due in enumerate(dues) if _fits(plan, dues, k, day, ended)), None)


def cadence(plan: Plan) -> str | None:
    """`quarter` when the plan has exactly one slot in each calendar quarter, `half` for each
    half-year, else None (judged on its first few slots)."""
    sample = list(itertools.islice(due_dates(plan), _CADENCE_SAMPLE))
    if len(sample) < 2:
        return None
    for name, months in (("quarter", 3), ("half", 6)):
        index = [d.year * (12 // months) + (d.month - 1) // months for d in sample]
        if all(b - a == 1 for a, b in itertools.pairwise(index)):
            return name
    return None


# --- what the reports count -------------------------------------------------

def finding_status(finding: Finding, at: dt.date) -> str:
    """open, closed-on-time (closed <= due, or no due), closed-late, or overdue (open, due passed)."""
    if finding.closed is not None and finding.closed <= at:
        on_time = finding.due is None or finding.closed <= finding.due
        return "closed-on-time" if on_time else "closed-late"
    if finding.due is not None and at > finding.due:
        return "overdue"
    return "open"


def count_findings(findings: Iterable[Finding], at: dt.date) -> dict[str, int]:
    """Findings counted by their status as of `at` (every status present, in FINDING_STATUSES order)."""
    counts = dict.fromkeys(FINDING_STATUSES, 0)
    for finding in findings:
        counts[finding_status(finding, at)] += 1
    return counts


def findings_summary(inspections: Iterable[Inspection], first: dt.date, end: dt.date,
                     at: dt.date) -> dict[str, int]:
    """Findings of the inspections dated in [first, end) (and by `at`), counted by status."""
    return count_findings((f for ins in inspections if first <= ins.date < end and ins.date <= at
                           for f in ins.findings), at)


@dataclass(frozen=True)
class Overdue:
    """A finding still open past its due date."""

    inspection: Inspection
    finding: Finding
    due: dt.date
    days: int   # days past the due date


def overdue_findings(inspections: Iterable[Inspection], at: dt.date) -> list[Overdue]:
    """Findings still open past their due date as of `at`, most overdue first."""
    found = [Overdue(ins, f, f.due, (at - f.due).days) for ins in inspections if ins.date <= at
             for f in ins.findings if f.due is not None and finding_status(f, at) == "overdue"]
    return sorted(found, key=lambda o: (o.due, o.inspection.id, o.finding.id))
