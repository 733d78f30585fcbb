"""Work on a long list split in two: one half in a forked child process, the other here, at once.

On a machine with two cores or more, a command that reads a quarter's clocks spends most of its
time on work each ticket needs alone (reading its kept cycles back, writing its rows). `in_two`
gives every other ticket to a child process made with `os.fork` (it starts at once, with
everything this process has loaded) and works on the others here meanwhile; the child sends its
result back pickled through a pipe. Every other item, not the second half: the costly items
(recent tickets, with clocks still running) often come together. What a half returns should be
small beside the work it saves, and quick to pickle: texts already written, counts, plain
values (`Plain`).

The split is only an optimisation, never a second behaviour: the caller joins the two halves
into what one pass over the whole list gives, whatever the order of the items (it sorts, merges
sorted rows, or adds up counts). So it falls back to doing both halves here, one after the
other, when it cannot fork safely or would gain nothing: one core, not Linux (macOS's system
libraries are not safe to use after a fork; Windows has none), other threads running (the web
server: forking a process that runs threads is not safe), a short list, or a child that failed
(its half is done again here).

Only a process that runs one command and ends forks (`one_shot`: the command line, not a
program that embeds the engine). A child shares no database connection with this process
(SQLite forbids it): the record cache closes its connections just before a fork (`before_fork`)
and each process opens its own when it reads again. A child dies with this process (killed by
`timeout`, say) rather than work on for nobody.
"""

from __future__ import annotations

import contextlib
import marshal
import math
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")

# Below this many items a child costs more than it saves (forking a process that holds a loaded
# folder of 100,000 tickets takes a few milliseconds; reading one ticket's kept cycles 10 µs).
AT_LEAST = 5000

_in_child = False
_allowed = False   # (`one_shot`)
_before_fork: list[Callable[[], None]] = []


def one_shot() -> None:
    """This process runs one command and ends (the command line's `main`): from now on `in_two`
    and `both` may fork. A program that embeds the engine (the web app, a test) does not, unless
    it says so too: a child is a second process it did not ask for."""
    global _allowed
    _allowed = True


def before_fork(callback: Callable[[], None]) -> None:
    """Have `callback` run in this process just before each child is forked (the record cache
    closes its connections there: a child must not share them, and they open again when used)."""
    _before_fork.append(callback)


def cores() -> int:
    """The cores this process may run on: those it may be scheduled on, and no more than its
    control group's CPU quota allows (a container limited to one CPU on a machine of many)."""
    try:
        found = len(os.sched_getaffinity(0))
    except AttributeError:   # not on Linux
        return os.cpu_count() or 1
    quota = cpu_quota()
    return found if quota is None else max(1, min(found, math.ceil(quota)))


CPU_MAX = "/sys/fs/cgroup/cpu.max"   # cgroup v2: "QUOTA PERIOD" in microseconds, or "max PERIOD"


def cpu_quota(path: str | None = None) -> float | None:
    """The CPUs' worth of time this process's control group may use (None: no limit, or none
    known), as `path` (by default `CPU_MAX`) says."""
    try:
        with open(path or CPU_MAX, encoding="ascii") as limit:
            quota, period = limit.read().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError, ZeroDivisionError):
        return None


def can_fork() -> bool:
    """Whether a child can be forked safely, to some gain: asked for (`one_shot`), on Linux
    (macOS's system libraries are not safe to use in a forked child, and Windows has no fork),
    more than one core, no other thread running, children not reaped by the system (SIGCHLD
    ignored: the child's exit could not be told), and this process not itself such a child (one
    split at a time)."""
    return (_allowed and sys.platform.startswith("linux") and not _in_child and threading.active_count() == 1
            and signal.getsignal(signal.SIGCHLD) != signal.SIG_IGN and cores() > 1)


def in_two(items: Sequence[T], work: Callable[[Sequence[T]], R], at_least: int | None = None) -> tuple[R, R]:
    """`work` of half of `items` (the first, third, ...) and of the other half, the other in a
    forked child while this process works on the first (see the module's notes); done here one
    after the other when it cannot be split (fewer than `at_least` items, by default `AT_LEAST`).
    `work` must give the same result wherever it runs, and its result must pickle."""
    first, second = items[0::2], items[1::2]
    return both(lambda: work(first), lambda: work(second),
                len(items) >= (AT_LEAST if at_least is None else at_least))


def both(mine: Callable[[], A], theirs: Callable[[], B], worth: bool = True) -> tuple[A, B]:
    """`mine()` here and `theirs()` in a forked child at the same time, when it is `worth` a
    child and one can be forked safely (`can_fork`); else one after the other, here. `theirs`
    must give the same result wherever it runs, and its result must pickle."""
    child = _fork(theirs) if worth and can_fork() else None
    if child is None:
        return mine(), theirs()
    try:
        here = mine()
    except BaseException:
        child.abandon()
        raise
    there = child.result()
    return here, (theirs() if there is None else cast(B, there[0]))


class Plain(Generic[T]):
    """A value of plain data (numbers, text, None, and tuples, lists and dicts of them) that a
    child sends back quicker than pickle sends other values: written by `marshal` (the format of
    Python's own compiled files; the child runs the same interpreter), which keeps no memo of the
    objects it has seen (the facts of 25,000 tickets: 0.06 s, not 0.11)."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __reduce__(self) -> tuple[Callable[[bytes], Plain[T]], tuple[bytes]]:
        return _unmarshalled, (marshal.dumps(cast(Any, self.value)),)


def _unmarshalled(data: bytes) -> Plain[Any]:
    return Plain(marshal.loads(data))


class _Child:
    """A forked child at work; its result is read from `pipe`."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe = pid, pipe

    def result(self) -> tuple[object] | None:
        """The child's result (in a tuple: a result may be None), or None when it failed."""
        try:
            with os.fdopen(self.pipe, "rb") as reader:
                data = reader.read()
        except BaseException:   # interrupted while waiting (Ctrl-C): the child goes too
            self.abandon(closed=True)
            raise
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:   # reaped by someone else: only a whole result tells it succeeded
            status = 0
        if os.waitstatus_to_exitcode(status) != 0 or not data:
            return None
        try:
            value = pickle.loads(data)
        except Exception:   # cut short: the child died writing it
            return None
        return value if isinstance(value, tuple) and len(value) == 1 else None

    def abandon(self, closed: bool = False) -> None:
        """Stop the child (this process failed or was interrupted) and reap it."""
        with contextlib.suppress(OSError):   # (gone already)
            os.kill(self.pid, signal.SIGKILL)
        if not closed:
            os.close(self.pipe)
        with contextlib.suppress(ChildProcessError):   # (reaped by someone else)
            os.waitpid(self.pid, 0)


def _fork(work: Callable[[], R]) -> _Child | None:
    try:
        reader, writer = os.pipe()
    except OSError:
        return None
    for callback in _before_fork:
        callback()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:   # no process to be had: the work is done here
        os.close(reader)
        os.close(writer)
        return None
    if pid:
        os.close(writer)
        return _Child(pid, reader)
    # the child: never returns to the caller's code, never runs its exit handlers or flushes the
    # output it inherited (os._exit)
    global _in_child
    _in_child = True
    code = 1
    try:
        os.close(reader)
        _end_with(parent)
        data = pickle.dumps((work(),), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(writer, "wb") as out:
            out.write(data)
        code = 0
    finally:
        os._exit(code)


def _end_with(parent: int) -> None:
    """In a child: be killed when `parent` ends (killed by `timeout` or cron, say), rather than
    work on alone for nobody (Linux's PR_SET_PDEATHSIG)."""
    import ctypes  # (only a child needs it)

    PR_SET_PDEATHSIG = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:   # it ended before that was set
        os._exit(1)
