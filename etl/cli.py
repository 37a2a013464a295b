"""Argument parsing and printing for `python -m etl`; the work itself lives in the modules each command calls."""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from tqdm import tqdm

from etl.build import BuildCheckFailed, build
from etl.export import ExportError, export_targets
from indicators.files import write_atomically
from indicators.paths import CORRECTIONS_FILE, POLICIES_DIR, SAMPLES_DIR, database_path


def run_build(arguments: argparse.Namespace) -> int:
    database = Path(arguments.db) if arguments.db else database_path()

    def progress(paths):
        return tqdm(paths, desc="文档 documents", unit="file", file=sys.stderr, disable=arguments.quiet)

    try:
        samples = None if arguments.no_samples else Path(arguments.samples)
        result = build(Path(arguments.policies), database, Path(arguments.corrections), progress=progress,
                       samples_dir=samples, allow_shrink=arguments.allow_shrink)
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
    if not database.exists():
        print(f"没有数据库 no database at {database}: run `python -m etl build` first, or pass --db", file=sys.stderr)
        return 2
    indicator_map = Path(arguments.indicator_map) if arguments.indicator_map else None
    report, passed = evaluate_export_against_labels(database, Path(arguments.labels), indicator_map)
    print(report)
    return 0 if passed else 1


def _template_region_codes(names: list[str], with_children: bool) -> list[str]:
    """Region codes for the names or codes given, each with every region below it when asked."""
    from indicators.regions import CODE_PATTERN, default_region_table

    table = default_region_table()
    codes: list[str] = []
    for name in names:
        region = table.by_code(name) if CODE_PATTERN.match(name.strip()) else table.resolve(name)
        pending = [region]
        while pending:
            current = pending.pop()
            if current.code not in codes:
                codes.append(current.code)
            if with_children:
                pending.extend(table.children(current.code))
    return codes


def run_template(arguments: argparse.Namespace) -> int:
    from indicators import store
    from indicators.progress.template import PERIOD_PATTERN, template_rows, template_workbook
    from indicators.regions import UnknownRegion

    if not PERIOD_PATTERN.match(arguments.period):
        print(f"期间格式不正确：{arguments.period}（应为 2021 或 2021Q3） / bad period", file=sys.stderr)
        return 2
    try:
        codes = _template_region_codes(arguments.region, arguments.with_children)
    except UnknownRegion as error:
        hint = "" if error.candidates else "（请写六位区划代码或地区名称）"
        print(f"地区无法识别：{error}{hint} / unknown region", file=sys.stderr)
        return 2
    database = Path(arguments.db) if arguments.db else database_path()
    if not database.exists():
        print(f"找不到数据库：{database}（请先运行 python -m etl build） / database not found", file=sys.stderr)
        return 2
    rows = template_rows(store.template_targets(database, tuple(codes)), codes, arguments.period)
    out = Path(arguments.out)
    write_atomically(out, template_workbook(rows, language=arguments.lang))
    if rows.empty:
        print("警告 warning: 所选地区没有目标，模板只有表头 / the regions have no targets", file=sys.stderr)
    print(f"{len(rows)} rows → {out}")
    return 0


def run_import_progress(arguments: argparse.Namespace) -> int:
    from indicators.progress.submissions import submit

    database = Path(arguments.db) if arguments.db else database_path()
    path = Path(arguments.file)
    if not database.exists():
        print(f"数据库不存在：{database}；请先运行 python -m etl build", file=sys.stderr)
        return 2
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"无法读取文件 {path}：{error.strerror}", file=sys.stderr)
        return 2
    outcome = submit(data, path.name, cli_actor(), database, on_behalf_of=arguments.by)
    language = arguments.lang
    for problem in outcome.errors:
        print(f"错误 error: {problem.message(language)}", file=sys.stderr)
    for problem in outcome.validation.warnings:
        print(f"提示 warning: {problem.message(language)}", file=sys.stderr)
    if not outcome.stored:
        print(f"未保存，数据库未改动 / not stored, nothing changed: {len(outcome.errors)} 个问题 problems", file=sys.stderr)
        return 1
    print(f"已保存 stored: 提交 submission {outcome.submission_id}，{len(outcome.validation.rows)} 行 rows，"
          f"替换 replaced {outcome.replaced}")
    return 0


def run_withdraw(arguments: argparse.Namespace) -> int:
    from indicators.progress.submissions import withdraw

    database = Path(arguments.db) if arguments.db else database_path()
    try:
        restored = withdraw(database, arguments.submission, cli_actor(), reason=arguments.reason)
    except LookupError:
        print(f"找不到有效的提交 {arguments.submission} / no active submission with that id", file=sys.stderr)
        return 2
    print(f"已撤回 withdrawn {arguments.submission}；恢复旧值 values restored: {restored}")
    return 0


def cli_actor():
    """Whoever runs these commands holds the server's files: recorded as cli:<operating-system user>."""
    from indicators.access import command_line_actor

    return command_line_actor(getpass.getuser())


def read_new_password(arguments: argparse.Namespace) -> str:
    """From standard input with --password-stdin (for scripts), otherwise typed twice without echo."""
    if arguments.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("新密码 new password: ")
    if getpass.getpass("再输入一次 again: ") != first:
        raise ValueError("两次输入的密码不一致 / the passwords differ")
    return first


def run_create_admin(arguments: argparse.Namespace) -> int:
    from indicators.accounts import AccountError, create_admin

    database = Path(arguments.db) if arguments.db else database_path()
    if not database.exists():
        print(f"数据库不存在：{database}；请先运行 python -m etl build / database not found", file=sys.stderr)
        return 2
    try:
        create_admin(database, getpass.getuser(), arguments.user, read_new_password(arguments))
    except (AccountError, ValueError) as error:
        print(f"未创建 not created: {error.args[0]}", file=sys.stderr)
        return 2
    print(f"已创建管理员 admin created: {arguments.user}")
    return 0


def run_reset_password(arguments: argparse.Namespace) -> int:
    from indicators.accounts import AccountError, reset_password_from_command_line

    database = Path(arguments.db) if arguments.db else database_path()
    try:
        reset_password_from_command_line(database, getpass.getuser(), arguments.user, read_new_password(arguments))
    except (AccountError, ValueError) as error:
        print(f"未修改 not changed: {error.args[0]}", file=sys.stderr)
        return 2
    print(f"已重设密码并解锁 password reset and account unlocked: {arguments.user}")
    return 0


def run_audit(arguments: argparse.Namespace) -> int:
    import datetime as dt

    import pandas as pd

    from indicators import downloads, store

    database = Path(arguments.db) if arguments.db else database_path()
    if not database.exists():
        print(f"数据库不存在：{database} / database not found", file=sys.stderr)
        return 2
    breaks = store.audit_chain_breaks(database)
    if arguments.out:
        entries = store.audit_entries(database, limit=10_000_000)
        out = Path(arguments.out)
        if out.suffix.lower() == ".csv":
            data = downloads.csv_bytes(entries)
        else:
            data = downloads.xlsx_bytes(entries, downloads.DownloadMeta(
                title="审计记录 audit trail", filters={}, indicators=pd.DataFrame(), sources=pd.DataFrame(),
                generated_at=dt.datetime.now(dt.UTC)))
        write_atomically(out, data)
        print(f"{len(entries)} 条记录 entries → {out}")
    if breaks:
        print(f"审计链在这些序号处断开（记录被改动或删除） / the audit chain breaks at: {breaks[:20]}", file=sys.stderr)
        return 1
    head = store.audit_entries(database, limit=1)
    print("审计链完整 / the audit chain is intact")
    if not head.empty:
        # Kept somewhere else (a log, a ticket), the head shows later whether entries were cut off the end.
        print(f"最新记录 head: sequence {head.iloc[0]['sequence']} hash {head.iloc[0]['entry_hash']}")
    return 0


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
    build_command.add_argument("--allow-shrink", action="store_true",
                               help="accept a build with less than half the targets the database holds")
    build_command.set_defaults(run=run_build)
    export_command = commands.add_parser("export", help="write every target to .csv, .xlsx or .parquet")
    export_command.add_argument("--out", required=True)
    export_command.add_argument("--db")
    export_command.set_defaults(run=run_export)
    evaluate_command = commands.add_parser("evaluate", help="score the database against hand labels (JSON lines)")
    evaluate_command.add_argument("labels")
    evaluate_command.add_argument(
        "--indicator-map", help="YAML: the labels' indicator names → catalog codes, each with a reason")
    evaluate_command.add_argument("--db")
    evaluate_command.set_defaults(run=run_evaluate)
    template_command = commands.add_parser("template", help="write a progress sheet (.xlsx) for evaluators to fill in")
    template_command.add_argument("--region", action="append", required=True, help="region code or name; repeatable")
    template_command.add_argument("--with-children", action="store_true", help="also every region below each one given")
    template_command.add_argument("--period", required=True, help="2021 or 2021Q3")
    template_command.add_argument("--out", required=True, help=".xlsx file to write")
    template_command.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of headers and instructions")
    template_command.add_argument("--db")
    template_command.set_defaults(run=run_template)
    import_command = commands.add_parser("import-progress", help="check a filled-in progress sheet and store it whole")
    import_command.add_argument("file")
    import_command.add_argument("--by", help="on whose behalf it is submitted (kept with the submission beside cli:<user>)")
    import_command.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the problem report")
    import_command.add_argument("--db")
    import_command.set_defaults(run=run_import_progress)
    withdraw_command = commands.add_parser("withdraw", help="withdraw a submission; the values it replaced come back")
    withdraw_command.add_argument("submission")
    withdraw_command.add_argument("--reason", help="why, kept in the audit trail")
    withdraw_command.add_argument("--db")
    withdraw_command.set_defaults(run=run_withdraw)
    admin_command = commands.add_parser("create-admin", help="add an admin with a built-in account (the first one, say)")
    admin_command.add_argument("user", help="sign-in name")
    admin_command.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    admin_command.add_argument("--db")
    admin_command.set_defaults(run=run_create_admin)
    reset_command = commands.add_parser("reset-password", help="set a built-in account's password and unlock it")
    reset_command.add_argument("user")
    reset_command.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    reset_command.add_argument("--db")
    reset_command.set_defaults(run=run_reset_password)
    audit_command = commands.add_parser("audit", help="check the audit trail's hash chain; export it with --out")
    audit_command.add_argument("--out", help=".csv or .xlsx file to write every entry to")
    audit_command.add_argument("--db")
    audit_command.set_defaults(run=run_audit)
    return top


def main(argv: list[str] | None = None) -> int:
    from indicators.store import ensure_current_schema

    arguments = parser().parse_args(argv)
    if getattr(arguments, "db", None) or database_path().exists():
        # A database from an earlier release gains the tables this one reads (users, audit_log…) first.
        ensure_current_schema(Path(arguments.db) if arguments.db else database_path())
    return arguments.run(arguments)
