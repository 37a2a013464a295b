"""Argument parsing and printing for `python -m etl`; the work itself lives in build, export and evaluate."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from etl.build import BuildCheckFailed, build
from etl.export import ExportError, export_targets
from etl.paths import CORRECTIONS_FILE, POLICIES_DIR, SAMPLES_DIR, database_path


def run_build(arguments: argparse.Namespace) -> int:
    database = Path(arguments.db) if arguments.db else database_path()

    def progress(paths):
        return tqdm(paths, desc="文档 documents", unit="file", file=sys.stderr, disable=arguments.quiet)

    try:
        samples = None if arguments.no_samples else Path(arguments.samples)
        result = build(Path(arguments.policies), database, Path(arguments.corrections), progress=progress, samples_dir=samples)
    except BuildCheckFailed as error:
        print(f"构建失败，数据库未改动 / build failed, database unchanged: {error}", file=sys.stderr)
        return 2
    print(f"数据库 database: {result.database}")
    print(f"文件 files: {result.files}   政策文件 documents: {result.documents}   目标 targets: {result.targets}   "
          f"报告值 reported values (documents and samples): {result.reported_values}")
    for family, count in sorted(result.targets_by_family.items()):
        print(f"  {family:<20} {count}")
    for correction in result.unused_corrections:
        print(f"警告 warning: 更正未匹配任何目标 correction matched nothing: {correction.doc}:{correction.line} {correction.value} {correction.unit}")
    for failure in result.failures:
        print(f"失败 failed: {failure.file_name}: {failure.reason}", file=sys.stderr)
    return 1 if result.failures else 0


def run_export(arguments: argparse.Namespace) -> int:
    database = Path(arguments.db) if arguments.db else database_path()
    try:
        count = export_targets(database, Path(arguments.out))
    except ExportError as error:
        print(f"导出失败 export failed: {error}", file=sys.stderr)
        return 2
    print(f"{count} rows → {arguments.out}")
    return 0


def run_evaluate(arguments: argparse.Namespace) -> int:
    from etl.evaluate import evaluate_export_against_labels

    database = Path(arguments.db) if arguments.db else database_path()
    report, passed = evaluate_export_against_labels(database, Path(arguments.labels))
    print(report)
    return 0 if passed else 1


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m etl", description="bizenv policy-target ETL")
    commands = top.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="extract targets from data/policies into DuckDB")
    build_command.add_argument("--policies", default=str(POLICIES_DIR), help="folder of documents and .meta.yml files")
    build_command.add_argument("--corrections", default=str(CORRECTIONS_FILE))
    build_command.add_argument("--samples", default=str(SAMPLES_DIR), help="folder of sample progress workbooks")
    build_command.add_argument("--no-samples", action="store_true", help="load no sample workbook")
    build_command.add_argument("--db", help="DuckDB file (default: $BIZENV_DB or build/bizenv.duckdb)")
    build_command.add_argument("--quiet", action="store_true", help="no progress bar")
    build_command.set_defaults(run=run_build)
    export_command = commands.add_parser("export", help="write every target to .csv, .xlsx or .parquet")
    export_command.add_argument("--out", required=True)
    export_command.add_argument("--db")
    export_command.set_defaults(run=run_export)
    evaluate_command = commands.add_parser("evaluate", help="score the database against hand labels (JSON lines)")
    evaluate_command.add_argument("labels")
    evaluate_command.add_argument("--db")
    evaluate_command.set_defaults(run=run_evaluate)
    return top


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    return arguments.run(arguments)
