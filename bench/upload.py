"""Time and peak memory of validating and committing a 100,000-row progress workbook (median of several runs)."""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
# Run as a script, this folder would shadow the repository's packages.
sys.path = [path for path in sys.path if Path(path or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(REPO_DIR))

GOAL_SECONDS = 5.0
GOAL_MEGABYTES = 500.0


def write_workbook(path: Path, rows: int) -> None:
    """A valid progress sheet: county × indicator × quarter keys, each once, values in each indicator's unit."""
    from openpyxl import Workbook

    from indicators.regions import default_region_table
    from indicators.catalog import default_catalog
    from indicators.progress.layout import COLUMNS, DATA_SHEET

    counties = [region for region in default_region_table().all() if region.level == "county"]
    indicators = [indicator for indicator in default_catalog().indicators
                  if not indicator.code.endswith("_unclassified") and indicator.unit in ("working_day", "hour", "percent", "item")]
    periods = [f"{year}Q{quarter}" for year in range(2016, 2026) for quarter in range(1, 5)]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.append([column.header_zh for column in COLUMNS])
    written = 0
    for period in periods:
        for indicator in indicators:
            for county in counties:
                if written == rows:
                    break
                value = {"percent": 50 + written % 50, "hour": 40 + written % 100}.get(indicator.unit, 1 + written % 30)
                record = {"region_code": county.code, "region": county.name, "indicator": indicator.code,
                          "indicator_name": indicator.label_zh, "unit": indicator.unit, "period": period, "value": value,
                          "source": "统计数据"}
                sheet.append([record.get(column.field) for column in COLUMNS])
                written += 1
    workbook.save(path)


def measure(workbook: str, database: str, uploads: str) -> dict:
    """Runs in a fresh process so its peak memory is the upload's alone."""
    from indicators.progress.submissions import submit

    data = Path(workbook).read_bytes()
    started = time.perf_counter()
    outcome = submit(data, Path(workbook).name, "bench", Path(database), folder=Path(uploads))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    errors = [problem.message("en") for problem in outcome.errors[:3]]
    return {"seconds": elapsed, "peak_mb": peak, "stored": outcome.stored, "rows": len(outcome.validation.rows),
            "errors": errors}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--rows", type=int, default=100_000)
    options.add_argument("--runs", type=int, default=3)
    arguments = options.parse_args()

    from etl.build import build
    from indicators.paths import POLICIES_DIR

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        workbook = folder / "progress_100k.xlsx"
        started = time.perf_counter()
        write_workbook(workbook, arguments.rows)
        print(f"workbook: {arguments.rows:,} rows, {workbook.stat().st_size / 1e6:.1f} MB, "
              f"written in {time.perf_counter() - started:.1f} s")
        base = folder / "base.duckdb"
        build(POLICIES_DIR, base, samples_dir=None)
        context = multiprocessing.get_context("spawn")
        results = []
        for run in range(arguments.runs):
            database = folder / f"run{run}.duckdb"
            database.write_bytes(base.read_bytes())  # every run commits into the same starting database
            with context.Pool(1) as pool:
                result = pool.apply(measure, (str(workbook), str(database), str(folder / f"uploads{run}")))
            results.append(result)
            print(f"  run {run + 1}: {result['seconds']:.2f} s, peak RSS {result['peak_mb']:.0f} MB, "
                  f"stored={result['stored']} rows={result['rows']:,} {result['errors'] or ''}")
        seconds = statistics.median(result["seconds"] for result in results)
        peak = statistics.median(result["peak_mb"] for result in results)
        print(f"median: {seconds:.2f} s ({arguments.rows / seconds:,.0f} rows/s), peak RSS {peak:.0f} MB")
        print(f"goal {GOAL_SECONDS:.0f} s: {'met' if seconds < GOAL_SECONDS else 'not met'}; "
              f"goal {GOAL_MEGABYTES:.0f} MB: {'met' if peak < GOAL_MEGABYTES else 'not met'}")


if __name__ == "__main__":
    main()
