"""Reports for the school and for management."""

from __future__ import annotations

import click

from aftersales.cli import CONTEXT, cli
from aftersales.views import quarterly as quarterly_report
from aftersales.views.templating import LANGUAGES, output_file, write_output

from .options import (
    at_option,
    document_format,
    load_valid,
    records_option,
    report_format_option,
    within_days,
    within_days_option,
)


@cli.group("report", context_settings=CONTEXT)
def report_group() -> None:
    """Reports for the school and for management."""


@report_group.command("quarterly")
@click.argument("period_name", metavar="[PERIOD]", required=False)
@click.option("--previous", is_flag=True, help="The last complete quarter before --at.")
@click.option("--from", "from_text", metavar="DATE", help="First day of a custom period.")
@click.option("--to", "to_text", metavar="DATE", help="Last day of a custom period (included).")
@records_option
@at_option
@report_format_option("md", "html", "json")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Report language: English or Simplified Chinese.")
@click.option("-o", "--output", type=click.Path(), metavar="PATH",
              help="Write to this file, or into this folder as quarterly-PERIOD.LANG.FORMAT "
                   "(atomically). Default: standard output.")
@within_days_option
def quarterly(period_name, previous, from_text, to_text, records_dir, at_text, fmt, lang, output,
              within_text) -> None:
    """The quarterly service report: requests, SLA, quality, maintenance, warranty, parts.

    Every number is defined in the README ("What the reports count"). The
    same records and --at give byte-identical output. Exits 1, writing
    nothing, when the records do not validate.

    \b
    Examples:
      aftersales report quarterly 2026Q3
      aftersales report quarterly --previous --format html --lang zh -o reports/
      aftersales report quarterly --from 2026-01-01 --to 2026-06-30 --format json
    """
    fmt = document_format(fmt, output, ("md", "html", "json"))
    days = within_days(within_text)
    loaded, at = load_valid(records_dir, at_text)
    records = loaded.records
    tz = records.settings.tz
    period = quarterly_report.period_for(at, tz, period_name, previous, from_text, to_text)
    report = quarterly_report.build(records, period, at, days)
    text = quarterly_report.render_quarterly(records, report, fmt, lang)
    path = output_file(output, quarterly_report.output_name(period, fmt, lang))  # raw text: keeps a "/"
    if path is None:
        click.echo(text, nl=False)
    else:
        write_output(text, path)
        click.echo(f"wrote {path}", err=True)
