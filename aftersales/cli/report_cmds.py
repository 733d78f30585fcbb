"""Reports for the school and for management: the quarterly report and the inspection report."""

from __future__ import annotations

from typing import Any

import click

from aftersales.cli.base import Choice, group
from aftersales.cli.options import (
    at_option,
    document_format,
    emit,
    output_option,
    period_options,
    project,
    records_option,
    report_format_option,
    within_days,
    within_days_option,
)
from aftersales.core.errors import UsageError
from aftersales.core.ids import resolve
from aftersales.core.times import check_period_options, report_period
from aftersales.engine import kpis
from aftersales.views import inspection as inspection_view
from aftersales.views import quarterly as quarterly_view
from aftersales.views.labels import LANGUAGES
from aftersales.views.pdf import pdf_bytes


@group("report")
def report_group() -> None:
    """Reports for the school and for management."""


def lang_option(help_text: str) -> Any:
    return click.option("--lang", type=Choice(LANGUAGES), default="en", show_default=True, help=help_text)


@report_group.command("quarterly")
@period_options
@click.option("--previous", is_flag=True, help="The last complete quarter before --at.")
@records_option
@at_option
@report_format_option(*quarterly_view.FORMATS)
@lang_option("Report language: English or Simplified Chinese.")
@output_option("report", "quarterly-PERIOD.LANG.FORMAT")
@within_days_option
def quarterly(period: str | None, from_text: str | None, to_text: str | None, previous: bool,
              records_dir: Any, at_text: str, fmt: str | None, lang: str, output: str | None,
              within_text: str) -> None:
    """The quarterly service report: a formal document for the school (report
    number, summary, each promise beside what was delivered, the misses and
    why, quality, maintenance, warranty, parts, definitions, sign-off).

    The period is --period (a quarter), --previous (the last complete quarter
    before --at) or --from/--to (both days included). Markdown, HTML (one page
    for the browser and for printing on A4), PDF (needs the pdf extra: pip
    install 'aftersales[pdf]') or JSON. A past period is described as of its
    last day; SLA outcomes as of --at. Every number is defined in the report's
    own appendix and in docs/kpis.md. The same records and --at give
    byte-identical output. Exits 1, writing nothing, when the records do not
    validate. See docs/reports.md.

    \b
    Examples:
      aftersales report quarterly --period 2026Q3
      aftersales report quarterly --previous --format pdf --lang zh -o reports/
      aftersales report quarterly --from 2026-01-01 --to 2026-06-30 --format json
    """
    fmt = document_format(fmt, output, quarterly_view.FORMATS)
    days = within_days(within_text)
    check_period_options(period, from_text, to_text, previous)   # before the folder is read
    p = project(records_dir, at_text)
    chosen = report_period(p.at, p.tz, period, previous, from_text, to_text)
    # JSON: the engine writes the breaches where it reads them (on two cores, half in a child)
    numbers = kpis.report(p.records, chosen, p.at, days,
                          quarterly_view.breach_writer(p.tz) if fmt == "json" else None)
    if fmt == "pdf":
        data = pdf_bytes(quarterly_view.render_quarterly(p.records, numbers, "html", lang))
        emit(data, output, quarterly_view.output_name(chosen, fmt, lang))
        return
    text = (quarterly_view.json_text(p.records, numbers) if fmt == "json"   # written as it comes
            else quarterly_view.render_quarterly(p.records, numbers, fmt, lang))
    emit(text, output, quarterly_view.output_name(chosen, fmt, lang))


@report_group.command("inspection")
@click.argument("inspection_id", metavar="ID")
@records_option
@at_option
@report_format_option(*inspection_view.FORMATS)
@lang_option("Language of headings, labels and statuses (record text is shown as written).")
@output_option("report", "inspection-ID.LANG.FORMAT")
def inspection(inspection_id: str, records_dir: Any, at_text: str, fmt: str | None, lang: str,
               output: str | None) -> None:
    """The inspection report for the school: assets checked and their results,
    the problems (location, type, severity), the solution of each (action,
    owner, deadline), each rectification's status as of --at (open, closed on
    time, closed late, overdue) and the customer's sign-off.

    Templates: inspection.md.j2 / inspection.html.j2 in the records'
    templates/ folder replace the built-in ones, and may extend them as
    builtin/inspection.md.j2. The HTML is one self-contained page for A4;
    --format pdf lays it out with WeasyPrint (pip install 'aftersales[pdf]').

    \b
    Examples:
      aftersales report inspection INS-2026Q1
      aftersales report inspection INS-2026Q1 --lang zh --format pdf \\
          -o INS-2026Q1.pdf
    """
    fmt = document_format(fmt, output, inspection_view.FORMATS)
    p = project(records_dir, at_text)
    ins = p.records.inspections[resolve(inspection_id, p.records.inspections, "inspection")]
    if ins.date > p.today:
        raise UsageError(f"{ins.id} is dated {ins.date}, after --at {p.today}: it did not exist yet")
    name = f"inspection-{ins.id}.{lang}.{fmt}"
    if fmt == "pdf":
        emit(pdf_bytes(inspection_view.render(p.records, ins, p.today, lang, "html")), output, name)
        return
    emit(inspection_view.render(p.records, ins, p.today, lang, fmt), output, name)
