"""Reading civsim calibration logs (``civsim calibrate``; docs/calibration.md), and target
statistics evaluated on comparison files."""
from __future__ import annotations

import ast
import operator
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import h5py
import numpy as np
import pandas as pd

from .reader import _scalar, _text, check_format, read_network

FILETYPE = "civsim-calibration"
SUPPORTED_MAJOR = 1


@dataclass
class Calibration:
    """One calibration log, read eagerly."""

    path: Path
    attrs: dict[str, Any]
    scenario: str           # the scenario as loaded (TOML)
    fitted_scenario: str    # with the fitted values (TOML)
    targets_file: str       # the targets file's text
    network: dict[str, Any]
    parameters: pd.DataFrame   # one row per parameter: name, keys, scale, lower, upper, start, fitted
    targets: pd.DataFrame      # one row per target: name, statistic, source, value, tolerance,
    #                            weight, simulated, relative_error, ci_low, ci_high
    evaluations: pd.DataFrame  # one row per evaluation: evaluation, final, distance, seconds,
    #                            one column per parameter and per target (simulated mean)
    replicate_values: np.ndarray  # [evaluation, replicate, target]

    @property
    def format_version(self) -> str:
        return self.attrs["format_version"]

    def within_tolerance(self) -> pd.Series:
        """Per target: is |simulated / value - 1| within its tolerance at the fitted values?"""
        t = self.targets
        return (t["relative_error"].abs() <= t["tolerance"]).set_axis(t["name"])


def open_calibration(path: str | Path) -> Calibration:
    """Reads a calibration log; FormatError for another kind of file or an unknown major
    version."""
    path = Path(path)
    with h5py.File(path, "r") as f:
        attrs = check_format(f, path, FILETYPE, SUPPORTED_MAJOR, "calibration log")
        p = f["parameters"]
        names = _scalar(p.attrs["names"])
        parameters = pd.DataFrame({
            "name": names,
            "keys": [_text(k) for k in p["keys"].asstr()[()]],
            "scale": [_text(k) for k in p["scale"].asstr()[()]],
            **{c: p[c][()] for c in ("lower", "upper", "start", "fitted")},
        })
        t = f["targets"]
        target_names = _scalar(t.attrs["names"])
        targets = pd.DataFrame({
            "name": target_names,
            "statistic": list(t["statistic"].asstr()[()]),
            "source": list(t["source"].asstr()[()]),
            **{c: t[c][()] for c in ("value", "tolerance", "weight", "simulated",
                                     "relative_error", "ci_low", "ci_high")},
        })
        e = f["evaluations"]
        params, simulated = e["parameters"][()], e["simulated"][()]
        evaluations = pd.DataFrame({
            "evaluation": np.arange(1, len(e["distance"]) + 1),
            "final": e["final"][()].astype(bool),
            "distance": e["distance"][()],
            "seconds": e["seconds"][()],
        })
        for i, name in enumerate(names):
            evaluations[name] = params[:, i]
        for k, name in enumerate(target_names):
            evaluations[f"sim_{name}"] = simulated[:, k]
        return Calibration(
            path=path, attrs=attrs, scenario=f["scenario"].asstr()[()],
            fitted_scenario=f["fitted_scenario"].asstr()[()],
            targets_file=f["targets_file"].asstr()[()], network=read_network(f),
            parameters=parameters, targets=targets, evaluations=evaluations,
            replicate_values=e["replicates"][()])


# --- target statistics: the expressions of a targets file, evaluated in Python -----------------

_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
}


def evaluate_statistic(expression: str, scalars: Mapping[str, Any]) -> Any:
    """Evaluates a target statistic ("total_likes / total_posts") as civsim does: numbers,
    scalar names, + - * /, unary minus and parentheses. Values may be NumPy arrays (one per run),
    so a statistic is computed per run. KeyError for an unknown name, ValueError for anything
    else than this small language."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as e:
        raise ValueError(f"bad statistic {expression!r}: {e.msg}") from None

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            with np.errstate(divide="ignore", invalid="ignore"):
                return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in scalars:
                raise KeyError(f"no scalar named {node.id!r}")
            return np.asarray(scalars[node.id], dtype=float)
        raise ValueError(f"bad statistic {expression!r}: only names, numbers, + - * / and "
                         "parentheses are allowed")

    return walk(tree)


def read_targets(path: str | Path) -> list[dict[str, Any]]:
    """The [targets.NAME] sections of a targets file, in file order: name, statistic, value,
    tolerance, weight, source (defaults as civsim applies them)."""
    with open(path, "rb") as fh:
        doc = tomllib.load(fh)
    out = []
    for name, t in doc.get("targets", {}).items():
        out.append({"name": name, "statistic": t.get("statistic", name),
                    "value": float(t["value"]), "tolerance": float(t.get("tolerance", 0.1)),
                    "weight": float(t.get("weight", 1.0)), "source": t.get("source", "")})
    return out
