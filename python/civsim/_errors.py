"""The exceptions civsim raises for bad input (the command line's exit code 2)."""
from __future__ import annotations

import re

_LOCATED = re.compile(r"^(?P<file>.*):(?P<line>\d+):(?P<column>\d+)$")
_ARM = re.compile(r' \(arm ".*$')
_OVERRIDE = re.compile(r"^command line \(--set (?P<override>.*)\)$")


class InputError(ValueError):
    """Bad input: a scenario file that cannot be read, an unknown arm, an arm that would change
    the network, a file that is not a civsim file... The message is the one the command line
    prints (without its ``civsim:`` prefix)."""


class ConfigError(InputError):
    """A scenario error, with the command line's message (``file:line:column: error: ...``).

    Attributes:
        message: the full message.
        location: where, as the message gives it: ``FILE:LINE:COLUMN``, ``FILE``, or
            ``command line (--set KEY=VALUE)`` for an error in a value given by
            ``Scenario.set`` or ``overrides`` (which work like ``civsim run --set``).
        file: the scenario file (or the ``source`` given to ``Scenario.from_toml``); None for an
            error in an override.
        line, column: 1-based position in that file; None when the error has no place in it
            (e.g. a rule about the whole file, or an override).
        key: the scenario key at fault, e.g. ``"diffusion.reshare_probability"`` or
            ``"accounts[1].region"``; None for a TOML syntax error.
        override: for an error in an override, the ``"key=value"`` text; else None.
    """

    def __init__(self, message: str, location: str = "", key: str = ""):
        super().__init__(message)
        self.message = message
        self.location = location
        self.key = key or None
        self.file: str | None = None
        self.line: int | None = None
        self.column: int | None = None
        self.override: str | None = None
        if m := _OVERRIDE.match(location):
            self.override = m["override"]
        elif m := _LOCATED.match(location):
            self.file, self.line, self.column = m["file"], int(m["line"]), int(m["column"])
        elif location:
            self.file = _ARM.sub("", location)

    def __reduce__(self):
        return type(self), (self.message, self.location, self.key or "")
