"""Pausing Python's cyclic garbage collector while a run builds many objects that all live on.

A collection walks every object alive, so while a report builds hundreds of thousands of
tickets, clocks and rows on top of a loaded folder of 100,000 tickets, each one costs more
than the one before and finds nothing: the report makes no reference cycles and keeps what
it builds until it ends. `store.load` pauses the collector the same way while loading.

When the collector comes back on, everything the block made is in its youngest generation,
and the next pass walks all of it (0.03-0.05 s after loading 100,000 tickets, as much again
after reading a quarter's clocks). A process that runs one command and ends (the command
line: `one_shot`) moves it out of the collector's sight instead (`gc.freeze`): it lives until
the process ends anyway. A process that lives on (the web server) must not: a reference cycle
made in a paused block would never be freed.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_frozen_after_pauses = False


def one_shot() -> None:
    """This process runs one command and ends: from now on, what a paused block made is frozen
    when the block ends (see above)."""
    global _frozen_after_pauses
    _frozen_after_pauses = True


def lives_on() -> None:
    """This process lives on (a server): paused blocks leave what they made to the collector."""
    global _frozen_after_pauses
    _frozen_after_pauses = False


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off inside the block, and back as it was after it (nested blocks too)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if _frozen_after_pauses:
                gc.freeze()
            gc.enable()
