"""Scenarios: read, checked and changed exactly as by the command line (docs/scenario-format.md)."""
from __future__ import annotations

import datetime
import math
import numbers
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from . import _civsim

Overrides = Mapping[str, Any] | Iterable[str] | None


def toml_value(value: Any) -> str:
    """A Python value as TOML text: bool, int, float (inf and nan too), str, datetime.timedelta
    (as a duration such as ``"2d 3h"``), and lists, tuples and dicts of those."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime.timedelta):
        return _toml_string(_duration(value))
    if isinstance(value, Mapping):
        items = (f"{_toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + ", ".join(items) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} as a scenario value: {value!r}")


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def _duration(delta: datetime.timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds < 0 or seconds != int(seconds):
        raise ValueError(f"a duration must be a whole, non-negative number of seconds: {delta}")
    seconds = int(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return " ".join(parts) or "0s"


def override_text(key: str, value: Any) -> str:
    """``key=value`` as ``civsim run --set`` takes it, with the value written as TOML."""
    if not isinstance(key, str) or not key or "=" in key:
        raise ValueError(f"not a scenario key: {key!r} (expected e.g. 'diffusion.reshare_probability')")
    return f"{key}={toml_value(value)}"


def _override_list(overrides: Overrides) -> list[str]:
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [override_text(k, v) for k, v in overrides.items()]
    if isinstance(overrides, str):
        raise TypeError("overrides: give a dict {key: value} or a list of 'key=value' strings")
    return [str(o) for o in overrides]


_PART = re.compile(r"^(?P<name>[^\[\]]+)(\[(?P<index>\d+)\])?$")


class Scenario:
    """A civsim scenario: a TOML file (or text) plus overrides, parsed and checked by the same
    code as ``civsim run`` — the same defaults, validation and error messages.

    Make one with :meth:`load` or :meth:`from_toml`; change keys with :meth:`set`, which works
    like ``--set key=value`` (the value is checked at once, and the scenario is left unchanged
    if it is refused). Every key is documented in docs/scenario-format.md (``civsim schema``).

    >>> s = Scenario.load("scenarios/default.toml")
    >>> s.set("population", 20000)
    >>> s.set("accounts[0].capacity_fte", 4.0)
    >>> s.get("accounts[0].capacity_fte")
    4.0
    """

    def __init__(self, core: _civsim.ScenarioCore):
        self._core = core

    @classmethod
    def load(cls, path: str | os.PathLike, overrides: Overrides = None) -> Scenario:
        """Reads and checks a scenario file, as ``civsim run PATH --set ...``.

        ``overrides`` is a dict ``{"key.path": value}`` (Python values, written as TOML) or a
        list of ``"key.path=value"`` strings exactly as given to ``--set`` (TOML values; a bare
        word is a string). Raises :class:`civsim.ConfigError` for a scenario error and
        :class:`civsim.InputError` when the file cannot be read or holds no key."""
        return cls(_civsim.ScenarioCore.load(os.fspath(path), _override_list(overrides)))

    @classmethod
    def from_toml(cls, text: str, source: str = "<string>", overrides: Overrides = None) -> Scenario:
        """Parses scenario TOML text; ``source`` names it in error messages. A relative
        ``network.file`` is taken relative to the working directory."""
        return cls(_civsim.ScenarioCore.from_toml(text, source, _override_list(overrides)))

    def set(self, key: str, value: Any) -> None:
        """Sets one key, as ``--set key=value``: ``s.set("diffusion.reshare_probability",
        0.01)``, ``s.set("accounts[0].strategy", "dialogue")``, ``s.set("time.duration", "3d")``.
        Elements of arrays of tables are addressed as ``name[i]``; ``accounts[N]`` with N the
        current number of accounts appends one. The whole scenario is checked again; on an error
        (:class:`civsim.ConfigError`, naming the key) the scenario is unchanged."""
        self._core = self._core.with_override(override_text(key, value))

    def get(self, key: str) -> Any:
        """The resolved value of a key (``"accounts[0].capacity_fte"``, ``"time.duration"``),
        defaults filled in, as TOML gives it (durations are strings such as ``"7d"``); a whole
        table or array for a key that names one. KeyError for a key the resolved scenario does
        not have (an unset optional key)."""
        node: Any = self.to_dict()
        for part in key.split("."):
            m = _PART.match(part)
            if not m or not isinstance(node, dict) or m["name"] not in node:
                raise KeyError(key)
            node = node[m["name"]]
            if m["index"] is not None:
                i = int(m["index"])
                if not isinstance(node, list) or i >= len(node):
                    raise KeyError(key)
                node = node[i]
        return node

    def copy(self) -> Scenario:
        """An independent copy (setting keys on it leaves this one unchanged)."""
        return Scenario(self._core)

    __copy__ = copy

    def __deepcopy__(self, memo: dict) -> Scenario:
        return self.copy()

    def to_toml(self) -> str:
        """The resolved scenario — every key, defaults filled in — as TOML, exactly what a run
        file stores under /scenario (``civsim validate --print``). It parses back to the same
        scenario."""
        return self._core.to_toml()

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as nested dicts and lists (``tomllib.loads(self.to_toml())``)."""
        return tomllib.loads(self.to_toml())

    @property
    def name(self) -> str:
        return self._core.name

    @property
    def seed(self) -> int:
        return self._core.seed

    @property
    def population(self) -> int:
        """Citizens (for an edge-list network, known only once the network is read)."""
        return self._core.population

    @property
    def steps(self) -> int:
        """Steps a run has: ceil(time.duration / time.step)."""
        return self._core.steps

    @property
    def step_hours(self) -> float:
        return self._core.step_hours

    @property
    def regions(self) -> list[str]:
        return self._core.regions

    @property
    def accounts(self) -> list[str]:
        """Names of the institutional accounts, in scenario order."""
        return self._core.accounts

    @property
    def arms(self) -> list[str]:
        """Names of the scenario's ``[[arms]]`` (what :func:`civsim.compare` runs by default)."""
        return self._core.arms

    @property
    def path(self) -> str | None:
        """The file it was loaded from (None for :meth:`from_toml`)."""
        return self._core.path

    @property
    def source(self) -> str:
        """How error messages name it: the path, or the ``source`` given to from_toml."""
        return self._core.source

    @property
    def overrides(self) -> list[str]:
        """Every override applied so far, as ``"key=value"`` (``--set`` arguments)."""
        return list(self._core.overrides)

    def _describe(self) -> str:
        """How the scenario came about, for the provenance of saved files."""
        origin = (f"Scenario.load({self.path!r})" if self.path is not None
                  else f"Scenario.from_toml(source={self.source!r})")
        return origin + "".join(f" --set {o}" for o in self.overrides)

    def __repr__(self) -> str:
        origin = repr(self.path) if self.path is not None else f"source={self.source!r}"
        extra = f", overrides={self.overrides!r}" if self.overrides else ""
        return (f"<civsim.Scenario {self.name!r} from {origin}: {self.population} citizens, "
                f"{self.steps} steps of {self.step_hours:g}h{extra}>")
