"""What signing in and auditing cost: argon2 checks, sign-ins and audited writes on a small and a large database.

Every audited write copies the database file (see indicators.store.writable_copy), so its cost grows with
the file; this prints the medians on the corpus database and on the generated county-scale one, and the ratio.

    .venv/bin/python bench/access.py [--runs 7] [--db county-scale.duckdb] [--tiny]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# bench/ holds etl.py, which would shadow the `etl` package if this file's folder stayed on sys.path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.queries import COUNTY_SCALE, MB, TINY_SCALE, generated_database  # noqa: E402
from etl.build import build  # noqa: E402
from indicators import access, accounts, store  # noqa: E402
from indicators.paths import CORRECTIONS_FILE, POLICIES_DIR  # noqa: E402

PASSWORD = "timing secret 2026"


def cases(database: Path) -> dict[str, Callable[[], object]]:
    """What each measured call does on `database`, with an admin "bench" created there first."""
    if store.user_record(database, "bench") is None:
        accounts.create_admin(database, "bench", "bench", PASSWORD)
    settings = access.AccessSettings(failure_delay_seconds=0, max_failed_sign_ins=10**9)
    no_sleep = lambda seconds: None  # noqa: E731
    actor = access.Actor("bench", "admin", "accounts")
    record = store.user_record(database, "bench")
    return {
        "argon2 check": lambda: access.password_matches(record["password_hash"], PASSWORD),
        "user lookup": lambda: store.user_record(database, "bench"),
        "audited write (one entry)": lambda: store.record_audit(database, accounts.event(actor, "sign_out")),
        "sign-in, right password": lambda: accounts.sign_in(database, "bench", PASSWORD, settings, sleep=no_sleep),
        "sign-in, wrong password": lambda: accounts.sign_in(database, "bench", "wrong", settings, sleep=no_sleep),
        "audit page query (newest 5,000)": lambda: store.audit_entries(database),
        "audit chain check": lambda: store.audit_chain_breaks(database),
    }


def seconds_of(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def measure_interleaved(databases: dict[str, Path], runs: int) -> dict[str, dict[str, list[float]]]:
    """case → database → times: per case, one warm-up on each database, then runs alternating A, B, A, B…

    Alternating rather than one block per database, so a burst of load on the machine falls on both alike.
    """
    calls = {name: cases(database) for name, database in databases.items()}
    times: dict[str, dict[str, list[float]]] = {}
    for case in next(iter(calls.values())):
        for name in databases:
            calls[name][case]()  # warm-up
        times[case] = {name: [] for name in databases}
        for _ in range(runs):
            for name in databases:
                times[case][name].append(seconds_of(calls[name][case]))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="timed runs per case and database (default 7; tiny 1)")
    parser.add_argument("--db", type=Path, help="county-scale database from bench/queries.py to reuse (copied first)")
    parser.add_argument("--tiny", action="store_true",
                        help="one run on a tiny generated database: checks the bench runs, in seconds")
    args = parser.parse_args()
    runs = args.runs or (1 if args.tiny else 7)
    scale = TINY_SCALE if args.tiny else COUNTY_SCALE
    with tempfile.TemporaryDirectory(prefix="bizenv-bench-access-") as folder:
        small = Path(folder) / "corpus.duckdb"
        build(POLICIES_DIR, small, CORRECTIONS_FILE)
        large = generated_database(Path(folder) / f"{scale.name}.duckdb", args.db, scale)
        print(f"Corpus database {small.stat().st_size / MB:.1f} MB, {scale.name} database {large.stat().st_size / MB:.1f} MB; "
              f"{runs} run(s) each after a warm-up, alternating corpus and {scale.name}:")
        times = measure_interleaved({"corpus": small, scale.name: large}, runs)
        print(f"  {'':<34} {'corpus median (min)':>28} {scale.name + ' median (min)':>33} {'ratio':>7}")
        for case, by_database in times.items():
            corpus, county = statistics.median(by_database["corpus"]), statistics.median(by_database[scale.name])
            print(f"  {case:<34} {corpus * 1000:11.1f} ms ({min(by_database['corpus']) * 1000:8.1f} ms) "
                  f"{county * 1000:16.1f} ms ({min(by_database[scale.name]) * 1000:8.1f} ms) {county / corpus:6.1f}×")
        write = statistics.median(times["audited write (one entry)"][scale.name])
        print(f"Audited writes per second on the {scale.name} database (from the median): {1 / write:.1f}")


if __name__ == "__main__":
    main()
