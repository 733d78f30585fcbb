"""The SLA engine against hand-computed scenarios and properties, under the shipped default policy.

Default policy (aftersales/default_settings.yaml), project time zone Asia/Shanghai (+08:00):
  response      30m for emergencies, else critical 2h / high 2h / normal 4h   (always)
  on-site       critical 4h / high 4h / normal 8h                             (always)
  resolution    8h, pausable, agreed: workaround                              (always)
  callback      24h from `resolved`                                           (always)
  return-inspection  3d for returns and exchanges, on `workdays` (Mon-Fri, 2026 China holidays, whole days)
Areas: lobby critical; classroom, auditorium high; office, dorm, bookbar normal.

Every expected value below was worked out by hand; the arithmetic is in the comment of each row.
2026-03-02 is a Monday; 2026-03-07 a Saturday; 2026-09-30 a Wednesday; 2026-10-10 a Saturday
(make-up working day); 2026-09-20 a Sunday (make-up working day).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sla_fixtures import SH, E, World, make_records, when

from aftersales.core.model import Event, Ticket, Where
from aftersales.engine import sla

H = 3600
M = 60


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(make_records(tmp_path_factory.mktemp("sla") / "records"))


# --- the table of scenarios --------------------------------------------------------------------

R = E("03-02 09:00", "reported")  # Monday 09:00: the start of most scenarios


class Row(NamedTuple):
    name: str
    events: list
    target: str
    status: str
    deadline: str | None   # local Shanghai time, or None
    elapsed: int
    allowed: int
    stop: str | None = None
    cycle: int = 1
    at: str = "2026-12-31 00:00"
    fields: dict = {}  # noqa: RUF012  (a NamedTuple default, never mutated)


ROWS = [
    # --- the boundary: exactly at the deadline is met, one second / minute after is breached ---
    # office = normal -> response 4h: 09:00 + 4h = 13:00; 09:00 -> 13:00 = 4h = 14400 s
    Row("response exactly at the deadline", [R, E("03-02 13:00", "responded")],
        "response", "met", "03-02 13:00", 4 * H, 4 * H, stop="03-02 13:00"),
    # 09:00 -> 13:00:01 = 14401 s > 14400
    Row("response one second late", [R, E("03-02 13:00:01", "responded")],
        "response", "breached", "03-02 13:00", 4 * H + 1, 4 * H, stop="03-02 13:00:01"),
    # 09:00 -> 13:01 = 4h 1m = 14460 s
    Row("response one minute late", [R, E("03-02 13:01", "responded")],
        "response", "breached", "03-02 13:00", 4 * H + M, 4 * H, stop="03-02 13:01"),
    # a stop at the start instant: 0 s counted
    Row("response at the very start", [R, E("03-02 09:00", "responded")],
        "response", "met", "03-02 13:00", 0, 4 * H, stop="03-02 09:00"),
    # the first of [responded, arrived, resolved] stops it: arrived 10:00 (1h), not responded 11:00
    Row("response stopped by the first stop event", [R, E("03-02 10:00", "arrived"), E("03-02 11:00", "responded")],
        "response", "met", "03-02 13:00", 1 * H, 4 * H, stop="03-02 10:00"),
    # on-site normal 8h: 09:00 + 8h = 17:00
    Row("on-site exactly at the deadline", [R, E("03-02 17:00", "arrived")],
        "on-site", "met", "03-02 17:00", 8 * H, 8 * H, stop="03-02 17:00"),
    Row("on-site one minute late", [R, E("03-02 17:01", "arrived")],
        "on-site", "breached", "03-02 17:00", 8 * H + M, 8 * H, stop="03-02 17:01"),
    # fixed by phone: `resolved` stops on-site too (10:00 - 09:00 = 1h)
    Row("on-site stopped by resolved", [R, E("03-02 10:00", "resolved")],
        "on-site", "met", "03-02 17:00", 1 * H, 8 * H, stop="03-02 10:00"),
    # resolution 8h: 17:00
    Row("resolution exactly at the deadline", [R, E("03-02 17:00", "resolved")],
        "resolution", "met", "03-02 17:00", 8 * H, 8 * H, stop="03-02 17:00"),
    Row("resolution one second late", [R, E("03-02 17:00:01", "resolved")],
        "resolution", "breached", "03-02 17:00", 8 * H + 1, 8 * H, stop="03-02 17:00:01"),
    # callback 24h from resolved 10:00 -> 03-03 10:00; 24h = 86400 s
    Row("callback exactly at the deadline", [R, E("03-02 10:00", "resolved"), E("03-03 10:00", "callback")],
        "callback", "met", "03-03 10:00", 24 * H, 24 * H, stop="03-03 10:00"),
    Row("callback one second late", [R, E("03-02 10:00", "resolved"), E("03-03 10:00:01", "callback")],
        "callback", "breached", "03-03 10:00", 24 * H + 1, 24 * H, stop="03-03 10:00:01"),
    # --- priority and severity ---
    # emergency -> response 30m whatever the area: 09:00 + 30m = 09:30 (1800 s)
    Row("emergency: 30m response, met at 09:30", [R, E("03-02 09:30", "responded")],
        "response", "met", "03-02 09:30", 30 * M, 30 * M, stop="03-02 09:30", fields={"severity": "emergency"}),
    # 09:00 -> 09:31 = 31m = 1860 s
    Row("emergency: 30m response, breached at 09:31", [R, E("03-02 09:31", "responded")],
        "response", "breached", "03-02 09:30", 31 * M, 30 * M, stop="03-02 09:31",
        fields={"severity": "emergency"}),
    # emergency changes only the response target: on-site stays normal 8h -> 17:00
    Row("emergency: on-site keeps the priority's 8h", [R, E("03-02 17:00", "arrived")],
        "on-site", "met", "03-02 17:00", 8 * H, 8 * H, stop="03-02 17:00", fields={"severity": "emergency"}),
    # urgent is not emergency: normal 4h
    Row("urgent severity: the priority's 4h", [R, E("03-02 13:00", "responded")],
        "response", "met", "03-02 13:00", 4 * H, 4 * H, stop="03-02 13:00", fields={"severity": "urgent"}),
    # lobby = critical -> 2h: 11:00
    Row("lobby: critical, 2h response", [R, E("03-02 11:00:01", "responded")],
        "response", "breached", "03-02 11:00", 2 * H + 1, 2 * H, stop="03-02 11:00:01",
        fields={"asset": "LOBBY-1"}),
    # lobby asset, ticket priority normal -> 4h: 13:00 met (under critical it would be breached)
    Row("ticket priority overrides the lobby's", [R, E("03-02 13:00", "responded")],
        "response", "met", "03-02 13:00", 4 * H, 4 * H, stop="03-02 13:00",
        fields={"asset": "LOBBY-1", "priority": "normal"}),
    # ... and on-site becomes normal 8h too: 17:00
    Row("ticket priority overrides the lobby's (on-site)", [R, E("03-02 17:00", "arrived")],
        "on-site", "met", "03-02 17:00", 8 * H, 8 * H, stop="03-02 17:00",
        fields={"asset": "LOBBY-1", "priority": "normal"}),
    # office asset, ticket priority critical -> 2h: 11:00; 11:01 is 2h 1m = 7260 s
    Row("ticket priority critical in an office", [R, E("03-02 11:01", "responded")],
        "response", "breached", "03-02 11:00", 2 * H + M, 2 * H, stop="03-02 11:01",
        fields={"priority": "critical"}),
    # classroom = high -> 2h, on-site 4h: 13:00
    Row("classroom: high, 4h on-site", [R, E("03-02 13:00", "arrived")],
        "on-site", "met", "03-02 13:00", 4 * H, 4 * H, stop="03-02 13:00", fields={"asset": "CLASS-1"}),
    # the ticket's own area (lobby, critical) wins over the office asset's area: 2h
    Row("ticket area overrides the asset's", [R, E("03-02 11:00", "responded")],
        "response", "met", "03-02 11:00", 2 * H, 2 * H, stop="03-02 11:00", fields={"area": "lobby"}),
    # --- pauses (resolution only) ---
    # 09:00 -> 15:00 = 6h counted; paused 15:00 -> 03-03 09:00 (18h) not counted; 2h left -> 03-03 11:00
    Row("pause across a night, resolved at the pushed deadline",
        [R, E("03-02 15:00", "paused", reason="等待配件"), E("03-03 09:00", "resumed"), E("03-03 11:00", "resolved")],
        "resolution", "met", "03-03 11:00", 8 * H, 8 * H, stop="03-03 11:00"),
    # same, resolved 11:01: 6h + 2h 1m = 8h 1m = 28860 s
    Row("pause across a night, resolved a minute late",
        [R, E("03-02 15:00", "paused"), E("03-03 09:00", "resumed"), E("03-03 11:01", "resolved")],
        "resolution", "breached", "03-03 11:00", 8 * H + M, 8 * H, stop="03-03 11:01"),
    # still paused at 03-03 08:00: 6h counted; the deadline is unknown (None) while paused
    Row("pause still open: paused, no deadline",
        [R, E("03-02 15:00", "paused")],
        "resolution", "paused", None, 6 * H, 8 * H, at="2026-03-03 08:00"),
    # paused 18:00, after the deadline 17:00: still breached; counted 09:00 -> 18:00 = 9h (the pause does not count)
    Row("pause opened after the deadline: breached",
        [R, E("03-02 18:00", "paused")],
        "resolution", "breached", "03-02 17:00", 9 * H, 8 * H, at="2026-03-03 08:00"),
    # paused exactly at the deadline 17:00 (8h used): the deadline stays 17:00, 8h counted, breached next morning
    Row("pause opened exactly at the deadline: breached once past it",
        [R, E("03-02 17:00", "paused")],
        "resolution", "breached", "03-02 17:00", 8 * H, 8 * H, at="2026-03-03 08:00"),
    # a pause open at the stop ends at the stop: paused 15:00 (6h used) -> resolved 03-03 10:00; deadline would
    # be 03-03 10:00 + 2h = 12:00; counted 6h
    Row("pause open at the stop ends there",
        [R, E("03-02 15:00", "paused"), E("03-03 10:00", "resolved")],
        "resolution", "met", "03-03 12:00", 6 * H, 8 * H, stop="03-03 10:00"),
    # two pauses 10-11 and 12-14 (3h): 8h + 3h -> 20:00; resolved 20:00 = met, counted 11h - 3h = 8h
    Row("two pauses",
        [R, E("03-02 10:00", "paused"), E("03-02 11:00", "resumed"), E("03-02 12:00", "paused"),
         E("03-02 14:00", "resumed"), E("03-02 20:00", "resolved")],
        "resolution", "met", "03-02 20:00", 8 * H, 8 * H, stop="03-02 20:00"),
    # counted at 17:00 with a 12-14 pause: 3h + 3h = 6h = 0.75 x 8h -> at risk; deadline 17:00 + 2h = 19:00
    Row("at risk counts without the pause",
        [R, E("03-02 12:00", "paused"), E("03-02 14:00", "resumed")],
        "resolution", "at-risk", "03-02 19:00", 6 * H, 8 * H, at="2026-03-02 17:00"),
    # response is not pausable: the 10-12 pause counts; 09:00 -> 13:30 = 4h 30m = 16200 s
    Row("a pause does not stop a non-pausable clock",
        [R, E("03-02 10:00", "paused"), E("03-02 12:00", "resumed"), E("03-02 13:30", "responded")],
        "response", "breached", "03-02 13:00", 4 * H + 30 * M, 4 * H, stop="03-02 13:30"),
    # --- agreed workarounds ---
    # workaround 12:00 (before 17:00) until 03-04 12:00: deadline 03-04 12:00.
    # counted 03-02 09:00 -> 03-04 12:00 = 48h + 3h = 51h = 183600 s; allowed the same
    Row("workaround before the deadline, resolved by until",
        [R, E("03-02 12:00", "workaround", until="03-04 12:00"), E("03-04 12:00", "resolved")],
        "resolution", "met", "03-04 12:00", 51 * H, 51 * H, stop="03-04 12:00"),
    # resolved 03-04 12:05: 51h 5m = 183900 s
    Row("workaround before the deadline, resolved after until",
        [R, E("03-02 12:00", "workaround", until="03-04 12:00"), E("03-04 12:05", "resolved")],
        "resolution", "breached", "03-04 12:00", 51 * H + 5 * M, 51 * H, stop="03-04 12:05"),
    # workaround exactly at the deadline 17:00 counts: until 03-03 17:00 (32h allowed); resolved 03-03 16:00 (31h)
    Row("workaround exactly at the deadline",
        [R, E("03-02 17:00", "workaround", until="03-03 17:00"), E("03-03 16:00", "resolved")],
        "resolution", "met", "03-03 17:00", 31 * H, 32 * H, stop="03-03 16:00"),
    # one second after the deadline: changes nothing; 03-03 16:00 is 31h after the start, 8h allowed
    Row("workaround one second after the deadline",
        [R, E("03-02 17:00:01", "workaround", until="03-03 17:00"), E("03-03 16:00", "resolved")],
        "resolution", "breached", "03-02 17:00", 31 * H, 8 * H, stop="03-03 16:00"),
    # workaround 18:00, after 17:00: still breached; resolved 03-03 10:00 = 25h = 90000 s
    Row("workaround after the deadline: still breached",
        [R, E("03-02 18:00", "workaround", until="03-04 12:00"), E("03-03 10:00", "resolved")],
        "resolution", "breached", "03-02 17:00", 25 * H, 8 * H, stop="03-03 10:00"),
    # an agreed deadline is a fixed instant: later pauses do not move it (README). Workaround 10:00 until
    # 03-03 09:00; paused 12:00 (3h counted) -> resumed 03-03 10:00; resolved 11:00: after `until`, breached.
    # counted 3h + 1h = 4h; allowed = 09:00 -> 03-03 09:00 (24h) less the paused 12:00 -> 09:00 (21h) = 3h
    Row("a pause after an agreed workaround does not move `until`",
        [R, E("03-02 10:00", "workaround", until="03-03 09:00"), E("03-02 12:00", "paused"),
         E("03-03 10:00", "resumed"), E("03-03 11:00", "resolved")],
        "resolution", "breached", "03-03 09:00", 4 * H, 3 * H, stop="03-03 11:00"),
    # the same, still paused at 03-03 12:00, past `until`: breached (elapsed == allowed == 3h, the pause counts
    # for neither)
    Row("still paused past an agreed `until`: breached",
        [R, E("03-02 10:00", "workaround", until="03-03 09:00"), E("03-02 12:00", "paused")],
        "resolution", "breached", "03-03 09:00", 3 * H, 3 * H, at="2026-03-03 12:00"),
    # ... and at 03-03 08:00, before `until`: paused, the fixed deadline shown
    Row("paused before an agreed `until`: paused",
        [R, E("03-02 10:00", "workaround", until="03-03 09:00"), E("03-02 12:00", "paused")],
        "resolution", "paused", "03-03 09:00", 3 * H, 3 * H, at="2026-03-03 08:00"),
    # two workarounds: 12:00 until 03-03 12:00, then 03-03 11:00 (before 03-03 12:00) until 03-05 09:00.
    # counted 03-02 09:00 -> 03-05 09:00 = 72h = 259200 s
    Row("two workarounds, the second renegotiated in time",
        [R, E("03-02 12:00", "workaround", until="03-03 12:00"),
         E("03-03 11:00", "workaround", until="03-05 09:00"), E("03-05 09:00", "resolved")],
        "resolution", "met", "03-05 09:00", 72 * H, 72 * H, stop="03-05 09:00"),
    # the second at 03-03 13:00 comes after the agreed 03-03 12:00: it changes nothing.
    # allowed 03-02 09:00 -> 03-03 12:00 = 27h = 97200; counted to 03-05 09:00 = 72h
    Row("two workarounds, the second too late",
        [R, E("03-02 12:00", "workaround", until="03-03 12:00"),
         E("03-03 13:00", "workaround", until="03-05 09:00"), E("03-05 09:00", "resolved")],
        "resolution", "breached", "03-03 12:00", 72 * H, 27 * H, stop="03-05 09:00"),
    # paused 10:00 (1h used) -> resumed 03-03 09:00: deadline 03-03 09:00 + 7h = 16:00; a workaround at
    # 03-02 20:00 (inside the pause, after the unpaused 17:00) is before that: until 03-04 09:00 holds.
    # counted 03-02 09:00 -> 03-04 09:00 = 48h less the 23h pause = 25h = 90000 s, allowed the same
    Row("workaround inside a pause counts as before the deadline",
        [R, E("03-02 10:00", "paused"), E("03-02 20:00", "workaround", until="03-04 09:00"),
         E("03-03 09:00", "resumed"), E("03-04 09:00", "resolved")],
        "resolution", "met", "03-04 09:00", 25 * H, 25 * H, stop="03-04 09:00"),
    # --- cancelling ---
    # cancelled 14:00: response deadline 13:00 had passed -> breached; 09:00 -> 14:00 = 5h
    Row("cancel after the response deadline: breached", [R, E("03-02 14:00", "cancelled")],
        "response", "breached", "03-02 13:00", 5 * H, 4 * H, stop="03-02 14:00"),
    # ... on-site deadline 17:00 had not: void
    Row("cancel before the on-site deadline: void", [R, E("03-02 14:00", "cancelled")],
        "on-site", "void", "03-02 17:00", 5 * H, 8 * H, stop="03-02 14:00"),
    Row("cancel before the resolution deadline: void", [R, E("03-02 14:00", "cancelled")],
        "resolution", "void", "03-02 17:00", 5 * H, 8 * H, stop="03-02 14:00"),
    # exactly at the deadline 13:00 the deadline has not passed (deadline < cancel is false): void
    Row("cancel exactly at the deadline: void", [R, E("03-02 13:00", "cancelled")],
        "response", "void", "03-02 13:00", 4 * H, 4 * H, stop="03-02 13:00"),
    # paused 10:00 (1h used), cancelled 03-03 10:00: the pause ends at the cancel, deadline 03-03 10:00 + 7h
    Row("cancel while paused: void",
        [R, E("03-02 10:00", "paused"), E("03-03 10:00", "cancelled")],
        "resolution", "void", "03-03 17:00", 1 * H, 8 * H, stop="03-03 10:00"),
    # --- openings: reopen ---
    # opening 1: reported 09:00, responded 09:30 (30m), arrived 11:00, resolved 12:00
    # opening 2: reopened 03-03 10:00, responded 03-03 15:00
    Row("reopen: response of opening 1",
        [R, E("03-02 09:30", "responded"), E("03-02 11:00", "arrived"), E("03-02 12:00", "resolved"),
         E("03-03 10:00", "reopened"), E("03-03 15:00", "responded")],
        "response", "met", "03-02 13:00", 30 * M, 4 * H, stop="03-02 09:30", at="2026-03-03 16:00"),
    # cycle 2 starts at `reopened` 03-03 10:00: deadline 14:00; responded 15:00 = 5h
    Row("reopen: cycle 2 starts at reopened",
        [R, E("03-02 09:30", "responded"), E("03-02 11:00", "arrived"), E("03-02 12:00", "resolved"),
         E("03-03 10:00", "reopened"), E("03-03 15:00", "responded")],
        "response", "breached", "03-03 14:00", 5 * H, 4 * H, stop="03-03 15:00", cycle=2,
        at="2026-03-03 16:00"),
    # on-site cycle 2: 10:00 -> 16:00 = 6h = 0.75 x 8h: at risk; deadline 18:00
    Row("reopen: on-site cycle 2 at risk",
        [R, E("03-02 09:30", "responded"), E("03-02 11:00", "arrived"), E("03-02 12:00", "resolved"),
         E("03-03 10:00", "reopened"), E("03-03 15:00", "responded")],
        "on-site", "at-risk", "03-03 18:00", 6 * H, 8 * H, cycle=2, at="2026-03-03 16:00"),
    # callback 1: resolved 12:00 -> due 03-03 12:00; the reopen at 03-03 10:00 ends it before: void (22h)
    Row("reopen before the callback deadline: callback 1 void",
        [R, E("03-02 09:30", "responded"), E("03-02 11:00", "arrived"), E("03-02 12:00", "resolved"),
         E("03-03 10:00", "reopened"), E("03-03 15:00", "responded")],
        "callback", "void", "03-03 12:00", 22 * H, 24 * H, stop="03-03 10:00", at="2026-03-03 16:00"),
    # reopen at 03-03 13:00, after the callback deadline 12:00: breached (25h)
    Row("reopen after the callback deadline: callback 1 breached",
        [R, E("03-02 12:00", "resolved"), E("03-03 13:00", "reopened")],
        "callback", "breached", "03-03 12:00", 25 * H, 24 * H, stop="03-03 13:00"),
    # reopen exactly at the callback deadline: void, as for a cancel
    Row("reopen exactly at the callback deadline: void",
        [R, E("03-02 12:00", "resolved"), E("03-03 12:00", "reopened")],
        "callback", "void", "03-03 12:00", 24 * H, 24 * H, stop="03-03 12:00"),
    # callback 2 runs from the second `resolved` (03-03 14:00): due 03-04 14:00, met exactly
    Row("reopen: callback cycle 2 from the second resolved",
        [R, E("03-02 12:00", "resolved"), E("03-03 10:00", "reopened"), E("03-03 14:00", "resolved"),
         E("03-04 14:00", "callback")],
        "callback", "met", "03-04 14:00", 24 * H, 24 * H, stop="03-04 14:00", cycle=2),
    # a callback before the reopen stops callback 1 normally: 12:00 -> 16:00 = 4h
    Row("callback before a reopen is met",
        [R, E("03-02 12:00", "resolved"), E("03-02 16:00", "callback"), E("03-03 10:00", "reopened")],
        "callback", "met", "03-03 12:00", 4 * H, 24 * H, stop="03-02 16:00"),
    # cancelled, then reopened: cycle 1 void at the cancel (1h), cycle 2 from reopened 03-03 09:00 -> 09:30
    Row("cancel then reopen: cycle 1 void",
        [R, E("03-02 10:00", "cancelled"), E("03-03 09:00", "reopened"), E("03-03 09:30", "responded")],
        "response", "void", "03-02 13:00", 1 * H, 4 * H, stop="03-02 10:00"),
    Row("cancel then reopen: cycle 2 met",
        [R, E("03-02 10:00", "cancelled"), E("03-03 09:00", "reopened"), E("03-03 09:30", "responded")],
        "response", "met", "03-03 13:00", 30 * M, 4 * H, stop="03-03 09:30", cycle=2),
    # arrived/resolved of opening 1 do not stop on-site cycle 2: from 03-03 09:00, at 12:00 3h of 8h, running
    Row("a stop event of an earlier opening does not stop a later cycle",
        [R, E("03-02 10:00", "arrived"), E("03-02 11:00", "resolved"), E("03-03 09:00", "reopened")],
        "on-site", "running", "03-03 17:00", 3 * H, 8 * H, cycle=2, at="2026-03-03 12:00"),
    # as of 03-03 09:00 the reopen (10:00) has not happened: callback 1 still runs, 12:00 -> 09:00 = 21h of 24h
    Row("as of before a reopen: callback 1 still running",
        [R, E("03-02 12:00", "resolved"), E("03-03 10:00", "reopened")],
        "callback", "at-risk", "03-03 12:00", 21 * H, 24 * H, at="2026-03-03 09:00"),
    # a workaround agreed in opening 1 does not carry into opening 2: 03-03 09:00 + 8h = 17:00; resolved 18:00
    Row("an agreed workaround belongs to its opening",
        [R, E("03-02 12:00", "workaround", until="03-04 12:00"), E("03-02 13:00", "resolved"),
         E("03-03 09:00", "reopened"), E("03-03 18:00", "resolved")],
        "resolution", "breached", "03-03 17:00", 9 * H, 8 * H, stop="03-03 18:00", cycle=2),
    # resolved while paused (10:00, 1h used): the pause ends at 11:00, deadline 11:00 + 7h = 18:00, met, 1h;
    # the later reopen does not touch the stopped cycle
    Row("resolved while paused, then reopened",
        [R, E("03-02 10:00", "paused"), E("03-02 11:00", "resolved"), E("03-03 09:00", "reopened")],
        "resolution", "met", "03-02 18:00", 1 * H, 8 * H, stop="03-02 11:00"),
    # a pause still open at a cancellation ends there: paused 10:00 (1h used), cancelled 03-03 09:00 ends it
    # and the clock: deadline 03-03 09:00 + 7h = 16:00, not passed: void; 1h counted
    Row("a pause open at a cancellation ends there",
        [R, E("03-02 10:00", "paused"), E("03-03 09:00", "cancelled")],
        "resolution", "void", "03-03 16:00", 1 * H, 8 * H, stop="03-03 09:00"),
    # --- as of an instant ---
    # reported 09:00, responded 13:30 (deadline 13:00). At 11:59:59: 2h 59m 59s < 0.75 x 4h = 3h: running
    Row("as of: running", [R, E("03-02 13:30", "responded")],
        "response", "running", "03-02 13:00", 3 * H - 1, 4 * H, at="2026-03-02 11:59:59"),
    # at 12:00: 3h = 0.75 x 4h: at risk
    Row("as of: at risk from 75 %", [R, E("03-02 13:30", "responded")],
        "response", "at-risk", "03-02 13:00", 3 * H, 4 * H, at="2026-03-02 12:00"),
    # at 13:00, exactly the deadline, still running: at risk, not breached
    Row("as of: exactly at the deadline, not yet breached", [R, E("03-02 13:30", "responded")],
        "response", "at-risk", "03-02 13:00", 4 * H, 4 * H, at="2026-03-02 13:00"),
    # at 13:00:01, running past the deadline: breached, no stop yet
    Row("as of: running past the deadline", [R, E("03-02 13:30", "responded")],
        "response", "breached", "03-02 13:00", 4 * H + 1, 4 * H, at="2026-03-02 13:00:01"),
    # at 13:30, the `responded` event at that very instant counts: stopped, 4h 30m
    Row("as of: the stop event at the instant itself", [R, E("03-02 13:30", "responded")],
        "response", "breached", "03-02 13:00", 4 * H + 30 * M, 4 * H, stop="03-02 13:30", at="2026-03-02 13:30"),
    # at the report instant: 0 counted
    Row("as of: the report instant", [R, E("03-02 13:30", "responded")],
        "response", "running", "03-02 13:00", 0, 4 * H, at="2026-03-02 09:00"),
    # as of 03-02 16:00 the workaround (03-02 18:00) and the resolve have not happened yet: 7h of 8h, at risk
    Row("as of: a later workaround is ignored",
        [R, E("03-02 18:00", "workaround", until="03-04 12:00"), E("03-03 10:00", "resolved")],
        "resolution", "at-risk", "03-02 17:00", 7 * H, 8 * H, at="2026-03-02 16:00"),
    # as of 03-03 08:00 the cancel at 03-03 10:00 has not happened: 23h counted, breached and running
    Row("as of: a later cancel is ignored", [R, E("03-03 10:00", "cancelled")],
        "on-site", "breached", "03-02 17:00", 23 * H, 8 * H, at="2026-03-03 08:00"),
    # --- whole working days (return-inspection 3d on `workdays`) ---
    # Wed 09-30 10:00; 10-01..10-07 holidays; Thu 10-08 (1), Fri 10-09 (2), Sat 10-10 make-up (3)
    # -> deadline 10-11 00:00. Counted: 09-30 10:00-24:00 = 14h, + 3 x 24h = 86h = 309600 s
    Row("return before the National Day week: inspected at the deadline",
        [E("09-30 10:00", "reported"), E("10-11 00:00", "inspected", verdict="accept")],
        "return-inspection", "met", "10-11 00:00", 86 * H, 86 * H, stop="10-11 00:00", fields={"kind": "return"}),
    # a minute before: 86h - 1m
    Row("return before the National Day week: a minute early",
        [E("09-30 10:00", "reported"), E("10-10 23:59", "inspected", verdict="accept")],
        "return-inspection", "met", "10-11 00:00", 86 * H - M, 86 * H, stop="10-10 23:59",
        fields={"kind": "return"}),
    # a minute after: breached, though Sunday 10-11 is not working time (still 86h counted)
    Row("return before the National Day week: a minute late",
        [E("09-30 10:00", "reported"), E("10-11 00:01", "inspected", verdict="accept")],
        "return-inspection", "breached", "10-11 00:00", 86 * H, 86 * H, stop="10-11 00:01",
        fields={"kind": "return"}),
    # holidays do not count: inspected Thu 10-08 09:00 = 14h (09-30) + 9h (10-08) = 23h
    Row("return: the holiday week is not counted",
        [E("09-30 10:00", "reported"), E("10-08 09:00", "inspected", verdict="accept")],
        "return-inspection", "met", "10-11 00:00", 23 * H, 86 * H, stop="10-08 09:00", fields={"kind": "return"}),
    # reported Saturday 03-07: Mon 03-09 (1), Tue (2), Wed 03-11 (3) -> 03-12 00:00; 72h allowed;
    # inspected Wed 16:00 = 24 + 24 + 16 = 64h
    Row("return reported on a Saturday",
        [E("03-07 10:00", "reported"), E("03-11 16:00", "inspected", verdict="accept")],
        "return-inspection", "met", "03-12 00:00", 64 * H, 72 * H, stop="03-11 16:00", fields={"kind": "return"}),
    # exchange reported Saturday 09-19: Sunday 09-20 is a make-up working day (1), Mon 09-21 (2), Tue 09-22 (3)
    # -> 09-23 00:00; inspected Tue 12:00 = 24 + 24 + 12 = 60h
    Row("exchange reported the day before a make-up Sunday",
        [E("09-19 10:00", "reported"), E("09-22 12:00", "inspected", verdict="accept")],
        "return-inspection", "met", "09-23 00:00", 60 * H, 72 * H, stop="09-22 12:00",
        fields={"kind": "exchange"}),
    # Thu 09-24 10:00; Fri 09-25 .. Sun 09-27 Mid-Autumn holidays; Mon 09-28 (1), 09-29 (2), 09-30 (3) ->
    # 10-01 00:00; 14h + 72h = 86h. At 10-01 00:00 still running at the deadline: 86h counted, at risk
    Row("return before the Mid-Autumn holidays, not inspected by the deadline",
        [E("09-24 10:00", "reported")],
        "return-inspection", "at-risk", "10-01 00:00", 86 * H, 86 * H, at="2026-10-01 00:00",
        fields={"kind": "return"}),
    # one second later: breached, though no working time passed (10-01 is a holiday)
    Row("return before the Mid-Autumn holidays, breached at 00:00:01",
        [E("09-24 10:00", "reported")],
        "return-inspection", "breached", "10-01 00:00", 86 * H, 86 * H, at="2026-10-01 00:00:01",
        fields={"kind": "return"}),
    # reported on a holiday, Sat 10-03: 10-08 (1), 10-09 (2), 10-10 (3) -> 10-11 00:00; 72h
    Row("return reported during the holiday week",
        [E("10-03 10:00", "reported"), E("10-09 10:00", "inspected", verdict="accept")],
        "return-inspection", "met", "10-11 00:00", 34 * H, 72 * H, stop="10-09 10:00", fields={"kind": "return"}),
    # reported at 00:00 Wed 03-04: the start day still does not count: Thu (1), Fri (2), Mon 03-09 (3)
    # -> 03-10 00:00; counted 24h (Wed) + 72h = 96h
    Row("return reported at midnight: the start day does not count",
        [E("03-04 00:00", "reported"), E("03-10 00:00", "inspected", verdict="accept")],
        "return-inspection", "met", "03-10 00:00", 96 * H, 96 * H, stop="03-10 00:00", fields={"kind": "return"}),
    # reported Fri 03-06 23:59: Mon (1), Tue (2), Wed 03-11 (3) -> 03-12 00:00; 1m + 72h
    Row("return reported a minute before midnight",
        [E("03-06 23:59", "reported")],
        "return-inspection", "running", "03-12 00:00", M, 72 * H + M, at="2026-03-07 12:00",
        fields={"kind": "return"}),
    # a cancelled return: void before the deadline
    Row("return cancelled before the deadline",
        [E("03-07 10:00", "reported"), E("03-09 10:00", "cancelled")],
        "return-inspection", "void", "03-12 00:00", 10 * H, 72 * H, stop="03-09 10:00", fields={"kind": "return"}),
    # --- complaint on a Saturday: only the callback applies, and weekends count on `always` ---
    # resolved Sat 03-07 15:00 -> callback due Sun 03-08 15:00; exactly then: met, 24h
    Row("complaint reported on a Saturday",
        [E("03-07 10:00", "reported"), E("03-07 15:00", "resolved"), E("03-08 15:00", "callback")],
        "callback", "met", "03-08 15:00", 24 * H, 24 * H, stop="03-08 15:00",
        fields={"kind": "complaint", "asset": None}),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_scenario(world: World, row: Row) -> None:
    fields = dict(row.fields)
    cycle = world.cycle(row.events, row.target, row.cycle, at=row.at, **fields)
    got = (cycle.status, cycle.deadline, cycle.stop, cycle.elapsed, cycle.allowed)
    expected = (row.status, when(row.deadline) if row.deadline else None, when(row.stop) if row.stop else None,
                row.elapsed, row.allowed)
    assert got == expected


# --- which cycles exist ------------------------------------------------------------------------

def targets_of(cycles: list[sla.Cycle]) -> list[tuple[str, int]]:
    return sorted((c.target, c.cycle) for c in cycles)


def test_repair_without_resolve_has_no_callback(world: World) -> None:
    cycles = world.cycles([R, E("03-02 09:30", "responded")], at="2026-03-03 00:00")
    assert targets_of(cycles) == [("on-site", 1), ("resolution", 1), ("response", 1)]


def test_inquiry_has_no_clock(world: World) -> None:
    assert world.cycles([R, E("03-02 10:00", "note")], kind="inquiry", asset=None) == []


def test_complaint_has_only_the_callback(world: World) -> None:
    events = [E("03-07 10:00", "reported"), E("03-07 15:00", "resolved")]
    assert targets_of(world.cycles(events, kind="complaint", asset=None)) == [("callback", 1)]


def test_return_has_only_the_inspection(world: World) -> None:
    assert targets_of(world.cycles([E("03-07 10:00", "reported")], kind="return")) == [("return-inspection", 1)]


def test_ticket_reported_after_at_has_no_cycles(world: World) -> None:
    assert world.cycles([R, E("03-02 09:30", "responded")], at="2026-03-02 08:59:59") == []


def test_ticket_reported_at_the_instant_exists(world: World) -> None:
    cycles = world.cycles([R], at="2026-03-02 09:00")
    assert {(c.target, c.status, c.elapsed) for c in cycles} == {
        ("response", "running", 0), ("on-site", "running", 0), ("resolution", "running", 0)}


def test_reopen_cycles_and_the_events_that_stopped_them(world: World) -> None:
    events = [R, E("03-02 09:30", "responded"), E("03-02 11:00", "arrived"), E("03-02 12:00", "resolved"),
              E("03-03 10:00", "reopened"), E("03-03 15:00", "responded")]
    got = {(c.target, c.cycle): (c.start_event, c.stop_event, c.status)
           for c in world.cycles(events, at="2026-03-03 16:00")}
    assert got == {
        ("response", 1): ("reported", "responded", "met"),
        ("on-site", 1): ("reported", "arrived", "met"),
        ("resolution", 1): ("reported", "resolved", "met"),
        ("callback", 1): ("resolved", "reopened", "void"),
        ("response", 2): ("reopened", "responded", "breached"),
        ("on-site", 2): ("reopened", None, "at-risk"),
        ("resolution", 2): ("reopened", None, "at-risk"),
    }


def test_cancel_stops_every_running_clock(world: World) -> None:
    cycles = world.cycles([R, E("03-02 14:00", "cancelled")])
    assert {(c.target, c.stop_event, c.status) for c in cycles} == {
        ("response", "cancelled", "breached"), ("on-site", "cancelled", "void"),
        ("resolution", "cancelled", "void")}


def test_workaround_explain_fields(world: World) -> None:
    """The agreed and the late workaround are kept apart, with the target's own deadline."""
    events = [R, E("03-02 12:00", "workaround", until="03-03 12:00"),
              E("03-03 13:00", "workaround", until="03-05 09:00"), E("03-05 09:00", "resolved")]
    cycle = world.cycle(events, "resolution")
    assert cycle.base_deadline == when("03-02 17:00")
    assert [e.until for e in cycle.agreed] == [when("03-03 12:00")]
    assert [e.until for e in cycle.late_workarounds] == [when("03-05 09:00")]


def test_workaround_on_a_target_without_agreed_changes_nothing(world: World) -> None:
    # response has no `agreed`: 09:00 + 4h = 13:00 whatever the workaround says
    events = [R, E("03-02 10:00", "workaround", until="03-04 12:00"), E("03-02 14:00", "responded")]
    cycle = world.cycle(events, "response")
    assert (cycle.status, cycle.deadline) == ("breached", when("03-02 13:00"))


def test_workaround_while_still_paused(world: World) -> None:
    """Paused 10:00 (1h used, the pause still open), workaround 03-03 20:00 until 03-05 09:00.

    While paused any workaround counts as before the deadline, so `until` is agreed; as of 03-04 09:00 the
    clock is still paused with 1h counted.
    """
    events = [R, E("03-02 10:00", "paused"), E("03-03 20:00", "workaround", until="03-05 09:00")]
    cycle = world.cycle(events, "resolution", at="2026-03-04 09:00")
    assert (cycle.status, cycle.elapsed) == ("paused", 1 * H)
    assert [e.until for e in cycle.agreed] == [when("03-05 09:00")]
    # an agreed deadline is a fixed instant (README): it is shown even while paused (see the report: the
    # README's "a paused clock has no deadline yet (JSON null)" does not say what happens here)
    assert cycle.deadline == when("03-05 09:00")
    # resolved 03-05 08:00 while still paused: the pause ends there; before `until`: met, 1h counted
    done = world.cycle([*events, E("03-05 08:00", "resolved")], "resolution")
    assert (done.status, done.deadline, done.elapsed) == ("met", when("03-05 09:00"), 1 * H)


def test_explain_a_paused_clock_with_an_agreed_deadline(world: World) -> None:
    from aftersales.views.explain import explain

    events = [R, E("03-02 10:00", "workaround", until="03-03 09:00"), E("03-02 12:00", "paused")]
    cycle = world.cycle(events, "resolution", at="2026-03-03 08:00")
    last = explain(cycle, world.engine.calendars["always"], when("03-03 08:00"))[-1]
    assert "2026-03-03 09:00" in last and "moves on" not in last


def test_as_of_the_future_changes_nothing(world: World) -> None:
    events = [R, E("03-02 09:30", "responded"), E("03-02 11:00", "arrived"), E("03-02 12:00", "resolved"),
              E("03-02 16:00", "callback")]
    ticket = world.ticket(events)
    assert world.engine.cycles(ticket, when("2026-03-02 16:00")) == world.engine.cycles(ticket, when("2030-01-01"))


def test_nd_on_always_is_n_times_24h(world: World) -> None:
    # the same return target on `always`: Sat 03-07 10:00 + 3 x 24h = Tue 03-10 10:00
    targets = tuple(dataclasses.replace(t, calendar="always") if t.id == "return-inspection" else t
                    for t in world.settings.targets)
    engine = sla.Engine(dataclasses.replace(world.settings, targets=targets), world.records.assets)
    ticket = world.ticket([E("03-07 10:00", "reported"), E("03-10 10:00", "inspected", verdict="accept")],
                          kind="return")
    (cycle,) = engine.cycles(ticket, when("2026-12-31 00:00"))
    assert (cycle.status, cycle.deadline, cycle.elapsed, cycle.allowed) == (
        "met", when("03-10 10:00"), 72 * H, 72 * H)


def test_nd_on_a_calendar_with_hours_ends_at_midnight(world: World) -> None:
    # workdays narrowed to 08:30-12:00 and 13:30-17:30 (7.5h a day). Reported Fri 03-06 16:00: Mon 03-09 (1),
    # Tue (2), Wed 03-11 (3) -> 24:00 of Wed = 03-12 00:00, not 17:30. allowed: Fri 16:00-17:30 = 1.5h, plus
    # 3 x 7.5h = 22.5h: 24h. Inspected Wed 18:00 (after hours, before 24:00): met, all 24h counted
    hours = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))
    calendars = {k: dataclasses.replace(v, hours=hours) for k, v in world.settings.calendars.items()}
    engine = sla.Engine(dataclasses.replace(world.settings, calendars=calendars), world.records.assets)
    ticket = world.ticket([E("03-06 16:00", "reported"), E("03-11 18:00", "inspected", verdict="accept")],
                          kind="return")
    (cycle,) = engine.cycles(ticket, when("2026-12-31 00:00"))
    assert (cycle.status, cycle.deadline, cycle.elapsed, cycle.allowed) == (
        "met", when("03-12 00:00"), 24 * H, 24 * H)


def test_at_risk_share_comes_from_the_settings(world: World) -> None:
    # at_risk 0.5: 2h of 4h is at risk; at 0.75 it is running
    engine = sla.Engine(dataclasses.replace(world.settings, at_risk=0.5), world.records.assets)
    ticket = world.ticket([R])
    (response,) = [c for c in engine.cycles(ticket, when("03-02 11:00")) if c.target == "response"]
    assert response.status == "at-risk"
    (response,) = [c for c in world.engine.cycles(ticket, when("03-02 11:00")) if c.target == "response"]
    assert response.status == "running"


def test_explain_a_return_reported_on_a_saturday(world: World) -> None:
    from aftersales.views.explain import explain

    cycle = world.cycle([E("03-07 10:00", "reported"), E("03-11 16:00", "inspected", verdict="accept")],
                        "return-inspection", kind="return")
    lines = [line.strip() for line in explain(cycle, world.engine.calendars["workdays"], when("03-12 12:00"))]
    assert lines[0] == "return-inspection (cycle 1): MET"
    assert "the clock started outside working time: counting began 2026-03-09 00:00" in lines
    assert "outside working time 2026-03-07 10:00 → 2026-03-09 00:00: not counted" in lines
    # 64h counted of 72h; deadline Thu 03-12 00:00, inspected Wed 16:00: 8h early
    assert lines[-1] == ("stopped 2026-03-11 16:00 at `inspected`: 2d 16h 00m counted of 3d 0h 00m allowed; "
                         "deadline 2026-03-12 00:00; in time, 8h 00m before the deadline")


# --- properties --------------------------------------------------------------------------------

PROPERTIES = settings(max_examples=60, derandomize=True, deadline=None)
YEAR_START = dt.datetime(2026, 1, 1, tzinfo=SH)
# report instants anywhere in 2026, to the second (holidays, make-up days and weekends included)
report_offsets = st.integers(0, 364 * 86400 - 1)
CLOCKS = {  # (kind, asset, severity, target) -> allowed seconds on `always`, from the policy by hand
    ("repair", "OFFICE-1", "normal", "response"): 4 * H,
    ("repair", "LOBBY-1", "normal", "response"): 2 * H,
    ("repair", "CLASS-1", "emergency", "response"): 30 * M,
    ("repair", "LOBBY-1", "normal", "on-site"): 4 * H,
    ("repair", "DORM-1", "normal", "on-site"): 8 * H,
    ("repair", "AUD-1", "normal", "resolution"): 8 * H,
    ("repair", "BOOK-1", "normal", "callback"): 24 * H,
}
STOP = {"response": "responded", "on-site": "arrived", "resolution": "resolved", "callback": "callback",
        "return-inspection": "inspected"}


def make_ticket(kind: str, asset: str | None, severity: str, *events: tuple[dt.datetime, str]) -> Ticket:
    """A ticket built directly (no files): fast enough for hypothesis."""
    return Ticket(id="T-PROP", kind=kind, summary="x", where=Where("x.yaml"), asset=asset, severity=severity,
                  events=tuple(Event(at=at, type=type_, line=i + 1) for i, (at, type_) in enumerate(events)))


def only(cycles: list[sla.Cycle], target: str) -> sla.Cycle:
    (cycle,) = [c for c in cycles if c.target == target]
    return cycle


@PROPERTIES
@given(report_offsets, st.sampled_from(sorted(CLOCKS)))
def test_stopped_exactly_at_the_deadline_counts_allowed_and_is_met(world: World, offset: int, clock) -> None:
    kind, asset, severity, target = clock
    start = YEAR_START + dt.timedelta(seconds=offset)
    events = [(start, "reported")]
    if target == "callback":
        start += dt.timedelta(minutes=37)
        events.append((start, "resolved"))
    running = only(world.engine.cycles(make_ticket(kind, asset, severity, *events), start), target)
    allowed = CLOCKS[clock]
    assert running.deadline == start + dt.timedelta(seconds=allowed)  # `always`: real seconds
    assert running.allowed == allowed
    stopped = only(world.engine.cycles(make_ticket(kind, asset, severity, *events, (running.deadline, STOP[target])),
                                       running.deadline), target)
    assert (stopped.status, stopped.elapsed, stopped.allowed) == ("met", allowed, allowed)
    late = running.deadline + dt.timedelta(seconds=1)
    stopped = only(world.engine.cycles(make_ticket(kind, asset, severity, *events, (late, STOP[target])), late),
                   target)
    assert (stopped.status, stopped.elapsed) == ("breached", allowed + 1)


@PROPERTIES
@given(report_offsets)
def test_whole_days_stopped_at_the_deadline_count_allowed(world: World, offset: int) -> None:
    start = YEAR_START + dt.timedelta(seconds=offset)
    running = only(world.engine.cycles(make_ticket("return", "OFFICE-1", "normal", (start, "reported")), start),
                   "return-inspection")
    deadline = running.deadline
    local = deadline.astimezone(SH)
    # 24:00 local of a working day at least 3 calendar days after the start's date
    assert local.time() == dt.time(0) and local.utcoffset() == dt.timedelta(hours=8)
    assert (local.date() - start.date()).days >= 4
    ticket = make_ticket("return", "OFFICE-1", "normal", (start, "reported"), (deadline, "inspected"))
    stopped = only(world.engine.cycles(ticket, deadline), "return-inspection")
    assert (stopped.status, stopped.elapsed, stopped.allowed) == ("met", running.allowed, running.allowed)
    # at least 3 whole working days plus what is left of the start day, at most that plus the start day
    assert 3 * 86400 <= stopped.allowed <= 4 * 86400


@PROPERTIES
@given(report_offsets, st.integers(0, 30 * 86400), st.sampled_from(["response", "return-inspection"]))
def test_a_later_report_never_gives_an_earlier_deadline(world: World, offset: int, later: int, target: str) -> None:
    kind = "return" if target == "return-inspection" else "repair"
    first = YEAR_START + dt.timedelta(seconds=offset)
    second = first + dt.timedelta(seconds=later)
    a = only(world.engine.cycles(make_ticket(kind, "OFFICE-1", "normal", (first, "reported")), first), target)
    b = only(world.engine.cycles(make_ticket(kind, "OFFICE-1", "normal", (second, "reported")), second), target)
    assert a.deadline <= b.deadline


@PROPERTIES
@given(report_offsets, st.integers(0, 12 * 60), st.integers(0, 12 * 60), st.integers(0, 12 * 60))
def test_a_pause_never_turns_met_into_breached(world: World, offset: int, x: int, y: int, z: int) -> None:
    """Resolution (8h, pausable): insert paused/resumed before the stop; minutes after the report."""
    pause_start, pause_end, resolved = sorted((x, y, z))
    start = YEAR_START + dt.timedelta(seconds=offset)

    def at(minutes: int) -> dt.datetime:
        return start + dt.timedelta(minutes=minutes)

    plain = only(world.engine.cycles(make_ticket("repair", "OFFICE-1", "normal", (start, "reported"),
                                                 (at(resolved), "resolved")), at(resolved)), "resolution")
    paused = only(world.engine.cycles(make_ticket("repair", "OFFICE-1", "normal", (start, "reported"),
                                                  (at(pause_start), "paused"), (at(pause_end), "resumed"),
                                                  (at(resolved), "resolved")), at(resolved)), "resolution")
    assert plain.status == ("met" if resolved <= 8 * 60 else "breached")
    if plain.status == "met":
        assert paused.status == "met"
    # by hand: a pause that starts before the deadline (8h) pushes it back by its length
    pushed = pause_end - pause_start if pause_start < 8 * 60 else 0
    assert paused.deadline == at(8 * 60 + pushed)
    assert paused.elapsed == (resolved - (pause_end - pause_start)) * 60


@PROPERTIES
@given(report_offsets, st.lists(st.integers(0, 20 * 60), min_size=2, max_size=2), st.lists(
    st.integers(0, 5 * 86400), min_size=1, max_size=8))
def test_as_time_goes_on_counted_time_grows_and_a_breach_stays(world: World, offset: int, pause: list[int],
                                                                instants: list[int]) -> None:
    """Evaluated at later and later instants: elapsed never shrinks, and once breached always breached."""
    start = YEAR_START + dt.timedelta(seconds=offset)
    a, b = sorted(pause)
    repair = make_ticket("repair", "OFFICE-1", "normal", (start, "reported"),
                         (start + dt.timedelta(minutes=a), "paused"), (start + dt.timedelta(minutes=b), "resumed"))
    ret = make_ticket("return", "OFFICE-1", "normal", (start, "reported"))
    for ticket, target in ((repair, "resolution"), (repair, "response"), (ret, "return-inspection")):
        seen = []
        for seconds in sorted(instants):
            cycle = only(world.engine.cycles(ticket, start + dt.timedelta(seconds=seconds)), target)
            seen.append((cycle.elapsed, cycle.status))
        elapsed = [e for e, _ in seen]
        assert elapsed == sorted(elapsed)
        statuses = [s for _, s in seen]
        if "breached" in statuses:
            first = statuses.index("breached")
            assert set(statuses[first:]) == {"breached"}


def test_the_most_urgent_deadline_is_the_earliest_instant_even_in_the_hour_a_clock_turns_back():
    """`urgency` orders deadlines as instants (UTC), not as wall-clock times: in Berlin on
    2026-10-25, 02:45 before the clocks turn back comes before 02:30 after they did. (Two aware
    datetimes with one time zone compare by wall clock in Python, which put them the other way.)"""
    from zoneinfo import ZoneInfo

    from aftersales.core.durations import Duration

    berlin = ZoneInfo("Europe/Berlin")
    first = dt.datetime(2026, 10, 25, 2, 45, tzinfo=berlin)            # 00:45 UTC
    second = dt.datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=1)   # 01:30 UTC
    assert first > second   # (by wall clock, as the datetimes compare: the wrong way round)
    assert first.astimezone(dt.timezone.utc) < second.astimezone(dt.timezone.utc)

    def running(ticket, deadline):
        return sla.Cycle(ticket, "response", 1, "running", deadline - dt.timedelta(hours=1), "reported", deadline,
                         None, None, 0, 3600, Duration(1, "h"), "normal", None, "always")

    late, early = running("T-2", second), running("T-1", first)
    assert sorted([late, early], key=sla.urgency) == [early, late]
    late, early = running("T-1", second), running("T-2", first)
    assert sorted([late, early], key=sla.urgency) == [early, late]
