"""Counting requests in sliding windows, in memory: the QR intake's rate limits and the
sign-in throttle.

Counts live in the server process (`aftersales serve` is one process with threads), so
they start again when it restarts, and a server that runs several processes counts in
each (see docs/web.md).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

PRUNE_EVERY = 1000   # calls between sweeps of keys whose window has passed


class Window:
    """At most `limit` events per key in any `seconds` long window."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self.events: dict[str, deque[float]] = {}
        self.lock = threading.Lock()
        self.calls = 0

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self.events.setdefault(key, deque())
        while times and times[0] <= now - self.seconds:
            times.popleft()
        return times

    def allow(self, key: str, limit: int) -> bool:
        """Count one event for `key` and say whether it is within the limit (an event over the
        limit is not counted, so a client that waits gets in again)."""
        with self.lock:
            now = self.clock()
            self._sweep(now)
            times = self._recent(key, now)
            if len(times) >= limit:
                return False
            times.append(now)
            return True

    def full(self, key: str, limit: int) -> bool:
        """Whether `key` has used its limit (nothing is counted)."""
        with self.lock:
            return len(self._recent(key, self.clock())) >= limit

    def add(self, key: str) -> None:
        with self.lock:
            now = self.clock()
            self._recent(key, now).append(now)

    def clear(self, key: str) -> None:
        with self.lock:
            self.events.pop(key, None)

    def wait(self, key: str) -> float:
        """Seconds until `key` may act again."""
        with self.lock:
            times = self._recent(key, self.clock())
            return max(0.0, times[0] + self.seconds - self.clock()) if times else 0.0

    def _sweep(self, now: float) -> None:
        self.calls += 1
        if self.calls % PRUNE_EVERY:
            return
        for key in [k for k, times in self.events.items() if not times or times[-1] <= now - self.seconds]:
            del self.events[key]
