"""The pages without an account: a QR label's report form and the reporter's progress page.

Both take the key of their link (`?k=`, an HMAC of the id under the server's secret): a
forged or missing key is refused before anything is read. Ids from the URL are only ever
looked up among the ids of the records, never joined into a path.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, get_flashed_messages, redirect, render_template, request
from werkzeug.wrappers import Response

from aftersales.core import links
from aftersales.edit import intake
from aftersales.project import load_asset, load_ticket
from aftersales.store.spec import CATEGORIES, ID_PATTERN
from aftersales.views.labels import Names
from aftersales.views.progress import progress
from aftersales.web.service import Service

blueprint = Blueprint("public", __name__)

MAX = {"text": 300, "location": 100, "name": 40, "phone": 30}
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,28}$")
_ID = re.compile(ID_PATTERN)


def _service() -> Service:
    return current_app.extensions["aftersales"]


def _keyed(kind: str, ident: str, given: str | None) -> None:
    """403 unless `given` is the key of this record's link."""
    if not _ID.match(ident) or not links.is_key(_service().secret, kind, ident, given):
        abort(403, description="bad_link")


@blueprint.route("/r/<asset>", methods=["GET", "POST"])
def report(asset: str) -> Any:
    """The form of a QR label: what is wrong, a description, where, who; it opens a repair ticket."""
    service = _service()
    key = request.args.get("k") if request.method == "GET" else request.form.get("k")
    _keyed("asset", asset, key)
    folder = service.folder()
    if asset not in folder.index["asset"]:
        abort(404)
    settings, record = load_asset(service.root, asset, folder.index)
    names = Names(g.lang, settings)
    values = {"category": "", "text": "", "location": record.location, "name": "", "phone": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        address = request.remote_addr or "unknown"
        limits = settings.serve
        if not (service.intake_by_address.allow(address, limits.per_address)
                and service.intake_by_asset.allow(asset, limits.per_asset)):
            abort(429, description="too_many")
        values = {name: intake.one_line(request.form.get(name, "")) for name in values}
        errors = _problems(values)
        if not errors:
            received = intake.take(folder, intake.Report(asset, values["category"], values["text"],
                                                         values["location"], values["name"], values["phone"]))
            if not received.merged:
                service.commit([received.path], f"Report {received.ticket_id} about {asset} from its QR label",
                               (intake.BY, f"{intake.BY}@aftersales.invalid"))
            flash("merged" if received.merged else "received")
            return redirect(links.ticket_path(service.secret, received.ticket_id), code=303)
    categories = [(c, names("category", c)) for c in CATEGORIES]
    return render_template("report.html.j2", asset=record, area=names("area", record.area), key=key,
                           categories=categories, values=values, errors=errors, max=MAX,
                           hotline=settings.serve.hotline), 400 if errors else 200


def _problems(values: dict[str, str]) -> dict[str, str]:
    texts = g.L
    errors = {}
    if values["category"] not in CATEGORIES:
        errors["category"] = texts["choose_category"]
    for name in ("text", "phone"):
        if not values[name]:
            errors[name] = texts["required"]
    for name, most in MAX.items():
        if len(values[name]) > most:
            errors[name] = texts["too_long"].format(max=most)
    if values["phone"] and "phone" not in errors and not PHONE.match(values["phone"]):
        errors["phone"] = texts["bad_phone"]
    return errors


@blueprint.route("/t/<ticket>")
def follow(ticket: str) -> Any:
    """The reporter's progress page: the steps in plain words and the promises, nothing internal."""
    service = _service()
    _keyed("ticket", ticket, request.args.get("k"))
    if ticket not in service.folder().index["ticket"]:
        abort(404)
    one = load_ticket(service.root, ticket)
    shown = progress(one.ticket, one.asset, one.settings, service.now(one.settings), g.L)
    notes = [g.L[m] for m in get_flashed_messages() if m in ("received", "merged")]
    return render_template("progress.html.j2", p=shown, notes=notes, hotline=one.settings.serve.hotline)


@blueprint.route("/")
def home() -> Response:
    return redirect("/tickets")
