"""Confidence intervals for the analysis package: the same estimator civsim writes into
comparison files (mean, sample standard deviation, Student-t interval; NaN values ignored), for
statistics the files do not hold, such as ratios computed per run (likes per post)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval over `n` values (NaN bounds with fewer than 2)."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def excludes_zero(self) -> bool:
        return bool(self.n >= 2 and (self.low > 0 or self.high < 0))


def mean_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> Interval:
    """Mean and the two-sided `level` Student-t confidence interval of the mean,
    mean ± t_{(1+level)/2, n-1} · s / √n, over the non-NaN values (s: sample standard deviation,
    divisor n - 1). With no value the mean is NaN; with one, the bounds are NaN."""
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    x = np.asarray(values, dtype=float).ravel()
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return Interval(float("nan"), float("nan"), float("nan"), 0)
    mean = float(x.mean())
    if n < 2:
        return Interval(mean, float("nan"), float("nan"), 1)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return Interval(mean, mean - half, mean + half, n)


def paired_difference(treatment: Sequence[float] | np.ndarray,
                      reference: Sequence[float] | np.ndarray,
                      level: float = 0.95) -> Interval:
    """The mean paired difference treatment - reference (element by element, e.g. by replicate
    under common random numbers) with its confidence interval; pairs with a NaN are dropped."""
    a = np.asarray(treatment, dtype=float).ravel()
    b = np.asarray(reference, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired values need the same length ({a.size} vs {b.size})")
    return mean_ci(a - b, level)


def format_interval(iv: Interval, digits: int = 3) -> str:
    """'12.3 (95% CI 10.1 to 14.5)', or '12.3 (n = 1)' without an interval."""
    if iv.n == 0:
        return "n/a"
    if iv.n < 2:
        return f"{_num(iv.mean, digits)} (n = 1)"
    return f"{_num(iv.mean, digits)} (95% CI {_num(iv.low, digits)} to {_num(iv.high, digits)})"


def _num(x: float, digits: int) -> str:
    """A number for a table or a sentence: integers of `digits` or more digits in full with
    thousands separators (74,502), others to `digits` significant digits without trailing
    zeros (0.0337, 12.5, 2.4e-05)."""
    if x != x:  # NaN
        return "n/a"
    if abs(x) >= 10 ** digits:
        return f"{x:,.0f}"
    text = f"{x:.{digits}g}"
    if abs(x) < 1:
        return text
    return text if abs(x) < 1000 and "e" not in text else f"{float(text):,.0f}"
