"""zlib's preset dictionary for the values the record cache keeps (`cache.encode`).

Each value is small: a ticket pickles to about 1.2 KB. Deflated on its own it shrinks by
about two fifths; deflated against a dictionary of what every ticket repeats (the names of
the classes and fields, the event types, the time zone's offset) by about seven tenths, and
it inflates twice as fast. The dictionary is a made-up ticket, read, checked and built as a file is, and
pickled as a ticket's row is. A value reads back only with the dictionary it was written
with: the dictionary must change only with this code, which the cache is kept under. So the
ticket is built alone from its text, and nothing in it depends on what was read before (a
test builds it in a fresh process after a whole folder was read, and compares).
"""

from __future__ import annotations

import functools
import pickle

from aftersales.store import build
from aftersales.store.reading import check_bytes

SAMPLE_FILE = "tickets/2026/T-20260312-7K2M9Q.yaml"
SAMPLE = """\
id: T-20260312-7K2M9Q
kind: repair
asset: AUD-CHAIR-C
area: auditorium
category: function
severity: normal
channel: phone
reporter:
  name: 报告厅吴老师
  phone: "13912340021"
location: 楼座第4排
summary: 楼座 3 个座位翻板卡死
events:
  - {at: 2026-03-12T09:00:00+08:00, type: reported, by: cs-li}
  - {at: 2026-03-12T09:02:00+08:00, type: assigned, by: cs-li, to: eng-zhang}
  - {at: 2026-03-12T09:15:00+08:00, type: responded, by: eng-zhang}
  - {at: 2026-03-12T09:15:00+08:00, type: diagnosed, by: eng-zhang}
  - {at: 2026-03-12T10:10:00+08:00, type: arrived, by: eng-zhang}
  - {at: 2026-03-12T10:30:00+08:00, type: workaround, by: eng-zhang, until: 2026-03-13T12:00:00+08:00, note: 停用}
  - {at: 2026-03-12T10:40:00+08:00, type: informed, by: eng-zhang}
  - {at: 2026-03-13T10:30:00+08:00, type: resolved, by: eng-zhang, parts: [{part: SEAT-SPRING, qty: 3}], cost: 0}
  - {at: 2026-03-14T10:00:00+08:00, type: callback, by: cs-zhou, satisfaction: 5}
  - {at: 2026-03-15T10:00:00+08:00, type: message, by: cs-li}
  - {at: 2026-04-10T10:00:00+08:00, type: revisit, by: eng-wang, satisfaction: 5}
"""


@functools.cache
def dictionary() -> bytes:
    """The made-up ticket as `cache.encode` pickles a ticket's row."""
    clean, problems = check_bytes(SAMPLE.encode(), SAMPLE_FILE, "ticket")
    ticket = build.ticket(clean, SAMPLE_FILE) if clean is not None else None
    if ticket is None:
        raise ValueError(f"the cache's sample ticket does not read: {problems}")
    return pickle.dumps((ticket,), protocol=pickle.HIGHEST_PROTOCOL)
