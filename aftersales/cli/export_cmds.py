"""`export`: every table of one or more records folders for spreadsheets, SQL and BI. Apart from
the parts commands (data_cmds) so that they start without the export's imports."""

from __future__ import annotations

from pathlib import Path

import click

from aftersales.cli.base import CONTEXT, Choice
from aftersales.cli.options import at_option, note, project, verbose_option
from aftersales.core.errors import UsageError
from aftersales.core.problems import Invalid
from aftersales.store.fileio import write_output
from aftersales.store.paths import ENV_VAR, SETTINGS_FILE, find_root
from aftersales.views import export, exportfiles
from aftersales.views.tables import table

SUFFIXES = {".xlsx": "xlsx", ".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite"}


@click.command("export", context_settings=CONTEXT)
@click.option("--records", "records_dirs", multiple=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="A records folder, or a folder holding several (one per contract); repeatable.  "
                   f"[default: ${ENV_VAR}, else the first folder up from here holding {SETTINGS_FILE}]")
@at_option
@click.option("--format", "fmt", type=Choice(exportfiles.FORMATS), default=None,
              help="xlsx (one sheet per table), csv or jsonl (a folder with one file per table), sqlite.  "
                   "[default: from the extension of -o: .xlsx, .sqlite or .db]")
@click.option("-o", "--output", required=True, metavar="PATH",
              help="The file (xlsx, sqlite) or folder (csv, jsonl) to write, atomically.")
@verbose_option
@click.option("--excel-bom", is_flag=True,
              help="csv: start each file with a UTF-8 byte-order mark, so Excel shows Chinese right.")
def export_command(records_dirs: tuple[Path, ...], at_text: str, fmt: str | None, output: str,
                   excel_bom: bool) -> None:
    """Export assets, tickets, events, SLA cycles, inspections, checks, findings,
    parts, part movements and maintenance slots for spreadsheets, SQL and BI.

    Every row carries its project (`project.id` in aftersales.yaml, else the
    records folder's name), so several contracts export into one set of
    tables: give --records several times, or a folder that holds the records
    folders. SLA cycles, maintenance slots and the other computed values are
    as of --at. The columns are documented in docs/export.md. Each records
    folder must validate.

    \b
    Examples:
      aftersales export -o service.xlsx
      aftersales export --format csv --excel-bom -o export/
      aftersales export --records contracts/ -o all-schools.sqlite --at 2026-10-01
      sqlite3 all-schools.sqlite "select project, count(*) from sla_cycles
          where target = 'on-site' and status = 'breached' group by project"
    """
    fmt = fmt or SUFFIXES.get(Path(output).suffix.lower())
    if fmt is None:
        raise UsageError("--format: say which (xlsx, csv, jsonl or sqlite); only .xlsx, .sqlite and .db "
                         "files tell it by their name")
    if excel_bom and fmt != "csv":
        raise UsageError("--excel-bom is for --format csv")
    sources = [_source(folder, at_text) for folder in record_folders(records_dirs)]
    seen: dict[str, Path] = {}
    for source in sources:
        if source.project_id in seen:
            raise UsageError(f"two records folders are project {source.project_id!r} ({seen[source.project_id]} "
                             f"and {source.project.root}): give each a `project.id` in {SETTINGS_FILE}")
        seen[source.project_id] = source.project.root
    data = export.build(sources)
    target = Path(output)
    if fmt in ("xlsx", "sqlite"):
        write_output(target, exportfiles.xlsx_bytes(data) if fmt == "xlsx" else exportfiles.sqlite_bytes(data))
    else:
        if target.exists() and not target.is_dir():
            raise UsageError(f"-o {output}: {fmt} writes one file per table into a folder, and this is a file")
        files = exportfiles.csv_files(data, excel_bom) if fmt == "csv" else exportfiles.jsonl_files(data)
        for name, content in files.items():
            write_output(target / name, content)
    click.echo(table([(t.name, len(data.rows[t.name])) for t in export.TABLES], ("table", "rows"),
                     ("left", "right")))
    note(f"wrote {output} ({len(sources)} project{'s' if len(sources) != 1 else ''}: "
         f"{', '.join(s.project_id for s in sources)})")


def record_folders(given: tuple[Path, ...]) -> list[Path]:
    """The records folders --records names: each one given, or those directly inside a folder that
    is not one itself; without --records, the one found as every command finds it."""
    if not given:
        return [find_root(None)]
    found: list[Path] = []
    for folder in given:
        if (folder / SETTINGS_FILE).is_file():
            found.append(folder)
            continue
        inside = sorted(p for p in folder.iterdir() if (p / SETTINGS_FILE).is_file()) if folder.is_dir() else []
        if not inside:
            raise UsageError(f"--records {folder}: neither a records folder (no {SETTINGS_FILE}) nor a folder "
                             "holding records folders")
        found += inside
    unique: dict[Path, Path] = {}
    for folder in found:
        unique.setdefault(folder.resolve(), folder)
    return list(unique.values())


def _source(folder: Path, at_text: str) -> export.Source:
    try:
        p = project(folder, at_text)
    except Invalid as exc:
        raise Invalid(exc.problems, f"{folder}: {exc}") from None
    return export.Source(p.settings.project_id or p.root.name, p)
