"""Benchmark of the ETL build: shipped-corpus time, scaling on a replicated corpus, and peak memory per build.

The verdict on linearity compares CPU time (of the build's own process, all its threads), which load from other
processes on the machine barely changes; wall time is printed beside it.

    .venv/bin/python bench/etl.py [--runs N] [--target-mb 50] [--keep] [--tiny]
"""
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
SCALING_FRACTIONS = (0.25, 0.5, 1.0)  # of --target-mb


def measure_build(policies_dir: str, database: str) -> dict:
    """Runs in a fresh spawned process, so ru_maxrss is the peak of this one build alone."""
    from etl.build import build

    started, cpu_started = time.perf_counter(), time.process_time()
    result = build(Path(policies_dir), Path(database), CORRECTIONS_FILE)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "seconds": seconds, "cpu_seconds": cpu_seconds,
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
            print(f"  run {run + 1}: {sample['seconds']:.3f} s (CPU {sample['cpu_seconds']:.3f} s), "
                  f"peak RSS {sample['peak_mb']:.0f} MB")
    first = samples[0]
    if first["failures"]:
        # A build that skipped files measured less text than it claims; say so rather than hide it.
        print(f"  WARNING: {len(first['failures'])} files failed, e.g. {first['failures'][0]}")
    median = statistics.median(s["seconds"] for s in samples)
    return {
        "mb": size / MB, "seconds": median, "mb_per_s": size / MB / median,
        "cpu_seconds": statistics.median(s["cpu_seconds"] for s in samples),
        "peak_mb": statistics.median(s["peak_mb"] for s in samples),
        "files": first["files"], "documents": first["documents"], "targets": first["targets"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="runs per size (default 5 for the shipped corpus, 3 replicated; tiny 1)")
    parser.add_argument("--target-mb", type=float, help="largest replicated size in MB of text (default 50)")
    parser.add_argument("--keep", action="store_true", help="leave the temporary folder and print its path")
    parser.add_argument("--tiny", action="store_true",
                        help="one run per size, the corpus copied once and twice: checks the bench runs, in seconds")
    args = parser.parse_args()
    shipped_runs, scaled_runs = (args.runs or 1,) * 2 if args.tiny else (args.runs or 5, args.runs or 3)

    # mkdtemp under --keep because TemporaryDirectory always deletes on exit.
    temporary = None if args.keep else tempfile.TemporaryDirectory(prefix="bizenv-bench-")
    work = Path(tempfile.mkdtemp(prefix="bizenv-bench-") if args.keep else temporary.name)
    try:
        shipped_bytes = text_bytes(POLICIES_DIR)
        print(f"Shipped corpus {POLICIES_DIR}: {shipped_bytes / MB:.3f} MB of text (MB = 10^6 bytes)")
        print("Each build runs in a fresh spawned process; time is the build() call (wall, and CPU of that process's "
              "threads), peak is that process's max RSS.")
        shipped = measure_size("shipped", POLICIES_DIR, work, shipped_runs, verbose=True)
        print(f"  median {shipped['seconds']:.3f} s (CPU {shipped['cpu_seconds']:.3f} s), {shipped['mb_per_s']:.2f} MB/s, "
              f"peak RSS {shipped['peak_mb']:.0f} MB "
              f"({shipped['files']} files, {shipped['documents']} documents, {shipped['targets']} targets)")

        if args.tiny:
            # One and two copies of the corpus: the smallest pair that still exercises replication and the verdict.
            target_mb, fractions = args.target_mb or 2 * shipped_bytes / MB, (0.5, 1.0)
        else:
            target_mb, fractions = args.target_mb or 50.0, SCALING_FRACTIONS
        print(f"\nScaling (replicated corpus, median of {scaled_runs} runs each; ratios to the smallest size):")
        scaled = []
        for fraction in fractions:
            copies = max(1, round(target_mb * fraction * MB / shipped_bytes))
            folder = work / f"corpus-x{copies}"
            replicate(POLICIES_DIR, folder, copies)
            result = measure_size(f"x{copies}", folder, work, scaled_runs, verbose=False)
            base = (scaled or [result])[0]
            print(f"  {result['mb']:.1f} MB: median {result['seconds']:.2f} s wall, {result['cpu_seconds']:.2f} s CPU, "
                  f"{result['mb_per_s']:.1f} MB/s; size ×{result['mb'] / base['mb']:.2f}: "
                  f"wall ×{result['seconds'] / base['seconds']:.2f}, CPU ×{result['cpu_seconds'] / base['cpu_seconds']:.2f}; "
                  f"peak RSS {result['peak_mb']:.0f} MB ({result['files']} files, {result['targets']} targets)")
            scaled.append(result)
            if not args.keep:
                shutil.rmtree(folder)  # cheap to recreate; no need to hold every size on disk at once

        print("\nMedian peak RSS per build:")
        for label, result in [("shipped", shipped)] + [(f"{r['mb']:.1f} MB", r) for r in scaled]:
            print(f"  {label}: {result['peak_mb']:.0f} MB")

        largest, smallest = scaled[-1], scaled[0]
        size_ratio = largest["mb"] / smallest["mb"]
        goal = "met" if largest["mb_per_s"] >= GOAL_MB_PER_S else "not met"
        cpu_growth = (largest["cpu_seconds"] / smallest["cpu_seconds"]) / size_ratio
        wall_growth = (largest["seconds"] / smallest["seconds"]) / size_ratio
        linear = "linear" if abs(cpu_growth - 1) <= LINEAR_TOLERANCE else "not linear"
        print(f"\nVerdict: {largest['mb']:.1f} MB at {largest['mb_per_s']:.2f} MB/s (wall), goal {GOAL_MB_PER_S:g} MB/s: {goal}; "
              f"CPU time grows {linear} (CPU time ratio / size ratio = {cpu_growth:.2f}, tolerance ±{LINEAR_TOLERANCE:.0%}; "
              f"wall time ratio / size ratio = {wall_growth:.2f}, not judged)")
        if args.tiny:
            print("(Tiny mode: fixed costs dominate builds this small, so the verdict says nothing about 50 MB.)")
    finally:
        if args.keep:
            print(f"\nKept temporary folder: {work}")
        else:
            temporary.cleanup()


if __name__ == "__main__":
    main()
