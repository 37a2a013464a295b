"""Benchmark of the ETL build: shipped-corpus time, scaling on a replicated corpus, and peak memory per build."""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
# This file is itself called etl.py, so its own folder must not shadow the `etl` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(REPO_DIR))

from etl.documents import META_SUFFIX, metadata_path, source_files  # noqa: E402
from indicators.paths import CORRECTIONS_FILE, POLICIES_DIR  # noqa: E402

MB = 1_000_000  # decimal megabytes, the unit of the 5 MB/s goal
GOAL_MB_PER_S = 5.0
LINEAR_TOLERANCE = 0.25


def measure_build(policies_dir: str, database: str) -> dict:
    """Runs in a fresh spawned process, so ru_maxrss is the peak of this one build alone."""
    from etl.build import build

    started = time.perf_counter()
    result = build(Path(policies_dir), Path(database), CORRECTIONS_FILE)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB,  # Linux reports KiB
        "files": result.files, "documents": result.documents, "targets": result.targets,
        "failures": [f"{f.file_name}: {f.reason}" for f in result.failures],
    }


def run_build(policies_dir: Path, database: Path) -> dict:
    # One single-use pool per build: a new interpreter each time, nothing cached from earlier runs.
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(measure_build, (str(policies_dir), str(database)))


def text_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in source_files(folder))


def replicate(source: Path, destination: Path, copies: int) -> None:
    """`copies` renamed copies of every document, each with its meta file, so all of them load."""
    destination.mkdir(parents=True)
    for replica in range(copies):
        for document in source_files(source):
            name = f"r{replica:04d}_{document.name}"
            shutil.copyfile(document, destination / name)
            shutil.copyfile(metadata_path(document), destination / (Path(name).stem + META_SUFFIX))


def measure_size(label: str, policies_dir: Path, work: Path, runs: int, verbose: bool) -> dict:
    """Median time and peak memory of `runs` builds, each into a database that does not exist yet."""
    size = text_bytes(policies_dir)
    samples = []
    for run in range(runs):
        sample = run_build(policies_dir, work / f"{label}-run{run + 1}.duckdb")
        samples.append(sample)
        if verbose:
            print(f"  run {run + 1}: {sample['seconds']:.3f} s, peak RSS {sample['peak_mb']:.0f} MB")
    first = samples[0]
    if first["failures"]:
        # A build that skipped files measured less text than it claims; say so rather than hide it.
        print(f"  WARNING: {len(first['failures'])} files failed, e.g. {first['failures'][0]}")
    median = statistics.median(s["seconds"] for s in samples)
    return {
        "mb": size / MB, "seconds": median, "mb_per_s": size / MB / median,
        "peak_mb": statistics.median(s["peak_mb"] for s in samples),
        "files": first["files"], "documents": first["documents"], "targets": first["targets"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, help="runs per size (default 5 for the shipped corpus, 3 replicated)")
    parser.add_argument("--target-mb", type=float, default=50.0, help="largest replicated size in MB of text")
    parser.add_argument("--keep", action="store_true", help="leave the temporary folder and print its path")
    args = parser.parse_args()

    # mkdtemp under --keep because TemporaryDirectory always deletes on exit.
    temporary = None if args.keep else tempfile.TemporaryDirectory(prefix="bizenv-bench-")
    work = Path(tempfile.mkdtemp(prefix="bizenv-bench-") if args.keep else temporary.name)
    try:
        shipped_bytes = text_bytes(POLICIES_DIR)
        print(f"Shipped corpus {POLICIES_DIR}: {shipped_bytes / MB:.3f} MB of text (MB = 10^6 bytes)")
        print("Each build runs in a fresh spawned process; time is the build() call, peak is that process's max RSS.")
        shipped = measure_size("shipped", POLICIES_DIR, work, args.runs or 5, verbose=True)
        print(f"  median {shipped['seconds']:.3f} s, {shipped['mb_per_s']:.2f} MB/s, peak RSS {shipped['peak_mb']:.0f} MB "
              f"({shipped['files']} files, {shipped['documents']} documents, {shipped['targets']} targets)")

        print(f"\nScaling (replicated corpus, median of {args.runs or 3} runs each):")
        scaled = []
        for fraction in (0.25, 0.5, 1.0):
            copies = max(1, round(args.target_mb * fraction * MB / shipped_bytes))
            folder = work / f"corpus-x{copies}"
            replicate(POLICIES_DIR, folder, copies)
            result = measure_size(f"x{copies}", folder, work, args.runs or 3, verbose=False)
            base = (scaled or [result])[0]
            print(f"  {result['mb']:.1f} MB: median {result['seconds']:.1f} s, {result['mb_per_s']:.1f} MB/s, "
                  f"time ×{result['seconds'] / base['seconds']:.2f} for size ×{result['mb'] / base['mb']:.2f}, "
                  f"peak RSS {result['peak_mb']:.0f} MB ({result['files']} files, {result['targets']} targets)")
            scaled.append(result)
            if not args.keep:
                shutil.rmtree(folder)  # cheap to recreate; no need to hold every size on disk at once

        print("\nMedian peak RSS per build:")
        for label, result in [("shipped", shipped)] + [(f"{r['mb']:.1f} MB", r) for r in scaled]:
            print(f"  {label}: {result['peak_mb']:.0f} MB")

        largest, smallest = scaled[-1], scaled[0]
        goal = "met" if largest["mb_per_s"] >= GOAL_MB_PER_S else "not met"
        growth = (largest["seconds"] / smallest["seconds"]) / (largest["mb"] / smallest["mb"])
        linear = "linear" if abs(growth - 1) <= LINEAR_TOLERANCE else "not linear"
        print(f"\nVerdict: {largest['mb']:.1f} MB at {largest['mb_per_s']:.2f} MB/s, goal {GOAL_MB_PER_S:g} MB/s: {goal}; "
              f"time grows {linear} (time ratio / size ratio = {growth:.2f}, tolerance ±{LINEAR_TOLERANCE:.0%})")
    finally:
        if args.keep:
            print(f"\nKept temporary folder: {work}")
        else:
            temporary.cleanup()


if __name__ == "__main__":
    main()
