"""Who may do what: the permission matrix of the web app, role x route.

Every route of the app is a row (its method and Flask rule): the staff routes look their
roles up here on each request (`staff.signed_in`), the README's and docs/web.md's tables
are made from it, and the tests walk every cell with every role.
"""

from __future__ import annotations

from aftersales.edit.users import ROLES

STAFF = ROLES  # desk, engineer, manager, school
PUBLIC = "anyone"

# "METHOD rule" -> the roles that may use it (PUBLIC: anyone, without signing in)
ROUTES: dict[str, tuple[str, ...]] = {
    "GET /r/<asset>": (PUBLIC,),
    "POST /r/<asset>": (PUBLIC,),
    "GET /t/<ticket>": (PUBLIC,),
    "GET /login": (PUBLIC,),
    "POST /login": (PUBLIC,),
    "GET /": (PUBLIC,),
    "GET /static/<path:filename>": (PUBLIC,),
    "POST /logout": STAFF,
    "GET /tickets": STAFF,
    "GET /tickets/<ticket_id>": STAFF,
    "POST /tickets/<ticket_id>/log": ("desk", "engineer", "manager"),
    "GET /tickets/new": ("desk", "manager"),
    "POST /tickets/new": ("desk", "manager"),
    "GET /reports": ("manager", "school"),
    "GET /reports/quarterly/<period>.<lang>.<fmt>": ("manager", "school"),
    "GET /reports/inspection/<inspection_id>.<lang>.<fmt>": ("manager", "school"),
}
KEYED = {"GET /r/<asset>": "the label's key", "POST /r/<asset>": "the label's key",
         "GET /t/<ticket>": "the ticket's key"}

# What each role sees of the tickets.
SCOPE: dict[str, str] = {
    "desk": "all (open ones unless asked), most urgent first; phone numbers",
    "engineer": "open ones assigned to them or to nobody; phone numbers",
    "manager": "all; phone numbers",
    "school": "all, read-only, without phone numbers or internal notes",
}

# The event types each role may log from the ticket page (`reported` is `ticket open`'s).
EVENTS: dict[str, tuple[str, ...]] = {
    "desk": ("assigned", "responded", "informed", "callback", "message", "note", "cancelled"),
    "engineer": ("responded", "diagnosed", "arrived", "informed", "paused", "resumed", "workaround", "resolved",
                 "revisit", "note"),
    "manager": ("assigned", "responded", "diagnosed", "arrived", "inspected", "informed", "workaround", "paused",
                "resumed", "escalated", "resolved", "accepted", "callback", "message", "revisit", "reopened",
                "cancelled", "note"),
    "school": (),
}

SEES_PHONES = ("desk", "engineer", "manager")
SEES_NOTES = ("desk", "engineer", "manager")


def may(role: str | None, route: str) -> bool:
    """Whether `role` (None: not signed in) may use `route` ("METHOD rule")."""
    allowed = ROUTES[route]
    return PUBLIC in allowed or role in allowed


def matrix() -> str:
    """The permission matrix as a Markdown table (for the README and docs/web.md)."""
    rows = ["| route | " + " | ".join(STAFF) + " | no account |", "|---|" + ":---:|" * (len(STAFF) + 1)]
    for route, roles in ROUTES.items():
        public = PUBLIC in roles
        cells = ["yes" if public or role in roles else "—" for role in STAFF]
        anyone = (f"with {KEYED[route]}" if route in KEYED else "yes") if public else "—"
        rows.append(f"| `{route}` | " + " | ".join(cells) + f" | {anyone} |")
    rows.append("| events they log | " + " | ".join(
        ", ".join(f"`{e}`" for e in EVENTS[role]) or "—" for role in STAFF) + " | — |")
    rows.append("| tickets they see | " + " | ".join(SCOPE[role] for role in STAFF) + " | — |")
    return "\n".join(rows)
