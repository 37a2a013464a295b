"""Target attainment, unit conversion and distance-to-frontier scores."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from indicators.attainment import (
    Report,
    Status,
    Target,
    attainment,
    composite_scores,
    convert,
    distance_to_frontier,
    shortfall,
)
from indicators.vocabulary import UNITS

# No example database: the tests write nothing to disk.
NO_DISK = settings(database=None)


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        (5, "day", "day", 5), (5, "working_day", "working_day", 5), (3, "other", "other", 3),
        (90, "minute", "hour", 1.5), (1.5, "hour", "minute", 90), (2, "day", "hour", 48), (36, "hour", "day", 1.5),
        (1, "day", "minute", 1440), (2880, "minute", "day", 2),
        (1, "working_day", "day", None), (1, "day", "working_day", None), (8, "working_day", "hour", None),
        (8, "hour", "working_day", None), (60, "minute", "working_day", None),
        (1, "month", "day", None), (30, "day", "month", None), (1, "month", "working_day", None),
        (1, "month", "hour", None), (50, "percent", "item", None), (3, "other", "day", None),
        (3, "day", "other", None), (2, "step", "times", None),
    ],
)
def test_convert_only_where_exact(value, from_unit, to_unit, expected):
    result = convert(value, from_unit, to_unit)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@pytest.mark.parametrize(("from_unit", "to_unit"), [("fortnight", "day"), ("day", "weeks"), ("工作日", "day")])
def test_convert_names_an_unknown_unit(from_unit, to_unit):
    bad = from_unit if from_unit not in UNITS else to_unit
    with pytest.raises(ValueError, match=bad):
        convert(1, from_unit, to_unit)


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (lambda: Target(5, "day", "<<"), "<<"),
        (lambda: Target(5, "fortnight", "<="), "fortnight"),
        (lambda: Report(5, "weeks", 2020), "weeks"),
    ],
)
def test_unknown_comparator_or_unit_is_named(build, named):
    with pytest.raises(ValueError, match=named):
        build()


def test_a_missing_report_value_is_refused():
    with pytest.raises(ValueError):
        Report(float("nan"), "day", 2021)


CURRENT = 2022


@pytest.mark.parametrize(
    ("target", "report", "expected"),
    [
        # <= with unit conversion
        (Target(5, "working_day", "<="), Report(4, "working_day", 2021), Status.MET),
        (Target(5, "working_day", "<="), Report(5, "working_day", 2021), Status.MET),
        (Target(5, "working_day", "<="), Report(6, "working_day", 2021), Status.NOT_MET),
        (Target(2, "hour", "<="), Report(120, "minute", 2021), Status.MET),
        (Target(2, "hour", "<="), Report(121, "minute", 2021), Status.NOT_MET),
        (Target(10, "day", "<="), Report(240, "hour", 2021), Status.MET),
        (Target(10, "day", "<="), Report(241, "hour", 2021), Status.NOT_MET),
        (Target(1, "day", "<="), Report(7, "hour", 2021), Status.MET),
        # ranges: the upper bound decides
        (Target(5, "working_day", "<=", value_max=10), Report(8, "working_day", 2021), Status.MET),
        (Target(5, "working_day", "<=", value_max=10), Report(11, "working_day", 2021), Status.NOT_MET),
        # >=
        (Target(90, "percent", ">="), Report(90, "percent", 2021), Status.MET),
        (Target(90, "percent", ">="), Report(89.9, "percent", 2021), Status.NOT_MET),
        (Target(100, "item", ">="), Report(120, "item", 2021), Status.MET),
        # = with a tolerance of 0.5%
        (Target(200, "item", "="), Report(200, "item", 2021), Status.MET),
        (Target(200, "item", "="), Report(200.9, "item", 2021), Status.MET),
        (Target(200, "item", "="), Report(202, "item", 2021), Status.NOT_MET),
        (Target(200, "item", "="), Report(198, "item", 2021), Status.NOT_MET),
        (Target(0, "yuan", "="), Report(0, "yuan", 2021), Status.MET),
        (Target(0, "yuan", "="), Report(1, "yuan", 2021), Status.NOT_MET),
        (Target(5, "item", "=", value_max=10), Report(7, "item", 2021), Status.MET),
        (Target(5, "item", "=", value_max=10), Report(11, "item", 2021), Status.NOT_MET),
        # 全覆盖
        (Target(100, "percent", "="), Report(99.5, "percent", 2021), Status.MET),
        (Target(100, "percent", "="), Report(100, "percent", 2021), Status.MET),
        (Target(100, "percent", "="), Report(99.4, "percent", 2021), Status.NOT_MET),
        (Target(80, "percent", "="), Report(79.5, "percent", 2021), Status.NOT_MET),
        # reduce_by: a percent report is the reduction achieved; otherwise the level against the baseline
        (Target(30, "percent", "reduce_by"), Report(35, "percent", 2021), Status.MET),
        (Target(30, "percent", "reduce_by"), Report(25, "percent", 2021), Status.NOT_MET),
        (Target(50, "percent", "reduce_by", baseline=240), Report(120, "day", 2021), Status.MET),
        (Target(50, "percent", "reduce_by", baseline=240), Report(121, "day", 2021), Status.NOT_MET),
        (Target(50, "percent", "reduce_by"), Report(120, "day", 2021), Status.UNIT_MISMATCH),
        (Target(50, "percent", "reduce_by", baseline=0), Report(0, "day", 2021), Status.UNIT_MISMATCH),
        (Target(3, "day", "reduce_by", baseline=10), Report(168, "hour", 2021), Status.MET),
        (Target(3, "day", "reduce_by", baseline=10), Report(8, "day", 2021), Status.NOT_MET),
        (Target(3, "day", "reduce_by", baseline=10), Report(7, "working_day", 2021), Status.UNIT_MISMATCH),
        (Target(3, "day", "reduce_by"), Report(7, "day", 2021), Status.UNIT_MISMATCH),
        # increase_by, the mirror image
        (Target(10, "percent", "increase_by"), Report(12, "percent", 2021), Status.MET),
        (Target(10, "percent", "increase_by"), Report(8, "percent", 2021), Status.NOT_MET),
        (Target(20, "percent", "increase_by", baseline=50), Report(60, "enterprise", 2021), Status.MET),
        (Target(20, "percent", "increase_by", baseline=50), Report(59, "enterprise", 2021), Status.NOT_MET),
        (Target(20, "percent", "increase_by"), Report(60, "enterprise", 2021), Status.UNIT_MISMATCH),
        # units that cannot be compared
        (Target(5, "working_day", "<="), Report(5, "day", 2021), Status.UNIT_MISMATCH),
        (Target(5, "day", "<="), Report(3, "working_day", 2021), Status.UNIT_MISMATCH),
        (Target(3, "working_day", "<="), Report(20, "hour", 2021), Status.UNIT_MISMATCH),
        (Target(1, "month", "<="), Report(20, "day", 2021), Status.UNIT_MISMATCH),
        (Target(30, "day", "<="), Report(1, "month", 2021), Status.UNIT_MISMATCH),
        (Target(90, "percent", ">="), Report(90, "item", 2021), Status.UNIT_MISMATCH),
        (Target(5, "other", "<="), Report(5, "day", 2021), Status.UNIT_MISMATCH),
    ],
)
def test_attainment_without_a_deadline(target, report, expected):
    assert attainment(target, report, CURRENT) is expected


@pytest.mark.parametrize(
    ("target_year", "report", "expected"),
    [
        # no report
        (2020, None, Status.NO_REPORT),
        (2021, None, Status.NO_REPORT),
        (2022, None, Status.NOT_YET_DUE),
        (2025, None, Status.NOT_YET_DUE),
        (None, None, Status.NO_REPORT),
        # met whatever the dates
        (2020, Report(4, "working_day", 2022), Status.MET),
        (2025, Report(4, "working_day", 2021), Status.MET),
        # not met: still time, or late
        (2025, Report(6, "working_day", 2021), Status.NOT_YET_DUE),
        (2022, Report(6, "working_day", 2021), Status.NOT_YET_DUE),
        (2022, Report(6, "working_day", 2022), Status.NOT_YET_DUE),  # the deadline year is still running
        (2025, Report(6, "working_day", 2025), Status.NOT_YET_DUE),
        (2021, Report(6, "working_day", 2021), Status.OVERDUE),
        (2021, Report(6, "working_day", 2022), Status.OVERDUE),
        (2021, Report(6, "working_day", 2020), Status.OVERDUE),  # deadline gone, whatever the report's age
        (None, Report(6, "working_day", 2021), Status.NOT_MET),
        # a mismatch stays a mismatch whatever the dates
        (2020, Report(6, "day", 2021), Status.UNIT_MISMATCH),
    ],
)
def test_attainment_by_dates(target_year, report, expected):
    target = Target(5, "working_day", "<=", year=target_year)
    assert attainment(target, report, CURRENT) is expected


def test_status_values_are_the_strings_the_database_stores():
    assert Status.MET == "met" and Status.UNIT_MISMATCH.value == "unit_mismatch"


@pytest.mark.parametrize(
    ("target", "report", "expected"),
    [
        (Target(5, "day", "<="), Report(7, "day", 2021), 2),
        (Target(5, "day", "<="), Report(4, "day", 2021), -1),
        (Target(5, "day", "<="), Report(72, "hour", 2021), -2),
        (Target(2, "hour", "<="), Report(150, "minute", 2021), 0.5),
        (Target(5, "working_day", "<=", value_max=10), Report(12, "working_day", 2021), 2),
        (Target(5, "working_day", "<=", value_max=10), Report(7, "working_day", 2021), -3),
        (Target(90, "percent", ">="), Report(85, "percent", 2021), 5),
        (Target(90, "percent", ">="), Report(95, "percent", 2021), -5),
        (Target(100, "item", "="), Report(98, "item", 2021), 2),
        (Target(100, "item", "="), Report(103, "item", 2021), -3),
        (Target(5, "item", "=", value_max=10), Report(3, "item", 2021), 2),
        (Target(5, "item", "=", value_max=10), Report(8, "item", 2021), 0),
        (Target(5, "item", "=", value_max=10), Report(12, "item", 2021), -2),
        (Target(30, "percent", "reduce_by"), Report(25, "percent", 2021), 5),
        (Target(30, "percent", "reduce_by"), Report(40, "percent", 2021), -10),
        (Target(50, "percent", "reduce_by", baseline=240), Report(180, "day", 2021), 25),
        (Target(50, "percent", "reduce_by", baseline=240), Report(60, "day", 2021), -25),
        (Target(20, "percent", "increase_by", baseline=50), Report(55, "enterprise", 2021), 10),
        (Target(3, "day", "reduce_by", baseline=10), Report(8, "day", 2021), 1),
    ],
)
def test_shortfall_is_positive_when_short(target, report, expected):
    assert shortfall(target, report) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("target", "report"),
    [
        (Target(5, "working_day", "<="), Report(5, "day", 2021)),
        (Target(1, "month", "<="), Report(30, "day", 2021)),
        (Target(50, "percent", "reduce_by"), Report(120, "day", 2021)),
    ],
)
def test_shortfall_is_none_when_units_differ(target, report):
    assert shortfall(target, report) is None


def series(*values, index=None):
    return pd.Series([np.nan if value is None else value for value in values], index=index, dtype=float)


@pytest.mark.parametrize(
    ("values", "direction", "worst", "best", "expected"),
    [
        (series(10, 5, 0), "lower", None, None, [0, 50, 100]),
        (series(10, 5, 0), "higher", None, None, [100, 50, 0]),
        (series(8, 6, 4), "lower", 10, 2, [25, 50, 75]),
        (series(8, 6, 4), "higher", 2, 10, [75, 50, 25]),
        (series(12, 6, 1), "lower", 10, 2, [0, 50, 100]),  # beyond the bounds: clipped
        (series(1, 6, 12), "higher", 2, 10, [0, 50, 100]),
        (series(10, None, 0), "lower", None, None, [0, None, 100]),
        (series(7, 7, None), "lower", None, None, [100, 100, None]),
        (series(3, 3), "higher", 5, 5, [100, 100]),
        (series(None, None), "lower", None, None, [None, None]),
        (series(4, 8), "lower", None, 0, [50, 0]),  # worst defaults to the worst observed
        (series(1, 2), "lower", None, 5, [100, 100]),  # every value already beats the given best
    ],
)
def test_distance_to_frontier(values, direction, worst, best, expected):
    scores = distance_to_frontier(values, direction, worst=worst, best=best)
    assert scores.tolist() == pytest.approx([np.nan if value is None else value for value in expected], nan_ok=True)


def test_distance_to_frontier_keeps_the_index():
    values = series(3, None, 1, index=["630000", "430000", "500000"])
    scores = distance_to_frontier(values, "lower")
    assert scores.index.tolist() == ["630000", "430000", "500000"]
    assert scores["500000"] == 100 and scores["630000"] == 0 and math.isnan(scores["430000"])


@pytest.mark.parametrize(
    ("direction", "worst", "best", "message"),
    [("down", None, None, "down"), ("lower", 1, 10, "worst"), ("higher", 10, 1, "worst")],
)
def test_distance_to_frontier_refuses_bad_input(direction, worst, best, message):
    with pytest.raises(ValueError, match=message):
        distance_to_frontier(series(1, 2, 3), direction, worst=worst, best=best)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@NO_DISK
@given(
    st.lists(st.one_of(finite, st.just(float("nan"))), min_size=1, max_size=30),
    st.sampled_from(["lower", "higher"]),
    st.one_of(st.none(), st.tuples(finite, finite)),
)
def test_distance_to_frontier_is_bounded_and_monotone(values, direction, bounds):
    worst = best = None
    if bounds is not None:
        low, high = sorted(bounds)
        worst, best = (high, low) if direction == "lower" else (low, high)
    scores = distance_to_frontier(pd.Series(values, dtype=float), direction, worst=worst, best=best)
    pairs = sorted((value, score) for value, score in zip(values, scores) if not math.isnan(value))
    assert all(0 <= score <= 100 for _, score in pairs)
    assert [math.isnan(value) for value in values] == scores.isna().tolist()
    ordered = [score for _, score in pairs]
    # Sorted from low to high value: scores fall when lower is better, rise when higher is better.
    steps = zip(ordered, ordered[1:])
    if direction == "lower":
        assert all(later <= earlier + 1e-9 for earlier, later in steps)
    else:
        assert all(later >= earlier - 1e-9 for earlier, later in steps)


@NO_DISK
@given(finite, st.sampled_from(UNITS), st.sampled_from(UNITS))
def test_convert_round_trips(value, from_unit, to_unit):
    there = convert(value, from_unit, to_unit)
    assume(there is not None)
    back = convert(there, to_unit, from_unit)
    assume(back is not None)
    assert back == pytest.approx(value, rel=1e-12, abs=1e-12)


@NO_DISK
@given(st.sampled_from(UNITS), st.sampled_from(UNITS))
def test_convert_is_symmetric_in_what_it_allows(from_unit, to_unit):
    assert (convert(1.0, from_unit, to_unit) is None) == (convert(1.0, to_unit, from_unit) is None)


def score_frame(rows):
    return pd.DataFrame(rows, columns=["region_code", "indicator", "score"])


def test_composite_scores_average_sort_and_show_components():
    scores = score_frame(
        [
            ("630000", "startup_time", 80), ("630000", "power_time", 60),
            ("430000", "startup_time", 100), ("430000", "power_time", np.nan),
            ("500000", "startup_time", 70), ("500000", "power_time", 90),
            ("110000", "startup_time", np.nan), ("110000", "power_time", np.nan),
            ("120000", "startup_time", 90), ("120000", "power_time", 70),
        ]
    )
    result = composite_scores(scores)
    assert list(result.columns) == ["region_code", "composite", "indicators", "components"]
    assert result["region_code"].tolist() == ["430000", "120000", "500000", "630000", "110000"]
    assert result["composite"].tolist()[:4] == [100, 80, 80, 70]
    assert math.isnan(result["composite"].iloc[4])
    assert result["indicators"].tolist() == [1, 2, 2, 2, 0]
    assert result["components"].tolist() == [
        {"startup_time": 100},
        {"startup_time": 90, "power_time": 70},
        {"startup_time": 70, "power_time": 90},
        {"startup_time": 80, "power_time": 60},
        {},
    ]


def test_composite_scores_of_nothing_is_an_empty_table():
    result = composite_scores(score_frame([]))
    assert result.empty and list(result.columns) == ["region_code", "composite", "indicators", "components"]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"region_code": ["1"], "score": [5]}), "indicator"),
        (score_frame([("1", "a", 5), ("1", "a", 6)]), "more than one"),
        (score_frame([("1", "a", 101)]), r"\[0, 100\]"),
        (score_frame([("1", "a", -1)]), r"\[0, 100\]"),
    ],
)
def test_composite_scores_refuse_bad_input(frame, message):
    with pytest.raises(ValueError, match=message):
        composite_scores(frame)
