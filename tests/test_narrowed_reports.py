"""`report quarterly` and `warranty` build only the tickets their figures may count (see
docs/performance.md): on the bundled sample, whose tickets span 2025 and 2026 and whose older
assets' warranties ended years ago, the narrowed results equal a full pass over every ticket, for
the running quarter, past quarters and custom ranges, as of late and earlier instants."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest

from aftersales.core.model import Records
from aftersales.core.times import date_range, quarter_of
from aftersales.engine import kpis, warranty
from aftersales.project import load_project

REPO = Path(__file__).resolve().parent.parent
INSTANTS = ("2026-11-23", "2026-07-01 09:00", "2025-12-31 23:59", "2025-10-15")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("narrowed") / "records"
    shutil.copytree(REPO / "records", folder)
    when = time.time() - 3600   # not "racy": the cache keeps these files
    for path in folder.rglob("*.yaml"):
        os.utime(path, (when, when))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AFTERSALES_CACHE_DIR", str(tmp_path_factory.mktemp("narrowed-cache")))
        mp.delenv("AFTERSALES_CACHE", raising=False)
        load_project(folder, "2026-11-23")   # fill the cache
        yield folder


def _full(records: Records) -> Records:
    """The same records with a plain ticket table: every ticket is looked at."""
    return dataclasses.replace(records, tickets={i: records.tickets[i] for i in records.tickets})


def _periods(tz) -> list:
    quarters = [quarter_of(dt.date(2025, m, 1), tz) for m in (4, 7, 10)]
    quarters += [quarter_of(dt.date(2026, m, 1), tz) for m in (1, 4, 7, 10)]
    return [*quarters, date_range(dt.date(2025, 11, 10), dt.date(2026, 2, 20), tz),
            date_range(dt.date(2026, 9, 1), dt.date(2026, 9, 30), tz)]


@pytest.mark.parametrize("at", INSTANTS)
def test_the_narrowed_report_equals_a_full_pass(sample, at):
    project = load_project(sample, at)
    narrowed, full = project.records, _full(project.records)
    assert not isinstance(full.tickets, type(narrowed.tickets))
    tz = narrowed.settings.tz
    for period in _periods(tz):
        if period.start > project.at:
            continue
        assert kpis.report(narrowed, period, project.at) == kpis.report(full, period, project.at), (at, period.name)


@pytest.mark.parametrize("at", INSTANTS)
def test_the_narrowed_warranty_overview_equals_a_full_pass(sample, at):
    project = load_project(sample, at)
    for within in (30, 180, 720):
        assert (warranty.overview(project.records, project.at, within)
                == warranty.overview(_full(project.records), project.at, within)), (at, within)


def test_a_past_quarter_builds_only_part_of_the_history(sample):
    """The narrowing is real: a report of 2025Q4 as of late 2026 leaves tickets of 2026 unbuilt."""
    project = load_project(sample, "2026-11-23")
    records, tz = project.records, project.records.settings.tz
    chosen = kpis.report_tickets(records, [quarter_of(dt.date(2025, 10, 1), tz)], project.at)
    everything = records.tickets_as_of(project.at)
    assert {t.id for t in chosen} < {t.id for t in everything}
