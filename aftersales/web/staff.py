"""The staff pages, signed in: the ticket board, a ticket with the forms to log work, a new
ticket, and the reports. Who may use which route is `permissions.ROUTES`; what each role
sees of a ticket is decided here, from `permissions` too.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
)
from werkzeug.wrappers import Response

from aftersales.core import links
from aftersales.core.errors import AftersalesError, UsageError
from aftersales.core.model import Ticket
from aftersales.core.times import parse_instant, parse_past_instant, previous_quarter, quarter, quarter_of
from aftersales.edit import tickets as writers
from aftersales.edit.intake import one_line
from aftersales.edit.users import MAX_PASSWORD, User, authenticate
from aftersales.engine import kpis
from aftersales.project import load_ticket
from aftersales.store import spec
from aftersales.store.spec import CATEGORIES, CHANNELS, EVENT, KINDS, KINDS_WITH_ASSET, SEVERITIES, event_fields
from aftersales.views import inspection as inspection_view
from aftersales.views import quarterly as quarterly_view
from aftersales.views.fmt import short
from aftersales.views.labels import LANGUAGES, Names
from aftersales.views.labelsheet import to_pdf
from aftersales.views.progress import assignee, board, clocks, visible_to_engineer
from aftersales.web import security
from aftersales.web.permissions import EVENTS, SEES_NOTES, SEES_PHONES, may
from aftersales.web.service import LOGIN_FAILURES, SESSION_SECONDS, Service

blueprint = Blueprint("staff", __name__)
F = TypeVar("F", bound=Callable[..., Any])

MAX_NOTE = 500
QUARTERS_LISTED = 4


def _service() -> Service:
    return current_app.extensions["aftersales"]


def current_user() -> User | None:
    """The signed-in account: it must still exist with the password it signed in with, and the
    sign-in must be less than a working day old."""
    service = _service()
    name, version, since = session.get("user"), session.get("v"), session.get("t")
    user = service.users().get(name) if isinstance(name, str) else None
    if user is None or user.version != version or not isinstance(since, (int, float)):
        return None
    if service.signed_out(session.get("sid")):
        return None
    if not 0 <= time.time() - since <= SESSION_SECONDS:
        return None
    return user


def signed_in(view: F) -> F:
    """The view needs a signed-in account whose role the permission matrix allows on this
    route and method (`permissions.ROUTES`)."""
    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return redirect(f"/login?next={quote(request.path)}", code=303)
        g.user = user
        rule = request.url_rule.rule if request.url_rule else request.path
        if not may(user.role, f"{request.method} {rule}"):
            abort(403)
        return view(*args, **kwargs)
    return checked  # type: ignore[return-value]


# --- signing in -------------------------------------------------------------------------

@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    service = _service()
    target = _local(request.values.get("next", ""))
    if request.method == "GET":
        return render_template("login.html.j2", next=target, name="", error="")
    name = request.form.get("name", "").strip()[:64]
    password = request.form.get("password", "")[:MAX_PASSWORD + 1]
    address = f"address:{request.remote_addr}"
    account = f"account:{name.lower()}"
    failures = service.failed_logins
    if failures.full(account, LOGIN_FAILURES) or failures.full(address, LOGIN_FAILURES):
        minutes = max(1, round(max(failures.wait(account), failures.wait(address)) / 60))
        return security.error_page(429, "too_many_logins", minutes=minutes)
    user = authenticate(service.users(), name, password)
    if user is None:
        failures.add(account)
        failures.add(address)
        return render_template("login.html.j2", next=target, name=name, error=g.L["wrong_login"]), 401
    failures.clear(account)
    session.clear()   # nothing of the anonymous session carries over into the signed-in one
    session.permanent = True
    session.update({"user": user.name, "v": user.version, "t": int(time.time()), "sid": secrets.token_urlsafe(16)})
    return redirect(target or "/tickets", code=303)


def _local(target: str) -> str:
    """A path on this site to go back to after signing in, never another site."""
    if target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target and \
            all(c.isprintable() for c in target):
        return target
    return ""


@blueprint.route("/logout", methods=["POST"])
@signed_in
def logout() -> Response:
    _service().sign_out(session.get("sid"), session.get("t"))   # a copy of the cookie no longer signs in
    session.clear()
    return redirect("/login", code=303)


# --- tickets ----------------------------------------------------------------------------

@blueprint.route("/tickets")
@signed_in
def ticket_board() -> Any:
    project = _service().project()
    user: User = g.user
    records = project.records
    show_all = request.args.get("all") == "1" and user.role != "engineer"
    chosen = [t for t in records.tickets_as_of(project.at)
              if (visible_to_engineer(t, user.name) if user.role == "engineer" else show_all or t.status == "open")]
    names = Names(g.lang, records.settings)
    rows = board(records, chosen, project.at, names, g.L)
    title = g.L["my_tickets"] if user.role == "engineer" else g.L["all_tickets" if show_all else "open_tickets"]
    return render_template("tickets.html.j2", rows=rows, title=title, show_all=show_all, names=names,
                           messages=get_flashed_messages(), refresh=user.role in ("desk", "manager"))


def _ticket_for(user: User, ticket_id: str) -> Ticket:
    """The ticket as this account may see it: 404 when there is none, 403 when the role may not."""
    service = _service()
    if ticket_id not in service.folder().index["ticket"]:
        abort(404)
    ticket = load_ticket(service.root, ticket_id).ticket
    if user.role == "engineer" and not visible_to_engineer(ticket, user.name):
        abort(403)
    return ticket


@blueprint.route("/tickets/<ticket_id>")
@signed_in
def ticket_page(ticket_id: str) -> Any:
    user: User = g.user
    _ticket_for(user, ticket_id)
    project = _service().project()
    records = project.records
    ticket = records.tickets[ticket_id].as_of(project.at)
    if ticket is None:
        abort(404)
    names = Names(g.lang, records.settings)
    asset = records.assets.get(ticket.asset or "")
    reporter = ticket.reporter
    phone = (reporter.phone or "") if reporter and user.role in SEES_PHONES else ""
    events = [e for e in ticket.events if user.role in SEES_NOTES or e.type != "note"]
    tz = records.settings.tz
    return render_template(
        "ticket.html.j2", t=ticket, asset=asset, names=names, phone=phone, progress_link=_progress_link(ticket.id),
        events=events, show_notes=user.role in SEES_NOTES, short=lambda i: short(i, tz),
        clocks=clocks(ticket, records, project.at), assignee=assignee(ticket), forms=_forms(user.role),
        parts=sorted(records.parts.values(), key=lambda p: p.id), engineers=_engineers(),
        messages=get_flashed_messages(), now=project.at.strftime("%Y-%m-%dT%H:%M"))


def _progress_link(ticket_id: str) -> str:
    """The reporter's progress page of a ticket, for the desk to send by text message."""
    service = _service()
    base = service.settings().serve.base_url or request.host_url.rstrip("/")
    return base + links.ticket_path(service.secret, ticket_id)


def _engineers() -> list[str]:
    return sorted(u.name for u in _service().users().values() if u.role == "engineer")


def _forms(role: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """For each event type the role may log: the inputs of its form, made from the field spec (a
    field added to the spec gets its input at once)."""
    carried = event_fields()
    return [(kind, [_widget(name, EVENT.fields[name].type) for name in (*carried[kind], "note")])
            for kind in EVENTS.get(role, ())]


def _widget(name: str, kind: spec.Type) -> dict[str, Any]:
    if isinstance(kind, spec.ListOf):
        return {"name": name, "widget": "parts"}
    if isinstance(kind, spec.Instant):
        return {"name": name, "widget": "instant"}
    if isinstance(kind, spec.Choice):
        return {"name": name, "widget": "choice", "choices": kind.choices}
    if isinstance(kind, spec.Integer):
        return {"name": name, "widget": "integer", "min": kind.minimum, "max": kind.maximum}
    if isinstance(kind, spec.Number):
        return {"name": name, "widget": "number", "min": kind.minimum}
    return {"name": name, "widget": "text"}


@blueprint.route("/tickets/<ticket_id>/log", methods=["POST"])
@signed_in
def log(ticket_id: str) -> Response:
    service = _service()
    user: User = g.user
    event_type = request.form.get("type", "")
    if event_type not in EVENTS[user.role]:
        abort(403)
    ticket = _ticket_for(user, ticket_id)
    folder = service.folder()
    settings = folder.settings
    now = service.now(settings)
    try:
        event = {"type": event_type, "by": user.name, **_event_values(folder, event_type, now)}
        done = writers.log_event(folder, ticket.id, event)
    except AftersalesError as exc:
        flash(g.L["not_saved"].format(reason=_clipped(exc)))
        return redirect(f"/tickets/{ticket.id}", code=303)
    service.commit([done.path], f"{ticket.id}: {event_type} (web, {user.name})", user.author)
    flash(g.L["logged"].format(ticket=ticket.id, event=event_type, status=g.L[f"status_{done.ticket.status}"]))
    if user.role == "engineer" and not visible_to_engineer(done.ticket, user.name):
        return redirect("/tickets", code=303)
    return redirect(f"/tickets/{ticket.id}", code=303)


def _clipped(exc: Exception, most: int = 600) -> str:
    """A refusal short enough for the session cookie that carries it to the next page."""
    text = str(exc)
    return text if len(text) <= most else text[:most] + " …"


def _event_values(folder: writers.Folder, event_type: str, now: dt.datetime) -> dict[str, Any]:
    """The fields of the form as event fields: times in the project time zone, parts as {part, qty}."""
    tz = folder.settings.tz
    form = request.form
    at_text = form.get("at", "").strip()
    values: dict[str, Any] = {"at": parse_past_instant(at_text, tz, now) if at_text else None}
    for name in (*event_fields()[event_type], "note"):
        kind = EVENT.fields[name].type
        if isinstance(kind, spec.ListOf):
            uses = [_part_use(folder, part, qty) for part, qty in zip(form.getlist("part"), form.getlist("qty"),
                                                                         strict=False) if part or qty]
            if uses:
                values[name] = uses
            continue
        raw = one_line(form.get(name, ""))
        if not raw:
            continue
        if len(raw) > MAX_NOTE:
            raise UsageError(f"{name}: at most {MAX_NOTE} characters")
        values[name] = _typed(name, kind, raw, tz)
    return values


def _typed(name: str, kind: spec.Type, raw: str, tz: Any) -> Any:
    try:
        if isinstance(kind, spec.Instant):
            return parse_instant(raw, tz)
        if isinstance(kind, spec.Integer):
            return int(raw)
        if isinstance(kind, spec.Number):
            number = float(raw)
            return int(number) if number.is_integer() else number
    except ValueError:
        raise UsageError(f"{name}: {raw!r} is not a number") from None
    if isinstance(kind, spec.Choice) and raw not in kind.choices:
        raise UsageError(f"{name}: {raw!r} is not one of {', '.join(kind.choices)}")
    return raw


def _part_use(folder: writers.Folder, part: str, qty: str) -> dict[str, Any]:
    if part not in folder.index["part"]:
        raise UsageError(f"no part {part!r}")
    return writers.parse_part(f"{part}:{qty.strip()}")


@blueprint.route("/tickets/new", methods=["GET", "POST"])
@signed_in
def new_ticket() -> Any:
    service = _service()
    user: User = g.user
    folder = service.folder()
    settings = folder.settings
    fields = ("kind", "asset", "category", "severity", "channel", "summary", "location", "name", "phone")
    values = {name: one_line(request.form.get(name, "")) for name in fields}
    if request.method == "POST":
        try:
            ticket_id, path = _open(folder, values, user)
        except AftersalesError as exc:
            flash(g.L["not_saved"].format(reason=_clipped(exc)))
        else:
            service.commit([path], f"Open {ticket_id} (web, {user.name})", user.author)
            flash(g.L["opened"].format(ticket=ticket_id))
            return redirect(f"/tickets/{ticket_id}", code=303)
    names = Names(g.lang, settings)
    assets = sorted(folder.index["asset"])
    values["channel"] = values["channel"] or "phone"
    return render_template("new_ticket.html.j2", values=values, kinds=KINDS, assets=assets, names=names,
                           categories=CATEGORIES, severities=SEVERITIES, channels=CHANNELS,
                           messages=get_flashed_messages()), 400 if request.method == "POST" else 200


def _open(folder: writers.Folder, values: dict[str, str], user: User) -> tuple[str, Any]:
    kind = values["kind"]
    if kind not in KINDS:
        raise UsageError(f"kind: choose one of {', '.join(KINDS)}")
    if kind in KINDS_WITH_ASSET and not values["asset"]:
        raise UsageError(f"asset: required for a {kind} ticket")
    if values["asset"] and values["asset"] not in folder.index["asset"]:
        raise UsageError(f"no asset {values['asset']!r}")
    if not values["summary"]:
        raise UsageError("summary: required")
    for name, choices in (("category", CATEGORIES), ("severity", SEVERITIES), ("channel", CHANNELS)):
        if values[name] and values[name] not in choices:
            raise UsageError(f"{name}: {values[name]!r} is not one of {', '.join(choices)}")
    for name, value in values.items():
        if len(value) > MAX_NOTE:
            raise UsageError(f"{name}: at most {MAX_NOTE} characters")
    reporter = {k: v for k, v in (("name", values["name"]), ("phone", values["phone"])) if v}
    fields = {"asset": values["asset"] or None, "category": values["category"] or None,
              "severity": values["severity"] or None, "channel": values["channel"] or None,
              "location": values["location"] or None, "reporter": reporter or None}
    return writers.open_ticket(folder, kind, values["summary"], None, user.name, fields)


# --- reports ----------------------------------------------------------------------------

def _pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        return False
    return True


@blueprint.route("/reports")
@signed_in
def reports() -> Any:
    project = _service().project()
    tz = project.tz
    current = quarter_of(project.today, tz)
    periods = [current]
    for _ in range(QUARTERS_LISTED - 1):
        periods.append(previous_quarter(periods[-1].start, tz))
    inspections = sorted((i for i in project.records.inspections.values() if i.date <= project.today),
                         key=lambda i: (i.date, i.id), reverse=True)
    formats = ("html", "pdf") if _pdf_available() else ("html",)
    languages = sorted(LANGUAGES, key=lambda lang: lang != g.lang)   # the page's language first
    return render_template("reports.html.j2", periods=[p.name for p in periods], inspections=inspections,
                           languages=languages, formats=formats)


@blueprint.route("/reports/quarterly/<period>.<lang>.<fmt>")
@signed_in
def quarterly_report(period: str, lang: str, fmt: str) -> Response:
    if lang not in LANGUAGES or fmt not in ("html", "pdf"):
        abort(404)
    project = _service().project()
    try:
        chosen = quarter(period, project.tz)
    except UsageError:
        abort(404)
    numbers = kpis.report(project.records, chosen, project.at)
    html = quarterly_view.render_quarterly(project.records, numbers, "html", lang)
    return _document(html, fmt, quarterly_view.output_name(chosen, fmt, lang))


@blueprint.route("/reports/inspection/<inspection_id>.<lang>.<fmt>")
@signed_in
def inspection_report(inspection_id: str, lang: str, fmt: str) -> Response:
    if lang not in LANGUAGES or fmt not in ("html", "pdf"):
        abort(404)
    project = _service().project()
    found = project.records.inspections.get(inspection_id)
    if found is None or found.date > project.today:
        abort(404)
    html = inspection_view.render(project.records, found, project.today, lang, "html")
    return _document(html, fmt, f"inspection-{found.id}.{lang}.{fmt}")


def _document(html: str, fmt: str, name: str) -> Response:
    if fmt == "pdf":
        if not _pdf_available():
            abort(404)
        response = Response(to_pdf(html), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    g.inline_styles = security.inline_styles(html)
    return Response(html, mimetype="text/html")
