"""Sliding windows for the intake's rate limits and the sign-in throttle."""

from __future__ import annotations

import pytest

pytest.importorskip("flask")

from aftersales.web import limits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_allows_the_limit_then_refuses_until_the_oldest_event_is_an_hour_old():
    clock = Clock()
    window = limits.Window(3600, clock)
    assert [window.allow("a", 3) for _ in range(4)] == [True, True, True, False]
    assert window.allow("b", 3)                       # each key counts on its own
    clock.now += 3599
    assert not window.allow("a", 3)
    assert window.wait("a") == 1
    clock.now += 1
    assert [window.allow("a", 3) for _ in range(4)] == [True, True, True, False]   # refusals were not counted


def test_full_add_and_clear_for_the_sign_in_throttle():
    clock = Clock()
    window = limits.Window(900, clock)
    for _ in range(5):
        window.add("account:cs-li")
    assert window.full("account:cs-li", 5) and not window.full("account:eng-zhang", 5)
    window.clear("account:cs-li")
    assert not window.full("account:cs-li", 5)


def test_keys_whose_window_has_passed_are_swept(monkeypatch):
    monkeypatch.setattr(limits, "PRUNE_EVERY", 10)
    clock = Clock()
    window = limits.Window(60, clock)
    for n in range(9):
        window.allow(f"address-{n}", 5)
    clock.now += 61
    window.allow("late", 5)                           # the tenth call sweeps
    assert list(window.events) == ["late"]
