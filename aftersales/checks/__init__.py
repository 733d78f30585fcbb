"""Validation: every rule of the records format that needs more than one field or record.

Types, required keys, allowed values and unknown keys are checked by the field
spec while files are read (`store`); the checks here are small functions, each
yielding located problems, run over everything that was read.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from aftersales.checks.assets import check_asset
from aftersales.checks.common import Known
from aftersales.checks.inspections import check_inspection
from aftersales.checks.notify import check_environment, check_notify
from aftersales.checks.parts import check_part, check_stock
from aftersales.checks.places import check_place
from aftersales.checks.settings import check_settings
from aftersales.checks.tickets import check_events, check_ticket
from aftersales.core.problems import Problem
from aftersales.store.build import DEFAULT_TIMEZONE
from aftersales.store.load import Loaded
from aftersales.store.paths import SETTINGS_FILE

__all__ = ["Known", "check_events", "check_inspection", "check_place", "check_ticket", "validate"]


def validate(loaded: Loaded, now: dt.datetime | None = None, environ: Mapping[str, str] | None = None
             ) -> list[Problem]:
    """Every problem of a loaded records folder as of `now` (events after it are errors), sorted by
    file and line; the notification channels are checked against `environ` (default: this
    process's environment)."""
    s = loaded.settings
    known = Known(s, loaded.file_ids, loaded.assets, now, loaded.parts)
    problems = list(loaded.problems)
    tz = s.tz if s is not None else ZoneInfo(DEFAULT_TIMEZONE)
    for table in (loaded.assets, loaded.tickets, loaded.inspections, loaded.parts):
        for record in table.values():
            problems.extend(check_place(record, tz))
    if s is not None:
        problems.extend(check_settings(s))
        problems.extend(check_notify(s))
        problems.extend(check_environment(s, os.environ if environ is None else environ))
        for asset in loaded.assets.values():
            problems.extend(check_asset(asset, s))
    for ticket in loaded.tickets.values():
        problems.extend(check_ticket(ticket, known))
    for inspection in loaded.inspections.values():
        problems.extend(check_inspection(inspection, known))
    for part in loaded.parts.values():
        problems.extend(check_part(part))
    if s is not None:
        problems.extend(check_stock(loaded.parts.values(), loaded.tickets.values(), s.tz))
    return sorted(set(problems), key=lambda p: (p.path != SETTINGS_FILE, p.path, p.line, p.column, p.code, p.message))
