"""The package's own exceptions; the command line turns them into messages and exit codes."""

from __future__ import annotations


class AftersalesError(Exception):
    """A failure the user can act on; its message is shown as is, without a traceback."""

    exit_code = 1


class UsageError(AftersalesError):
    """The command was asked for something it cannot do as given (exit 2)."""

    exit_code = 2


class Refused(AftersalesError):
    """A write that would break a rule of the records: nothing was written."""


class RecordsNotFound(UsageError):
    """No records root could be found."""
