"""Benchmark of the pages at county scale: per-query latency, AppTest render time and peak memory on ~4.5M reported values."""
from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
# bench/ holds etl.py, which would shadow the `etl` package if this file's folder stayed on sys.path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(REPO_DIR))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

# The project's own modules are imported inside the functions that use them: the render process is spawned at
# start-up (see main) and should load the app's code when it renders, not minutes earlier.

GOAL_QUERY_MS = 100.0
GOAL_RENDER_S = 1.5
GOAL_MEMORY_MB = 1000.0  # 1 GB in decimal megabytes, as bench/etl.py counts them
MB = 1_000_000

INDICATOR_COUNT = 40
YEARS = range(2016, 2026)
QUARTERS = range(1, 5)
TARGET_YEARS = (2020, 2025)  # inclusive
QUERY_YEAR = 2021
SEARCH_TERM = "办电"
SEED = 20211122
# Every synthetic id and file name starts with this, so a generated file can be recognised and never confused with data.
MARK = "bench-"
SYNTHETIC_SOURCE = "基准测试合成数据（bench/queries.py）"
DOCUMENT_TITLE_SUFFIX = "县级营商环境主要指标目标清单（基准测试合成数据）"
# Typical 2016 level per canonical unit; a per-indicator factor spreads indicators of the same unit apart.
UNIT_CENTRES = {
    "working_day": 12.0, "day": 40.0, "hour": 36.0, "month": 8.0, "minute": 40.0, "item": 150.0, "step": 6.0,
    "times": 8.0, "percent": 65.0, "yuan": 3000.0, "enterprise": 20000.0, "other": 100.0,
}
# Yearly improvement rates: lower-is-better values fall, counts rise, and a percentage's gap to 100 closes faster.
RATE_DOWN, RATE_UP, RATE_GAP = 0.08, 0.06, 0.15
COUNTY_SPREAD, PERIOD_NOISE = 0.35, 0.08  # log-scale standard deviations
AMBITION = 0.85  # a target asks for this fraction of the expected value (or of the remaining gap)
ROUNDED_UNITS = ("item", "step", "times", "yuan", "enterprise")
APPTEST_TIMEOUT_S = 3600  # the home page at this scale has taken minutes; AppTest's default of 3 s would abort it


@dataclass(frozen=True)
class Scale:
    """What generate() adds to the corpus: the first `counties_per_province` county-level units of every province
    (None: all of them) × `indicators` indicators × every quarter of YEARS."""

    name: str
    counties_per_province: int | None
    indicators: int


COUNTY_SCALE = Scale("county-scale", None, INDICATOR_COUNT)
# Enough for every page to find a province, a county and an indicator with data; generated in about a second.
TINY_SCALE = Scale("tiny", 2, 3)


# --- The county-scale database ------------------------------------------------------------------

def bench_indicators(scale: Scale = COUNTY_SCALE) -> pd.DataFrame:
    """The catalog's named indicators (cycled up to the scale's count), with a centre and a shape for their values."""
    from indicators.catalog import default_catalog
    from indicators.i18n import unit_label

    named = [indicator for indicator in default_catalog().indicators if not indicator.code.endswith("_unclassified")]
    chosen = [named[position % len(named)] for position in range(scale.indicators)]
    factors = np.random.default_rng(SEED).uniform(0.6, 1.4, size=len(chosen))
    rows = []
    for position, (indicator, factor) in enumerate(zip(chosen, factors)):
        if indicator.unit == "percent" and indicator.direction == "higher":
            shape, rate = "gap", RATE_GAP
        else:
            shape, rate = ("down", RATE_DOWN) if indicator.direction == "lower" else ("up", RATE_UP)
        centre = UNIT_CENTRES[indicator.unit] * (1.0 if indicator.unit == "percent" else factor)
        rows.append({
            "position": position, "indicator_code": indicator.code, "label_zh": indicator.label_zh,
            "family": indicator.family, "unit": indicator.unit, "unit_zh": unit_label(indicator.unit, "zh"),
            "direction": indicator.direction, "comparator": "<=" if indicator.direction == "lower" else ">=",
            "shape": shape, "rate": rate, "centre": centre, "decimals": 0 if indicator.unit in ROUNDED_UNITS else 1,
        })
    return pd.DataFrame(rows)


def bench_counties(scale: Scale = COUNTY_SCALE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scale's county-level units with their province (first two digits of the code), and the provinces that have any."""
    from indicators.regions import default_region_table

    table = default_region_table()
    regions = table.all()
    names = {region.code: region.name for region in regions}
    counties = pd.DataFrame(
        [{"region_code": r.code, "name": r.name, "province_code": r.code[:2] + "0000"} for r in regions if r.level == "county"]
    )
    if scale.counties_per_province is not None:
        counties = (counties.sort_values("region_code").groupby("province_code").head(scale.counties_per_province)
                    .reset_index(drop=True))
    provinces = counties.groupby("province_code").size().rename("counties").reset_index()
    provinces["province_name"] = provinces["province_code"].map(names)
    return counties, provinces


# Deterministic pseudo-random numbers from a hash of the cell's coordinates: the same file on every run and every
# thread count, and no per-row Python. The hash's last argument picks the stream; two uniforms make one normal
# (Box-Muller).
GENERATOR_MACROS = """
CREATE OR REPLACE TEMPORARY MACRO bench_uniform(h) AS ((h % 1000003)::DOUBLE + 0.5) / 1000003;
CREATE OR REPLACE TEMPORARY MACRO bench_normal(h1, h2) AS
    sqrt(-2 * ln(bench_uniform(h1))) * cos(2 * pi() * bench_uniform(h2));
CREATE OR REPLACE TEMPORARY MACRO bench_value(shape, centre, rate, t, m) AS CASE shape
    WHEN 'gap' THEN greatest(0.0, 100 - (100 - centre) * exp(-rate * t + m))
    WHEN 'down' THEN centre * exp(-rate * t + m)
    ELSE centre * exp(rate * t + m) END;
"""

# County effect: persistent over the years, so each county's series looks like one place improving.
COUNTY_EFFECT = "bench_normal(hash(c.region_code, i.position, 'county-a'), hash(c.region_code, i.position, 'county-b'))"

INSERT_REPORTS = f"""
INSERT INTO reported_values (reported_id, origin, submission_id, target_id, region_code, indicator, scope, period,
                             period_year, value, unit, as_of, source, note)
SELECT '{MARK}' || region_code || '-' || lpad(position::VARCHAR, 2, '0') || '-' || period,
       'submission', '{MARK}sub-' || province_code || '-' || year, NULL, region_code, indicator_code, NULL, period, year,
       round(CASE WHEN unit = 'percent' THEN least(100.0, raw) ELSE raw END, decimals::INTEGER), unit,
       (make_date(year, quarter * 3, 1) + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE, '{SYNTHETIC_SOURCE}', NULL
FROM (
    SELECT c.region_code, c.province_code, i.position, i.indicator_code, i.unit, i.decimals, y.range AS year,
           q.range AS quarter, y.range || 'Q' || q.range AS period,
           bench_value(i.shape, i.centre, i.rate, (y.range - {YEARS[0]}) + (q.range - 1) / 4.0,
                       {COUNTY_SPREAD} * {COUNTY_EFFECT}
                       + {PERIOD_NOISE} * bench_normal(hash(c.region_code, i.position, y.range, q.range, 'a'),
                                                       hash(c.region_code, i.position, y.range, q.range, 'b'))) AS raw
    FROM bench_county_frame c CROSS JOIN bench_indicator_frame i
    CROSS JOIN range({YEARS[0]}, {YEARS[-1] + 1}) y CROSS JOIN range({QUARTERS[0]}, {QUARTERS[-1] + 1}) q
)
"""

INSERT_DOCUMENTS = f"""
INSERT INTO documents (document_id, doc, file_sha256, title, issuer, document_number, issue_date, issue_year,
                       region_code, level, first_line, last_line, source)
SELECT '{MARK}' || province_code || '.txt', '{MARK}' || province_code || '.txt', sha256('{MARK}' || province_code),
       province_name || '{DOCUMENT_TITLE_SUFFIX}', province_name || '人民政府办公厅', NULL,
       DATE '{TARGET_YEARS[0]}-06-30', {TARGET_YEARS[0]}, province_code, 'province', 1,
       counties * (SELECT count(*) FROM bench_indicator_frame),
       '{SYNTHETIC_SOURCE}'
FROM bench_province_frame
"""

INSERT_TARGETS = f"""
INSERT INTO targets (target_id, document_id, doc, line, column_offset, section_title, region_code, region, level,
                     category, indicator, scope, value, value_max, unit, comparator, baseline, year, year_explicit,
                     kind, quote, paragraph, correction)
WITH cell AS (
    SELECT c.region_code, c.name, c.province_code, p.province_name, i.position, i.indicator_code, i.label_zh,
           i.family, i.unit, i.unit_zh, i.comparator, i.shape, i.centre, i.rate, i.decimals,
           ({TARGET_YEARS[0]} + hash(c.region_code, i.position, 'year') % {TARGET_YEARS[1] - TARGET_YEARS[0] + 1})::INTEGER
           AS year,
           {COUNTY_SPREAD} * {COUNTY_EFFECT} AS m
    FROM bench_county_frame c CROSS JOIN bench_indicator_frame i JOIN bench_province_frame p USING (province_code)
), valued AS (
    -- The county's expected value in the target year, made more ambitious: a lower time, a higher count, a smaller gap.
    SELECT *, round(CASE shape
        WHEN 'gap' THEN 100 - {AMBITION} * (100 - bench_value(shape, centre, rate, year - {YEARS[0]}, m))
        WHEN 'down' THEN {AMBITION} * bench_value(shape, centre, rate, year - {YEARS[0]}, m)
        ELSE least(CASE WHEN unit = 'percent' THEN 100.0 ELSE 'inf'::DOUBLE END,
                   bench_value(shape, centre, rate, year - {YEARS[0]}, m) / {AMBITION}) END, decimals::INTEGER) AS value
    FROM cell
), quoted AS (
    SELECT *, year || '年底前' || label_zh || CASE comparator WHEN '<=' THEN '不超过' ELSE '不低于' END
              || CASE WHEN value = round(value) THEN value::BIGINT::VARCHAR ELSE value::VARCHAR END || unit_zh AS quote
    FROM valued
)
SELECT '{MARK}' || region_code || '-' || lpad(position::VARCHAR, 2, '0'), '{MARK}' || province_code || '.txt',
       '{MARK}' || province_code || '.txt',
       row_number() OVER (PARTITION BY province_code ORDER BY region_code, position)::INTEGER,
       length(name) + 1,  -- the paragraph is "<county>：<quote>。", so the quote starts after the name and the colon
       province_name || '{DOCUMENT_TITLE_SUFFIX}', region_code, name, 'county', family, indicator_code, NULL, value,
       NULL, unit, comparator, NULL, year, true, 'target', quote, name || '：' || quote || '。', NULL
FROM quoted
"""

# One evaluator upload per province and year, so every submitted value points at a real submissions row.
INSERT_SUBMISSIONS = f"""
INSERT INTO submissions (submission_id, file_name, file_sha256, uploaded_by, uploaded_at, row_count, status)
SELECT '{MARK}sub-' || p.province_code || '-' || y.range, '{MARK}' || p.province_code || '-' || y.range || '.xlsx',
       sha256('{MARK}sub-' || p.province_code || '-' || y.range), 'bench', make_timestamp(y.range + 1, 1, 15, 9, 0, 0),
       p.counties * (SELECT count(*) FROM bench_indicator_frame) * {len(QUARTERS)}, 'active'
FROM bench_province_frame p CROSS JOIN range({YEARS[0]}, {YEARS[-1] + 1}) y
"""

COUNTED_TABLES = ("regions", "indicators", "documents", "targets", "submissions", "reported_values")


def table_counts(database: Path) -> dict[str, int]:
    # A connection of its own, closed at once, so the store's shared reader is first opened by the timed queries.
    with duckdb.connect(str(database), read_only=True) as connection:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in COUNTED_TABLES}


def expected_synthetic_reports(scale: Scale) -> int:
    counties, _ = bench_counties(scale)
    return len(counties) * scale.indicators * len(YEARS) * len(QUARTERS)


def is_generated(database: Path, scale: Scale = COUNTY_SCALE) -> bool:
    """True when `database` is a complete file from generate() at this scale, so --db can reuse it."""
    try:
        with duckdb.connect(str(database), read_only=True) as connection:
            synthetic = connection.execute(
                f"SELECT count(*) FROM reported_values WHERE reported_id LIKE '{MARK}%'").fetchone()[0]
    except duckdb.Error:
        return False
    return synthetic > 0 and synthetic == expected_synthetic_reports(scale)


def generate(database: Path, scale: Scale = COUNTY_SCALE) -> None:
    """The real corpus, then synthetic county reports, targets, documents and submissions, in one transaction."""
    from etl.build import build
    from indicators.paths import CORRECTIONS_FILE, POLICIES_DIR

    started = time.perf_counter()
    result = build(POLICIES_DIR, database, CORRECTIONS_FILE)
    built = time.perf_counter()
    print(f"  corpus build: {built - started:.1f} s ({result.documents} documents, {result.targets} targets, "
          f"{result.reported_values} derived reported values)")
    counties, provinces = bench_counties(scale)
    indicators = bench_indicators(scale)
    print(f"  {scale.name}: {len(counties):,} counties × {len(indicators)} indicators × {len(YEARS) * len(QUARTERS)} quarters")
    # No progress bar: it would interleave with the report.
    connection = duckdb.connect(str(database))
    try:
        connection.execute("SET enable_progress_bar = false")
        connection.register("bench_county_frame", counties)
        connection.register("bench_province_frame", provinces)
        connection.register("bench_indicator_frame", indicators)
        connection.execute(GENERATOR_MACROS)
        connection.execute("BEGIN TRANSACTION")
        steps = (("documents", INSERT_DOCUMENTS), ("targets", INSERT_TARGETS), ("submissions", INSERT_SUBMISSIONS),
                 ("reported_values", INSERT_REPORTS))
        for table, statement in steps:
            step_started = time.perf_counter()
            connection.execute(statement)
            print(f"  synthetic {table}: {time.perf_counter() - step_started:.1f} s")
        step_started = time.perf_counter()
        connection.execute("COMMIT")
        connection.execute("CHECKPOINT")
        print(f"  commit and checkpoint: {time.perf_counter() - step_started:.1f} s")
    finally:
        connection.close()
    print(f"  generation total: {time.perf_counter() - started:.1f} s, file {database.stat().st_size / MB:.0f} MB")


def generated_database(destination: Path, reuse: Path | None = None, scale: Scale = COUNTY_SCALE) -> Path:
    """`destination` filled with a copy of `reuse` when that is a file generate() made at this scale, else generated.

    The copy keeps `reuse` itself untouched by the benches that write (uploads, audited writes).
    """
    if reuse is not None and reuse.exists() and is_generated(reuse, scale):
        print(f"Copying the {scale.name} database {reuse}…")
        shutil.copyfile(reuse, destination)
    else:
        if reuse is not None:
            print(f"{reuse} is not a {scale.name} database generated by bench/queries.py; generating one instead.")
        print(f"Generating the {scale.name} database (bench/queries.py's generator):")
        generate(destination, scale)
    return destination


# --- Query latency ------------------------------------------------------------------------------

def row_count(result) -> int:
    if result is None:
        return 0
    if isinstance(result, (pd.DataFrame, list, tuple)):
        return len(result)
    if isinstance(result, dict):
        frames = [value for value in result.values() if isinstance(value, pd.DataFrame)]
        return sum(len(frame) for frame in frames) if frames else 1
    return 1


def realistic_arguments(database: Path) -> dict:
    """Arguments a user would pass, chosen through the store itself: the busiest indicator, a busy province, its first county."""
    from indicators import store

    choices = store.indicator_choices(database)
    busiest = choices.assign(rows=choices["targets"] + choices["reports"]).sort_values(
        ["rows", "indicator_code"], ascending=[False, True]).iloc[0]
    indicator = busiest["indicator_code"]
    regions = store.regions_with_data(database)
    # 140000 (Shanxi) is the region page's default and has real targets and sample values besides the synthetic ones.
    province = "140000" if "140000" in set(regions["region_code"]) else regions[regions["level"] == "province"].iloc[0]["region_code"]
    targets = store.indicator_targets(database, indicator)
    # A county with a target of the indicator, so the library's target detail has one to open (at county scale every
    # county has one; in a tiny file a corpus county may come first).
    county = regions[(regions["level"] == "county") & regions["region_code"].str.startswith(province[:2])
                     & regions["region_code"].isin(set(targets["region_code"]))].iloc[0]["region_code"]
    return {
        "indicator": indicator, "year": QUERY_YEAR, "province": province, "county": county,
        "indicator_codes": tuple(sorted(choices["indicator_code"])),
        "document_ids": tuple(sorted(set(targets["document_id"]))),
        "target_id": targets[targets["region_code"] == county]["target_id"].iloc[0],
    }


def query_cases(database: Path, arguments: dict) -> list[tuple[str, str, Callable]]:
    """(page, label, call) for every store read behind the pages, in the order the pages issue them."""
    from indicators import store

    a = arguments
    ind, year, province, county = a["indicator"], a["year"], a["province"], a["county"]
    return [
        ("home", "database_summary", lambda: store.database_summary(database)),
        ("home", "targets_with_latest_reports", lambda: store.targets_with_latest_reports(database, True)),
        ("home", "coverage_matrix", lambda: store.coverage_matrix(database)),
        ("home", "targets_table(all families)", lambda: store.targets_table(database, family=None)),
        ("home", "documents_overview", lambda: store.documents_overview(database)),
        ("home", "latest_submissions", lambda: store.latest_submissions(database)),
        ("home", "full_export", lambda: store.full_export(database)),
        ("home", "latest_build_failures", lambda: store.latest_build_failures(database)),
        ("compare", "indicator_choices", lambda: store.indicator_choices(database)),
        ("compare", "indicator_scopes", lambda: store.indicator_scopes(database, ind)),
        ("compare", "indicator_years", lambda: store.indicator_years(database, ind, True)),
        ("compare", "report_years", lambda: store.report_years(database, ind, True)),
        ("compare", f"latest_reports({year})", lambda: store.latest_reports(database, ind, year, True)),
        ("compare", "indicator_targets", lambda: store.indicator_targets(database, ind)),
        ("compare", "documents_by_id", lambda: store.documents_by_id(database, a["document_ids"])),
        ("compare", "indicator_definitions(1)", lambda: store.indicator_definitions(database, (ind,))),
        ("compare", f"year_reports({year})", lambda: store.year_reports(database, year, True)),
        ("compare", "indicator_definitions(all named)", lambda: store.indicator_definitions(database, a["indicator_codes"])),
        ("region", "regions_with_data", lambda: store.regions_with_data(database)),
        ("region", "indicator_definitions(())", lambda: store.indicator_definitions(database, ())),
        ("region", f"region_targets(province {province})", lambda: store.region_targets(database, province)),
        ("region", f"region_reports(province {province})", lambda: store.region_reports(database, province, True)),
        ("region", f"region_targets(county {county})", lambda: store.region_targets(database, county)),
        ("region", f"region_reports(county {county})", lambda: store.region_reports(database, county, True)),
        ("region", "national_targets", lambda: store.national_targets(database)),
        ("indicator", "latest_reports(all years)", lambda: store.latest_reports(database, ind, None, True)),
        ("indicator", "yearly_reports", lambda: store.yearly_reports(database, ind, True)),
        ("library", "documents_for_filter", lambda: store.documents_for_filter(database)),
        ("library", "library_rows(no filter)", lambda: store.library_rows(database, {}, None)),
        ("library", f"library_rows(search {SEARCH_TERM})", lambda: store.library_rows(database, {}, SEARCH_TERM)),
        ("library", "library_rows(county filter)", lambda: store.library_rows(database, {"region_code": county}, None)),
        ("library", "target_detail", lambda: store.target_detail(database, a["target_id"])),
    ]


def time_queries(database: Path, runs: int) -> tuple[list[dict], dict]:
    from indicators import store

    arguments = realistic_arguments(database)
    print(f"Arguments: indicator {arguments['indicator']}, year {arguments['year']}, province {arguments['province']}, "
          f"county {arguments['county']}, search '{SEARCH_TERM}'")
    print(f"{'page':<10} {'query':<40} {'median ms':>10} {'min ms':>9} {'rows':>9}  goal {GOAL_QUERY_MS:g} ms")
    # What every store function pays to get a connection; part of each time below, not counted as a query.
    floor = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        with store.read_connection(database):
            pass
        floor.append((time.perf_counter() - started) * 1000)
    print(f"{'(floor)':<10} {'read_connection enter + exit':<40} {statistics.median(floor[1:]):>10.1f} "
          f"{min(floor[1:]):>9.1f} {0:>9}")
    results = []
    for page, name, call in query_cases(database, arguments):
        result = call()  # warm-up: file pages in the OS cache, DuckDB and pandas code paths loaded
        samples = []
        for _ in range(runs):
            result = None  # free the previous result first, so full_export is not timed with two copies in memory
            started = time.perf_counter()
            result = call()
            samples.append((time.perf_counter() - started) * 1000)
        row = {"page": page, "query": name, "median_ms": statistics.median(samples), "min_ms": min(samples),
               "rows": row_count(result)}
        row["met"] = row["median_ms"] <= GOAL_QUERY_MS
        results.append(row)
        print(f"{page:<10} {name:<40} {row['median_ms']:>10.1f} {row['min_ms']:>9.1f} {row['rows']:>9}  "
              f"{'met' if row['met'] else 'NOT MET'}", flush=True)
    return results, arguments


# --- Page renders in a fresh process ------------------------------------------------------------

def open_app(query: dict):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=APPTEST_TIMEOUT_S)
    for name, value in query.items():
        app.query_params[name] = value
    return app


def timed_run(app) -> tuple[float, list[str]]:
    started = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - started
    return seconds, [exception.message for exception in app.exception]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB  # Linux reports KiB


def high_water_mb() -> float | None:
    """VmHWM of this process's own address space, a cross-check of ru_maxrss (which exec does not reset)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / MB
    except OSError:
        pass
    return None


def render_pages(database: str, arguments: dict, runs: int, with_home: bool) -> dict:
    """Runs in a fresh spawned process standing in for the app server; records peak RSS after every render.

    Without the home page, the compare page is opened directly (AppTest allows it for a pages/ folder), to show
    how much of the peak the other pages need by themselves.
    """
    os.environ["BIZENV_DB"] = database
    import streamlit as st

    renders: list[dict] = []

    def record(page: str, note: str, seconds: float, errors: list[str]) -> None:
        renders.append({"page": page, "note": note, "seconds": seconds, "errors": errors, "peak_mb": peak_mb()})
        print(f"  {page:<10} {note:<46} {seconds:>8.2f} s   peak RSS so far {peak_mb():>6.0f} MB"
              + (f"   ERRORS: {errors}" if errors else ""), flush=True)

    # Cold: a visitor opening the app at its root, then the compare page, in a process that has served nothing yet;
    # the home run doubles as the home page's own cold render.
    app = open_app({"indicator": arguments["indicator"], "year": str(arguments["year"])})
    if with_home:
        seconds, errors = timed_run(app)
        record("home", "cold (first run in the process)", seconds, errors)
    app.switch_page("pages/compare.py")
    seconds, errors = timed_run(app)
    record("compare", "cold (first compare run)", seconds, errors)

    # Warm: reruns of the same page, which is what Streamlit does on every click; the data cache is filled. Reruns
    # rather than new sessions, because each new session would render home again, which takes minutes at this scale.
    warm = []
    for run in range(runs):
        seconds, errors = timed_run(app)
        warm.append(seconds)
        record("compare", f"warm rerun {run + 1}", seconds, errors)

    # Uncached: the data cache emptied before each rerun, as for the first visitor of another indicator or year.
    uncached = []
    for run in range(runs):
        st.cache_data.clear()
        seconds, errors = timed_run(app)
        uncached.append(seconds)
        record("compare", f"uncached rerun {run + 1}", seconds, errors)

    # The other pages once each, reached from the compare page in the same session as through the sidebar.
    def visit(page: str, note: str, prepare) -> None:
        try:
            prepare()
            seconds, errors = timed_run(app)
        except Exception as error:  # a widget lookup fails when the page broke before drawing it; report, go on
            seconds, errors = float("nan"), [f"{type(error).__name__}: {error}"]
        record(page, note, seconds, errors)

    def to_region() -> None:
        app.query_params["region"] = arguments["province"]
        app.switch_page("pages/region.py")

    visit("region", f"province {arguments['province']}", to_region)
    visit("region", f"county {arguments['county']} (picked in the selectbox)",
          lambda: app.selectbox(key="region").set_value(arguments["county"]))
    visit("indicator", arguments["indicator"], lambda: app.switch_page("pages/indicator.py"))
    visit("library", "no filter", lambda: app.switch_page("pages/library.py"))
    visit("library", f"search {SEARCH_TERM} (typed in the search box)",
          lambda: app.text_input(key="search").input(SEARCH_TERM))

    return {"renders": renders, "warm": warm, "uncached": uncached, "peak_mb": peak_mb(), "vm_hwm_mb": high_water_mb()}


# --- Main ---------------------------------------------------------------------------------------

def verdict(met: bool) -> str:
    return "met" if met else "not met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, help="timed runs per query and per compare render (default 5, tiny 1)")
    parser.add_argument("--keep", action="store_true", help="leave the temporary folder with the database")
    parser.add_argument("--db", type=Path, help="generated database to reuse, or where to generate one")
    parser.add_argument("--tiny", action="store_true",
                        help="a tiny generated database, one run, no memory cross-check: checks the bench runs, in seconds")
    args = parser.parse_args()
    scale = TINY_SCALE if args.tiny else COUNTY_SCALE
    runs = args.runs or (1 if args.tiny else 5)

    # The render process is spawned now, while this one is still small: Linux keeps a process's ru_maxrss across exec,
    # so a worker spawned after the query timings (full_export alone holds gigabytes) would report this process's peak.
    renderer = multiprocessing.get_context("spawn").Pool(1)
    renderer_without_home = None if args.tiny else multiprocessing.get_context("spawn").Pool(1)
    temporary = None
    if args.db is not None:
        database = args.db.resolve()
    else:
        # mkdtemp under --keep because TemporaryDirectory always deletes on exit.
        temporary = None if args.keep else tempfile.TemporaryDirectory(prefix="bizenv-bench-")
        work = Path(tempfile.mkdtemp(prefix="bizenv-bench-") if args.keep else temporary.name)
        database = work / f"{scale.name}.duckdb"
    try:
        # Other work on this machine (a test run, say) slows every number below; the load average tells.
        print(f"Machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
        print(f"Database: {database}")
        if database.exists() and is_generated(database, scale):
            # The schema may have moved on since the file was made; its migrations and views are idempotent.
            from indicators.store import create_schema

            with duckdb.connect(str(database)) as connection:
                create_schema(connection)
            print("  reusing the generated file (schema brought up to date)")
        elif database.exists():
            # Never overwrite a file this script did not make: it may be someone's real database.
            print(f"  exists but is not a {scale.name} database generated by this script; pass another --db path")
            raise SystemExit(2)
        else:
            print(f"Generating the {scale.name} database:")
            generate(database, scale)
        counts = table_counts(database)
        print("  rows: " + ", ".join(f"{table} {count:,}" for table, count in counts.items()))

        print(f"\nQueries (store functions as the pages call them, no Streamlit cache; median and min of {runs} "
              "runs after one warm-up):")
        queries, arguments = time_queries(database, runs)

        print(f"\nAppTest renders in a fresh spawned process (BIZENV_DB = the generated file; compare: "
              f"indicator {arguments['indicator']}, year {arguments['year']}):")
        renders = renderer.apply(render_pages, (str(database), arguments, runs, True))
        without_home = None
        if renderer_without_home is not None:
            print("\nThe same without the home page, in another fresh process (memory cross-check, one rerun each):")
            without_home = renderer_without_home.apply(render_pages, (str(database), arguments, 1, False))

        slow = sorted((q for q in queries if not q["met"]), key=lambda q: -q["median_ms"])
        cold = next(r for r in renders["renders"] if r["page"] == "compare" and r["note"].startswith("cold"))
        warm_median = statistics.median(renders["warm"])
        uncached_median = statistics.median(renders["uncached"])
        errors = [r for r in renders["renders"] if r["errors"]]

        queries_met = not slow
        render_met = warm_median <= GOAL_RENDER_S
        memory_met = renders["peak_mb"] <= GOAL_MEMORY_MB
        slowest = f"slowest {slow[0]['page']}/{slow[0]['query']} {slow[0]['median_ms']:.0f} ms" if slow else ""
        hwm = "n/a" if renders["vm_hwm_mb"] is None else f"{renders['vm_hwm_mb']:.0f} MB"
        summary = [
            (f"every page query, median <= {GOAL_QUERY_MS:g} ms", f"{len(queries) - len(slow)}/{len(queries)} within; {slowest}",
             queries_met),
            (f"compare page render, warm median <= {GOAL_RENDER_S:g} s",
             f"{warm_median:.2f} s (cold {cold['seconds']:.2f} s, uncached {uncached_median:.2f} s)", render_met),
            ("app process peak RSS <= 1 GB", f"{renders['peak_mb']:.0f} MB (VmHWM {hwm}); without home "
             + ("not measured" if without_home is None else f"{without_home['peak_mb']:.0f} MB"), memory_met),
        ]
        print("\nSummary")
        print(f"  {'goal':<42} {'measured':<58} verdict")
        for goal, measured, met in summary:
            print(f"  {goal:<42} {measured:<58} {verdict(met)}")
        print("  queries over the goal, slowest first:")
        for q in slow:
            print(f"    {q['page']:<10} {q['query']:<40} {q['median_ms']:>9.0f} ms {q['rows']:>10,} rows")
        print("  other page renders (once each):")
        for r in renders["renders"]:
            if r["page"] != "compare":
                print(f"    {r['page']:<10} {r['note']:<40} {r['seconds']:>9.2f} s")
        if errors:
            print("  pages that raised: " + "; ".join(f"{r['page']} ({r['note']}): {r['errors']}" for r in errors))
        print(f"  load average at the end: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[2]:.2f} (15 min)")
        print()
        if args.tiny:
            print(f"(Tiny mode, {scale.name} database: the verdicts below say nothing about the goals at county scale.)")
        print(f"Verdict: query latency goal ({GOAL_QUERY_MS:g} ms): {verdict(queries_met)}")
        print(f"Verdict: compare render goal ({GOAL_RENDER_S:g} s): {verdict(render_met)}")
        print(f"Verdict: peak memory goal (1 GB): {verdict(memory_met)}")
        if errors:
            raise SystemExit("Some pages raised (see above): their times are not those of working pages.")
    finally:
        for pool in filter(None, (renderer, renderer_without_home)):
            pool.terminate()
            pool.join()
        if temporary is not None:
            temporary.cleanup()
        elif args.keep and args.db is None:
            print(f"\nKept temporary folder: {database.parent}")


if __name__ == "__main__":
    main()
