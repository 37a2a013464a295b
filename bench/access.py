"""What signing in and auditing cost: argon2 checks, sign-ins and audited writes on a small and a large database.

Every audited write copies the database file (see indicators.store.writable_copy), so its cost grows with
the file; this prints the medians on the corpus database and on the generated county-scale one, and the ratio.

    .venv/bin/python bench/access.py [--runs 7] [--db county-scale.duckdb]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.queries import generate, is_generated  # noqa: E402
from etl.build import build  # noqa: E402
from indicators.paths import CORRECTIONS_FILE, POLICIES_DIR  # noqa: E402
from indicators import access, accounts, store  # noqa: E402

PASSWORD = "timing secret 2026"


def median_seconds(function, runs: int) -> tuple[float, float]:
    function()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def measure(database: Path, runs: int) -> dict[str, float]:
    if store.user_record(database, "bench") is None:
        accounts.create_admin(database, "bench", "bench", PASSWORD)
    settings = access.AccessSettings(failure_delay_seconds=0, max_failed_sign_ins=10**9)
    no_sleep = lambda seconds: None  # noqa: E731
    actor = access.Actor("bench", "admin", "accounts")
    record = store.user_record(database, "bench")
    cases = {
        "argon2 check": lambda: access.password_matches(record["password_hash"], PASSWORD),
        "user lookup": lambda: store.user_record(database, "bench"),
        "audited write (one entry)": lambda: store.record_audit(database, accounts.event(actor, "sign_out")),
        "sign-in, right password": lambda: accounts.sign_in(database, "bench", PASSWORD, settings, sleep=no_sleep),
        "sign-in, wrong password": lambda: accounts.sign_in(database, "bench", "wrong", settings, sleep=no_sleep),
        "audit page query (newest 5,000)": lambda: store.audit_entries(database),
        "audit chain check": lambda: store.audit_chain_breaks(database),
    }
    results = {}
    for name, function in cases.items():
        median, fastest = median_seconds(function, runs)
        results[name] = median
        print(f"  {name:<34} median {median * 1000:8.1f} ms   min {fastest * 1000:8.1f} ms")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="county-scale database from bench/queries.py to reuse (copied first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bizenv-bench-access-") as folder:
        small = Path(folder) / "corpus.duckdb"
        build(POLICIES_DIR, small, CORRECTIONS_FILE)
        print(f"Corpus database ({small.stat().st_size / 1e6:.1f} MB), {args.runs} runs each:")
        small_results = measure(small, args.runs)
        large = Path(folder) / "county-scale.duckdb"
        if args.db and args.db.exists() and is_generated(args.db):
            shutil.copyfile(args.db, large)
        else:
            print("Generating the county-scale database (bench/queries.py's generator)…")
            generate(large)
        print(f"County-scale database ({large.stat().st_size / 1e6:.1f} MB), {args.runs} runs each:")
        large_results = measure(large, args.runs)
        print("Ratio county-scale / corpus:")
        for name in small_results:
            print(f"  {name:<34} ×{large_results[name] / small_results[name]:.1f}")
        write = large_results["audited write (one entry)"]
        print(f"Audited writes per second on the county-scale database: {1 / write:.1f}")


if __name__ == "__main__":
    main()
