"""Who may do what: the permission matrix of the web app, role x route.

The routes check it (`staff.allowed`), the README's and docs/web.md's tables are made
from it, and the tests walk every cell of it with every role.
"""

from __future__ import annotations

from aftersales.edit.users import ROLES

STAFF = ROLES  # desk, engineer, manager, school
PUBLIC = "anyone"

# route -> the roles that may use it (PUBLIC: anyone, without signing in)
ROUTES: dict[str, tuple[str, ...]] = {
    "GET /r/<asset>?k=KEY": (PUBLIC,),
    "POST /r/<asset>": (PUBLIC,),
    "GET /t/<ticket>?k=KEY": (PUBLIC,),
    "GET POST /login": (PUBLIC,),
    "POST /logout": STAFF,
    "GET /tickets": STAFF,
    "GET /tickets/<ticket>": STAFF,
    "POST /tickets/<ticket>/log": ("desk", "engineer", "manager"),
    "GET POST /tickets/new": ("desk", "manager"),
    "GET /reports": ("manager", "school"),
    "GET /reports/quarterly/<period>.<lang>.<html|pdf>": ("manager", "school"),
    "GET /reports/inspection/<id>.<lang>.<html|pdf>": ("manager", "school"),
}

# What each role sees and does beyond the route itself.
SCOPE: dict[str, str] = {
    "desk": "every ticket, open ones by default, the most urgent first, with phone numbers",
    "engineer": "open tickets assigned to them or to nobody, with phone numbers",
    "manager": "every ticket, with phone numbers, and the reports",
    "school": "every ticket of the project without phone numbers or internal notes, read-only, and the reports",
}

# The event types each role may log from the ticket page (`reported` is `ticket open`'s).
EVENTS: dict[str, tuple[str, ...]] = {
    "desk": ("assigned", "responded", "callback", "note", "cancelled"),
    "engineer": ("responded", "arrived", "paused", "resumed", "workaround", "resolved", "note"),
    "manager": ("assigned", "responded", "arrived", "inspected", "workaround", "paused", "resumed", "escalated",
                "resolved", "accepted", "callback", "reopened", "cancelled", "note"),
    "school": (),
}

# Who sees whole phone numbers (the others see none).
SEES_PHONES = ("desk", "engineer", "manager")
SEES_NOTES = ("desk", "engineer", "manager")


def may(role: str | None, route: str) -> bool:
    allowed = ROUTES[route]
    return PUBLIC in allowed or role in allowed


def matrix() -> str:
    """The permission matrix as a Markdown table (for the README and docs/web.md)."""
    head = "| route | " + " | ".join(STAFF) + " | without an account |"
    rule = "|---|" + ":---:|" * (len(STAFF) + 1)
    rows = [head, rule]
    for route, roles in ROUTES.items():
        public = PUBLIC in roles
        cells = ["yes" if public or role in roles else "—" for role in STAFF]
        anyone = ("with the label's key" if route.startswith(("GET /r/", "POST /r/"))
                  else "with the ticket's key" if route.startswith("GET /t/") else "yes") if public else "—"
        rows.append(f"| `{route}` | " + " | ".join(cells) + f" | {anyone} |")
    rows.append("| events logged on `/tickets/<ticket>` | " + " | ".join(
        ", ".join(f"`{e}`" for e in EVENTS[role]) or "—" for role in STAFF) + " | — |")
    rows.append("| tickets shown | " + " | ".join(SCOPE[role] for role in STAFF) + " | — |")
    return "\n".join(rows)
