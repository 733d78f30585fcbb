"""The web app's commands: `serve` (the app), `labels` (QR label sheets) and `user` (accounts)."""

from __future__ import annotations

import gc
import ipaddress
import sys
from typing import Any

import click

from aftersales.cli.base import CONTEXT, DEFAULT_GC, Choice
from aftersales.cli.options import note, output_path, project, records_option, verbose_option
from aftersales.core import collector, links
from aftersales.core.errors import UsageError
from aftersales.core.ids import resolve
from aftersales.edit import users as accounts
from aftersales.store.fileio import write_output
from aftersales.views import labelsheet
from aftersales.views.labels import LANGUAGES

WEB_EXTRA = "pip install 'aftersales[web]'"


def users_option(func: Any) -> Any:
    return click.option("--users", "users_file", metavar="PATH",
                        help=f"The accounts file, outside the records folder (default: ${accounts.USERS_VAR}).")(func)


@click.command("serve", context_settings=CONTEXT)
@records_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep 127.0.0.1 behind a reverse proxy on the same machine.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True, help="Port to listen on.")
@users_option
@click.option("--commit", is_flag=True,
              help="Make each write a git commit in the records repository, authored by the signed-in "
                   "account (or web-intake for QR reports).")
@click.option("--proxies", type=click.IntRange(0, 5), default=0, show_default=True,
              help="How many reverse proxies are in front: their X-Forwarded-For and X-Forwarded-Proto are "
                   "believed (client addresses for the limits, https for Secure cookies).")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Requests served at the same time.")
def serve(records_dir: Any, host: str, port: int, users_file: str | None, commit: bool, proxies: int,
          threads: int) -> None:
    """Serve the web app: QR reports, progress pages and the staff pages.

    Needs the web extra (pip install 'aftersales[web]') and a secret of at
    least 32 random characters in $AFTERSALES_SERVE_SECRET (QR labels and
    sign-ins depend on it; keep it out of the records). Put it behind a TLS
    reverse proxy (docs/web.md). Every write goes through the same writers as
    `ticket open` and `ticket log`.

    \b
    Examples:
      export AFTERSALES_SERVE_SECRET=$(python -c "import secrets; print(secrets.token_urlsafe(32))")
      aftersales serve --records school-records --users /etc/aftersales/users.yaml
      aftersales serve --commit --proxies 1 --port 8080
    """
    try:
        from aftersales.web import create_app, server
    except ImportError:
        raise UsageError(f"`aftersales serve` needs the web extra: {WEB_EXTRA}") from None
    # a server lives on: it collects as usual (see `cli.main`), what it reads included
    gc.set_threshold(*DEFAULT_GC)
    collector.lives_on()
    app = create_app(records_dir, users_file, commit=commit, proxies=proxies)
    root = app.extensions["aftersales"].root
    if not _loopback(host) and not proxies:
        click.echo(f"warning: listening on {host} without a proxy: anything sent to the app crosses the network "
                   "unencrypted; put it behind a TLS reverse proxy (docs/web.md)", err=True)
    click.echo(f"serving {root} on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    server.run(app, host, port, threads, proxies)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("labels", context_settings=CONTEXT)
@records_option
@click.option("--area", "areas", multiple=True, metavar="AREA", help="Only the assets of this area (repeatable).")
@click.option("--asset", "assets", multiple=True, metavar="ID", help="Only this asset (repeatable).")
@click.option("--format", "fmt", type=Choice(labelsheet.FORMATS), default=None,
              help="html / pdf.  [default: the extension of -o, else html]")
@click.option("--lang", type=Choice(LANGUAGES), default=None,
              help="Language of the labels.  [default: serve.language]")
@verbose_option
@click.option("-o", "--output", type=click.Path(), metavar="PATH",
              help="Write the sheets to this file, or into this folder as labels.LANG.FORMAT (atomically). "
                   "Default: standard output (HTML only).")
def labels(records_dir: Any, areas: tuple[str, ...], assets: tuple[str, ...], fmt: str | None, lang: str | None,
           output: str | None) -> None:
    """Print QR label sheets: A4 pages of labels, one per asset.

    Each label has the QR code of the asset's report page (serve.base_url,
    with a key made from $AFTERSALES_SERVE_SECRET), its address in small
    print for those who cannot scan, the asset's name and location and
    serve.hotline. PDF needs WeasyPrint (pip install 'aftersales[pdf]').
    Changing the secret makes every printed label invalid.

    \b
    Examples:
      aftersales labels -o labels.html
      aftersales labels --area auditorium --format pdf -o labels/
      aftersales labels --asset AUD-CHAIR-A --lang en -o chair.pdf
    """
    fmt = fmt or _extension(output) or "html"
    if fmt == "pdf" and output is None:
        raise UsageError("a PDF goes to a file: give -o FILE")
    secret = links.secret_from_env()
    p = project(records_dir)
    unknown = [a for a in areas if a not in p.settings.areas]
    if unknown:
        raise UsageError(f"no area {unknown[0]!r}; areas are {', '.join(p.settings.areas)}")
    chosen_ids = [resolve(a, p.records.assets, "asset") for a in assets]
    chosen = labelsheet.choose(p.records, areas, chosen_ids)
    language = lang or p.settings.serve.language
    html = labelsheet.render_sheet(p.records, chosen, secret, language)
    path = output_path(output, f"labels.{language}.{fmt}")
    if path is None:
        click.echo(html, nl=False)
        return
    write_output(path, labelsheet.to_pdf(html) if fmt == "pdf" else html.encode("utf-8"))
    note(f"wrote {path} ({len(chosen)} label{'s' if len(chosen) != 1 else ''})")


def _extension(output: str | None) -> str | None:
    if not output or output.endswith(("/", "\\")):
        return None
    suffix = output.rsplit(".", 1)[-1].lower() if "." in output else ""
    return suffix if suffix in labelsheet.FORMATS else None


# --- accounts ---------------------------------------------------------------------------

@click.group("user", context_settings=CONTEXT)
def user_group() -> None:
    """Accounts of the web app's staff pages (a file outside the records)."""


def _password(password_stdin: bool) -> str:
    """A new password: one line of standard input, or typed twice, hidden, on a terminal."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the password on: use --password-stdin")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=Choice(accounts.ROLES), required=True,
              help="desk: opens tickets, sees them all; engineer: logs work on their own and unassigned tickets; "
                   "manager: everything and the reports; school: reads tickets (no phone numbers) and reports.")
@click.option("--email", metavar="ADDRESS", help="Email of the git commits of this account's web work.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@users_option
def user_add(name: str, role: str, email: str | None, password_stdin: bool, users_file: str | None) -> None:
    """Add an account; the password is asked twice (hidden) or read with --password-stdin.

    NAME is how the account appears in the records (`by: eng-zhang`), so use
    the names the team already writes. Passwords are stored as scrypt hashes.

    \b
    Examples:
      aftersales user add eng-zhang --role engineer --users /etc/aftersales/users.yaml
      echo "$PASSWORD" | aftersales user add school-office --role school --password-stdin
    """
    path = accounts.users_path(users_file)
    accounts.check_name(name)
    if email is not None and not accounts.EMAIL.match(email):
        raise UsageError(f"--email {email!r} is not an email address")
    accounts.add_user(path, name, role, _password(password_stdin), email or "")
    click.echo(f"added {name} ({role}) to {path}", err=True)


@user_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@users_option
def user_passwd(name: str, password_stdin: bool, users_file: str | None) -> None:
    """Set a new password; the account's open sessions end.

    \b
    Examples:
      aftersales user passwd eng-zhang --users /etc/aftersales/users.yaml
    """
    path = accounts.users_path(users_file)
    accounts.set_password(path, name, _password(password_stdin))
    click.echo(f"set a new password for {name}", err=True)


@user_group.command("remove")
@click.argument("name")
@users_option
def user_remove(name: str, users_file: str | None) -> None:
    """Remove an account; its open sessions end.

    \b
    Examples:
      aftersales user remove eng-zhang --users /etc/aftersales/users.yaml
    """
    accounts.remove_user(accounts.users_path(users_file), name)
    click.echo(f"removed {name}", err=True)


@user_group.command("list")
@users_option
def user_list(users_file: str | None) -> None:
    """List the accounts and their roles.

    \b
    Examples:
      aftersales user list --users /etc/aftersales/users.yaml
    """
    for user in sorted(accounts.read_users(accounts.users_path(users_file)).values(), key=lambda u: u.name):
        click.echo(f"{user.name}\t{user.role}" + (f"\t{user.email}" if user.email else ""))
