"""Pausing Python's cyclic garbage collector while a run builds many objects that all live on.

A collection walks every object alive, so while a report builds hundreds of thousands of
tickets, clocks and rows on top of a loaded folder of 100,000 tickets, each one costs more
than the one before and finds nothing: the report makes no reference cycles and keeps what
it builds until it ends. `store.load` pauses the collector the same way while loading.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off inside the block, and back as it was after it (nested blocks too)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
