"""Whether a region's reported value meets a policy target, and 0–100 scores that rank regions against each other."""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.vocabulary import CHANGE_COMPARATORS, COMPARATORS, DIRECTIONS, MINUTES_PER_UNIT, UNITS

EQUAL_RELATIVE_TOLERANCE = 0.005
EQUAL_ABSOLUTE_TOLERANCE = 1e-9
# 全覆盖 is written as "= 100%", but a report of 99.7% is coverage in practice, not a miss.
FULL_COVERAGE = 100.0
FULL_COVERAGE_MET_FROM = 99.5
# Converting 7 hours to days leaves a rounding error; it must not turn "exactly at the limit" into a miss.
COMPARISON_SLACK = 1e-9


class Status(str, enum.Enum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_YET_DUE = "not_yet_due"
    OVERDUE = "overdue"
    NO_REPORT = "no_report"
    UNIT_MISMATCH = "unit_mismatch"


def check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")


@dataclass(frozen=True)
class Target:
    value: float
    unit: str
    comparator: str  # "<=", ">=", "=", "reduce_by", "increase_by"
    value_max: float | None = None  # upper bound of a range such as 5—10个工作日
    baseline: float | None = None  # the starting level of 由240天压缩至…; for percent changes, in the report's unit
    year: int | None = None  # the deadline: the target must hold by the end of this year

    def __post_init__(self) -> None:
        check_unit(self.unit)
        if self.comparator not in COMPARATORS:
            raise ValueError(f"unknown comparator {self.comparator!r}; expected one of {COMPARATORS}")


@dataclass(frozen=True)
class Report:
    value: float
    unit: str
    year: int  # the period the value is reported for

    def __post_init__(self) -> None:
        check_unit(self.unit)
        # A missing value is "no report" (pass None), not a number that silently fails every comparison.
        if not math.isfinite(self.value):
            raise ValueError(f"reported value must be a finite number, not {self.value!r}")


def convert(value: float, from_unit: str, to_unit: str) -> float | None:
    """`value` expressed in `to_unit`, or None when no exact conversion exists."""
    check_unit(from_unit)
    check_unit(to_unit)
    if from_unit == to_unit:
        return value
    if from_unit in MINUTES_PER_UNIT and to_unit in MINUTES_PER_UNIT:
        # Multiply before dividing so whole numbers stay exact (7 h → 420 / 1440 day, one rounding only).
        return value * MINUTES_PER_UNIT[from_unit] / MINUTES_PER_UNIT[to_unit]
    return None


def achieved_change(target: Target, report: Report) -> float | None:
    """The reduction or increase the report shows, in the target's terms; None when it cannot be worked out."""
    sign = 1.0 if target.comparator == "reduce_by" else -1.0
    if target.unit == "percent":
        if report.unit == "percent":
            return report.value  # the region reports the change it achieved
        # The report is the current level; without a (non-zero) starting level there is no relative change.
        if target.baseline is None or target.baseline == 0:
            return None
        return sign * (target.baseline - report.value) / target.baseline * 100
    # An absolute change (压减3天): the baseline is in the target's unit and the report is the current level.
    if target.baseline is None:
        return None
    level = convert(report.value, report.unit, target.unit)
    if level is None:
        return None
    return sign * (target.baseline - level)


def comparable_value(target: Target, report: Report) -> float | None:
    """The report on the target's scale: converted level, or achieved change for reduce_by/increase_by."""
    if target.comparator in CHANGE_COMPARATORS:
        return achieved_change(target, report)
    return convert(report.value, report.unit, target.unit)


def slack(bound: float) -> float:
    return COMPARISON_SLACK * max(1.0, abs(bound))


def is_equal(value: float, wanted: float) -> bool:
    return abs(value - wanted) <= max(EQUAL_RELATIVE_TOLERANCE * abs(wanted), EQUAL_ABSOLUTE_TOLERANCE)


def is_met(target: Target, value: float) -> bool:
    if target.comparator == "<=":
        bound = target.value if target.value_max is None else target.value_max
        return value <= bound + slack(bound)
    if target.comparator == "=":
        if target.unit == "percent" and target.value == FULL_COVERAGE and target.value_max is None:
            return value >= FULL_COVERAGE_MET_FROM
        if target.value_max is not None:
            # "= 5—10项": anywhere inside the range counts, with the equality tolerance at both ends.
            return (value >= target.value or is_equal(value, target.value)) and (
                value <= target.value_max or is_equal(value, target.value_max)
            )
        return is_equal(value, target.value)
    # ">=", and reduce_by/increase_by: at least the wanted level or change (压减30%以上 is met by 40%).
    return value >= target.value - slack(target.value)


def attainment(target: Target, report: Report | None, current_year: int) -> Status:
    """Where the region stands against `target` in `current_year`, given its latest report (or None)."""
    if report is None:
        if target.year is not None and target.year >= current_year:
            return Status.NOT_YET_DUE  # the deadline year is still running
        return Status.NO_REPORT
    value = comparable_value(target, report)
    if value is None:
        return Status.UNIT_MISMATCH
    if is_met(target, value):
        return Status.MET
    if target.year is None:
        return Status.NOT_MET
    # Until the deadline year is over there is still time, whatever the latest report says.
    if target.year >= current_year:
        return Status.NOT_YET_DUE
    return Status.OVERDUE


def shortfall(target: Target, report: Report) -> float | None:
    """How far the report falls short of the target, in the target's unit (percentage points for changes).

    Positive means short of the target, negative means beyond it; None when the units cannot be compared.
    """
    value = comparable_value(target, report)
    if value is None:
        return None
    if target.comparator == "<=":
        return value - (target.value if target.value_max is None else target.value_max)
    if target.comparator == "=" and target.value_max is not None:
        # Inside the range nothing is missing; outside, the distance to the nearer bound, signed as for = .
        if value < target.value:
            return target.value - value
        if value > target.value_max:
            return target.value_max - value
        return 0.0
    # ">=", "=", reduce_by, increase_by: the wanted level or change minus what was reached.
    return target.value - value


def distance_to_frontier(
    values: pd.Series, direction: str, worst: float | None = None, best: float | None = None
) -> pd.Series:
    """World Bank distance-to-frontier scores: 0 at the worst value, 100 at the best, clipped to [0, 100].

    Unset bounds default to the worst and best observed values (NaN ignored). NaN stays NaN.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}; expected one of {DIRECTIONS}")
    numbers = pd.to_numeric(values, errors="raise").astype(float)
    observed = numbers.dropna()
    lower_is_better = direction == "lower"
    # A defaulted bound also considers the explicit other bound, so that it can never lie on the wrong side of it.
    if worst is None:
        candidates = [*observed, *([] if best is None else [best])]
        worst = (max if lower_is_better else min)(candidates) if candidates else None
    if best is None:
        candidates = [*observed, *([] if worst is None else [worst])]
        best = (min if lower_is_better else max)(candidates) if candidates else None
    if worst is None or best is None:
        return pd.Series(np.nan, index=numbers.index, name=values.name)  # nothing observed, nothing to score
    if (worst < best) if lower_is_better else (worst > best):
        raise ValueError(f"worst {worst} is better than best {best} for direction {direction!r}")
    if worst == best:
        scores = pd.Series(np.where(numbers.isna(), np.nan, 100.0), index=numbers.index)
    elif lower_is_better:
        scores = (worst - numbers) / (worst - best) * 100
    else:
        scores = (numbers - worst) / (best - worst) * 100
    return scores.clip(lower=0.0, upper=100.0).rename(values.name)


COMPOSITE_COLUMNS = ("region_code", "composite", "indicators", "components")


def composite_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per region: the mean of its indicator scores, how many there were, and each component.

    Missing (NaN) scores are left out of the mean and of the components, so the composite is always the
    mean of the components shown next to it. Sorted best first, ties by region code, unscored regions last.
    """
    missing = [column for column in ("region_code", "indicator", "score") if column not in scores.columns]
    if missing:
        raise ValueError(f"scores lack column(s) {', '.join(missing)}")
    numbers = pd.to_numeric(scores["score"], errors="raise").astype(float)
    out_of_range = numbers[(numbers < 0) | (numbers > 100)]
    if not out_of_range.empty:
        raise ValueError(f"scores must lie in [0, 100]; got {out_of_range.tolist()[:5]}")
    # A repeated pair would count one indicator twice in the mean and hide one of its scores.
    duplicated = scores[scores.duplicated(["region_code", "indicator"], keep=False)]
    if not duplicated.empty:
        pairs = sorted({(row.region_code, row.indicator) for row in duplicated.itertuples()}, key=str)
        raise ValueError(f"more than one score for (region_code, indicator): {pairs[:5]}")
    # One pass over the rows sorted by region, not a loop over groups: county scale has thousands of regions.
    frame = scores.assign(score=numbers)
    used = frame.dropna(subset=["score"]).sort_values("region_code", kind="stable")
    components: dict = {code: {} for code in frame["region_code"].drop_duplicates()}
    for region_code, indicator, score in zip(used["region_code"], used["indicator"], used["score"]):
        components[region_code][indicator] = score
    result = pd.DataFrame({
        "region_code": list(components),
        "composite": [float(np.mean(list(parts.values()))) if parts else np.nan for parts in components.values()],
        "indicators": [len(parts) for parts in components.values()],
        "components": list(components.values()),
    }, columns=list(COMPOSITE_COLUMNS))
    result["indicators"] = result["indicators"].astype(int)
    # Sort the region codes first so that a stable sort on the composite leaves ties in code order.
    result = result.sort_values("region_code", kind="stable")
    result = result.sort_values("composite", ascending=False, na_position="last", kind="stable")
    return result.reset_index(drop=True)
