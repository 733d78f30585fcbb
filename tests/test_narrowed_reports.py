"""`report quarterly` and `warranty` build only the tickets their figures may count (see
docs/performance.md): on the bundled sample, whose tickets span 2025 and 2026 and whose older
assets' warranties ended years ago, the narrowed results equal a full pass over every ticket, for
the running quarter, past quarters and custom ranges, as of late and earlier instants.

The report's figures are worked out from facts kept per ticket and per period, the period before
only for the trend (docs/performance.md): the whole report, trend included, equals the plain reading
of every definition (tests/kpis_plain.py) on the sample, on the sample in a time zone with daylight
saving, and on a generated folder of 3,000 tickets."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import kpis_plain
import pytest

from aftersales.core.model import Records
from aftersales.core.times import date_range, quarter_of
from aftersales.engine import kpis, sla, warranty
from aftersales.engine.ticket_facts import TicketFacts
from aftersales.project import load_project

REPO = Path(__file__).resolve().parent.parent
INSTANTS = ("2026-11-23", "2026-07-01 09:00", "2025-12-31 23:59", "2025-10-15")


def _cached(folder: Path, tmp_path_factory):
    """Use `folder` with a record cache of its own, filled."""
    when = time.time() - 3600   # not "racy": the cache keeps these files
    for path in folder.rglob("*.yaml"):
        os.utime(path, (when, when))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AFTERSALES_CACHE_DIR", str(tmp_path_factory.mktemp("narrowed-cache")))
        mp.delenv("AFTERSALES_CACHE", raising=False)
        load_project(folder, "2026-11-23")   # fill the cache
        yield folder


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("narrowed") / "records"
    shutil.copytree(REPO / "records", folder)
    yield from _cached(folder, tmp_path_factory)


@pytest.fixture(scope="module")
def sample_new_york(tmp_path_factory) -> Path:
    """The sample with its project time zone moved to one with daylight saving: period bounds at
    -05:00 or -04:00 while every event carries +08:00."""
    folder = tmp_path_factory.mktemp("narrowed-ny") / "records"
    shutil.copytree(REPO / "records", folder)
    settings = folder / "aftersales.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "timezone: Asia/Shanghai" in text
    settings.write_text(text.replace("timezone: Asia/Shanghai", "timezone: America/New_York"), encoding="utf-8")
    yield from _cached(folder, tmp_path_factory)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """3,000 generated tickets (scripts/make_records.py), as the benchmarks use."""
    folder = tmp_path_factory.mktemp("narrowed-3000") / "records"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_records.py"), "--tickets", "3000",
                    "--out", str(folder)], check=True, capture_output=True)
    yield from _cached(folder, tmp_path_factory)


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
    """The narrowing is real: a report of 2025Q4 as of late 2026 looks at every ticket reported
    in the quarter and at none reported after it."""
    project = load_project(sample, "2026-11-23")
    records, tz = project.records, project.records.settings.tz
    quarter = quarter_of(dt.date(2025, 10, 1), tz)
    chosen = set(kpis.report_ids(records, [quarter], project.at))
    everything = records.tickets_as_of(project.at)
    assert {t.id for t in everything if t.reported_at in quarter} <= chosen
    assert not {t.id for t in everything if t.reported_at >= quarter.end} & chosen
    assert len(chosen) < len(everything) / 2


def test_the_report_works_out_its_facts_one_ticket_at_a_time_and_keeps_only_its_breaches(sample):
    """The report's tickets are built for one use each (none is kept by the ticket table), and a
    report of a warm cache builds only its breaches' (their facts and cycles are kept); of them
    `Breached` keeps only what the list of breaches shows, as they stood at the instant."""
    from aftersales.core.model import Ticket
    project = load_project(sample, "2026-11-23")   # warm: no ticket built yet
    records = project.records
    built = {i for i, v in records.tickets._items.items() if isinstance(v, Ticket)}
    assert len(built) < len(records.tickets) / 10   # the cache answered: tickets stay unbuilt
    periods = [quarter_of(dt.date(2026, 7, 1), records.settings.tz)]
    tickets = list(kpis_plain.report_tickets(records, periods, project.at))
    assert len(tickets) > 20
    assert {i for i, v in records.tickets._items.items() if isinstance(v, Ticket)} == built
    kept = list(sla.each_kept(records, project.at, [t.id for t in tickets], with_facts=True))
    assert [k.facts.values() for k in kept] == [TicketFacts.of(t, records.assets).values() for t in tickets]
    assert all(len(kpis.Breached.of(t).events) < len(t.events) for t in (tickets[0], tickets[-1]))
    report = kpis.report(records, periods[0], project.at)
    assert report["breaches"]   # listed from the kept tickets, events and all (the goldens check them)


def test_a_warm_report_builds_no_ticket(sample, monkeypatch):
    """Once a report ran, the next one reads each ticket's facts, clocks and what the list of
    breaches shows of it back from the record cache, and the state at the period's end of the
    repairs with an event after it (the replacement candidates ask for it, `heads`) from their
    facts: it builds no ticket, though there are such repairs and breaches to list."""
    from aftersales.core.model import Ticket
    periods_of = lambda records: quarter_of(dt.date(2026, 7, 1), records.settings.tz)  # noqa: E731
    first = load_project(sample, "2026-11-23")
    expected = kpis.report(first.records, periods_of(first.records), first.at)
    project = load_project(sample, "2026-11-23")
    records = project.records
    period = periods_of(records)
    later = [t for t in records.tickets_as_of(project.at)
             if t.kind == "repair" and t.reported_at < period.end <= max(e.at for e in t.events)]
    project = load_project(sample, "2026-11-23")
    records = project.records

    def built():
        return {i for i, v in records.tickets._items.items() if isinstance(v, Ticket)}

    before = built()
    asked: list[str] = []
    each = records.tickets.each
    transient = records.tickets.transient
    monkeypatch.setattr(records.tickets, "each", lambda ids: (asked.extend(ids := list(ids)), each(ids))[1])
    monkeypatch.setattr(records.tickets, "transient", lambda i: (asked.append(i), transient(i))[1])
    assert kpis.report(records, period, project.at) == expected
    assert len(expected["breaches"]) > 10 and len(later) > 3
    assert (asked, built()) == ([], before)


def test_a_tickets_facts_tell_its_status_at_any_instant(sample):
    """`TicketFacts.status_at` is the status of the ticket as it stood then, at every instant
    one of its events turns it (and just before), reopened ones too."""
    project = load_project(sample, "2026-11-23")
    tickets = project.records.tickets_as_of(project.at)
    turned = [t for t in tickets if any(e.type == "reopened" for e in t.events)]
    assert turned and len(tickets) > 100
    for t in tickets:
        facts = TicketFacts.of(t, project.records.assets)
        for e in t.events:
            for at in (e.at - dt.timedelta(microseconds=1), e.at):
                seen = t.as_of(at)
                assert facts.status_at(sla.micros(at)) == (seen.status if seen else "open"), (t.id, at)


def _same_as_plain(folder: Path, at: str, periods) -> int:
    """kpis.report and the plain reading (tests/kpis_plain.py) agree on each period begun by `at`;
    returns how many periods were compared."""
    project = load_project(folder, at)
    compared = 0
    for period in periods(project.records.settings.tz):
        if period.start > project.at:
            continue
        fast, plain = kpis.report(project.records, period, project.at), kpis_plain.report(project.records, period,
                                                                                            project.at)
        assert fast == plain, (at, period.name, [k for k in plain if fast.get(k) != plain[k]])
        assert fast["trend"] == plain["trend"]   # figures of the period before, computed apart
        compared += 1
    return compared


@pytest.mark.parametrize("at", INSTANTS)
def test_the_report_equals_the_plain_reading_of_the_definitions(sample, at):
    assert _same_as_plain(sample, at, _periods) > 0


@pytest.mark.parametrize("at", ("2026-11-23", "2026-03-08 02:30", "2025-11-02 01:30"))
def test_the_report_equals_the_plain_reading_where_clocks_change(sample_new_york, at):
    """Quarters and ranges whose bounds are in New York time; as-of instants on the days its
    clocks moved (2026-03-08, 2025-11-02)."""
    assert _same_as_plain(sample_new_york, at, _periods) > 0


@pytest.mark.slow
@pytest.mark.parametrize("at", ("2026-11-23", "2026-05-20 12:00"))
def test_the_report_of_3000_generated_tickets_equals_the_plain_reading(generated, at):
    def periods(tz):
        return [quarter_of(dt.date(2025, 10, 1), tz), quarter_of(dt.date(2026, 4, 1), tz),
                quarter_of(dt.date(2026, 7, 1), tz), quarter_of(dt.date(2026, 10, 1), tz),
                date_range(dt.date(2026, 1, 15), dt.date(2026, 5, 31), tz)]
    assert _same_as_plain(generated, at, periods) >= 3


def test_the_period_before_is_worked_out_only_for_the_trend(sample, monkeypatch):
    """Breaches, findings, warranty, parts and analysis are of the reported period alone; the
    period before gives the trend its figures and nothing else."""
    calls: Counter[str] = Counter()

    def spy(name: str):
        real = getattr(kpis, name)

        def counted(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return counted

    for name in ("findings_section", "warranty_section", "parts_section", "analysis_section",
                 "tickets_section", "quality_section", "maintenance_section"):
        monkeypatch.setattr(kpis, name, spy(name))
    project = load_project(sample, "2026-11-23")
    period = quarter_of(dt.date(2026, 7, 1), project.records.settings.tz)
    numbers = kpis.report(project.records, period, project.at)
    assert numbers["trend"]["previous_period"] == "2026Q2"
    assert numbers["breaches"] and all(period.start <= b["start"] < period.end for b in numbers["breaches"])
    assert dict(calls) == {
        "findings_section": 1, "warranty_section": 1, "parts_section": 1, "analysis_section": 1,
        "tickets_section": 1, "quality_section": 2, "maintenance_section": 2}
