"""Time and peak memory of validating and committing a 100,000-row progress workbook, into the corpus database and
into the generated county-scale one (median of several runs, the two interleaved run by run).

    .venv/bin/python bench/upload.py [--rows 100000] [--runs 3] [--db county-scale.duckdb] [--corpus-only] [--tiny]

Every committed upload copies the database file (indicators.store.writable_copy), so its cost grows with the file.
"""
from __future__ import annotations

import argparse
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

REPO_DIR = Path(__file__).resolve().parent.parent
# Run as a script, this folder would shadow the repository's packages.
sys.path[:] = [path for path in sys.path if Path(path or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(REPO_DIR))

GOAL_SECONDS = 5.0
GOAL_MEGABYTES = 500.0
MB = 1_000_000  # decimal megabytes, as the other benches count them
TINY_ROWS = 300


# --- The workbook, written the way Excel writes it ---------------------------------------------------
# openpyxl's write-only mode stores every text as an inline string (t="inlineStr"); Excel keeps each distinct text once
# in xl/sharedStrings.xml and refers to it by index (t="s"), which the upload reader reads by another path. This is the
# smallest package Excel and openpyxl open: content types, relationships, a workbook, one sheet, shared strings and
# the one default style Excel expects.

MAIN_NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS_NAMESPACE = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SPREADSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET_PART, STRINGS_PART = "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"
DEFAULT_STYLES = (
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
)


def package_parts(sheet_name: str) -> dict[str, str]:
    """Every part but the sheet and the shared strings, which depend on the rows."""
    def relationships(*targets: tuple[str, str, str]) -> str:
        items = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in targets)
        return f'{XML_DECLARATION}<Relationships xmlns="{RELATIONSHIPS_NAMESPACE}">{items}</Relationships>'

    overrides = [("/xl/workbook.xml", "sheet.main"), (f"/{SHEET_PART}", "worksheet"),
                 (f"/{STRINGS_PART}", "sharedStrings"), ("/xl/styles.xml", "styles")]
    return {
        "[Content_Types].xml": (
            f'{XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{part}" ContentType="{SPREADSHEET_TYPE}.{kind}+xml"/>' for part, kind in overrides)
            + "</Types>"),
        "_rels/.rels": relationships(("rId1", f"{DOCUMENT_RELATIONSHIP}/officeDocument", "xl/workbook.xml")),
        "xl/workbook.xml": (
            f'{XML_DECLARATION}<workbook xmlns="{MAIN_NAMESPACE}" xmlns:r="{DOCUMENT_RELATIONSHIP}"><sheets>'
            f'<sheet name={quoteattr(sheet_name)} sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": relationships(
            ("rId1", f"{DOCUMENT_RELATIONSHIP}/worksheet", "worksheets/sheet1.xml"),
            ("rId2", f"{DOCUMENT_RELATIONSHIP}/styles", "styles.xml"),
            ("rId3", f"{DOCUMENT_RELATIONSHIP}/sharedStrings", "sharedStrings.xml")),
        "xl/styles.xml": f'{XML_DECLARATION}<styleSheet xmlns="{MAIN_NAMESPACE}">{DEFAULT_STYLES}</styleSheet>',
    }


def write_xlsx(path: Path, sheet_name: str, rows: list[list[str | int | float | None]]) -> None:
    """One sheet of `rows` (None leaves a cell out), texts in the shared-strings table as Excel saves them."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(number) for number in range(1, max(map(len, rows)) + 1)]
    strings: dict[str, int] = {}
    references = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in package_parts(sheet_name).items():
            archive.writestr(part, text)
        with archive.open(SHEET_PART, "w") as sheet:
            sheet.write(f'{XML_DECLARATION}<worksheet xmlns="{MAIN_NAMESPACE}"><dimension ref="A1:{letters[-1]}{len(rows)}"/>'
                        "<sheetData>".encode())
            for number, row in enumerate(rows, start=1):
                cells = []
                for letter, value in zip(letters, row):
                    if value is None:
                        continue
                    if isinstance(value, str):
                        references += 1
                        cells.append(f'<c r="{letter}{number}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>')
                    else:
                        cells.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
                sheet.write(f'<row r="{number}">{"".join(cells)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        items = "".join(f"<si>{text_element(text)}</si>" for text in strings)
        archive.writestr(STRINGS_PART, f'{XML_DECLARATION}<sst xmlns="{MAIN_NAMESPACE}" count="{references}" '
                                       f'uniqueCount="{len(strings)}">{items}</sst>')


def text_element(text: str) -> str:
    # XML drops leading and trailing spaces unless told to keep them.
    keep = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<t{keep}>{escape(text)}</t>"


def progress_rows(count: int) -> list[list[str | int | None]]:
    """A valid progress sheet, header first: county × indicator × quarter keys, each once, values in each indicator's unit."""
    from indicators.catalog import default_catalog
    from indicators.progress.layout import COLUMNS
    from indicators.regions import default_region_table

    counties = [region for region in default_region_table().all() if region.level == "county"]
    indicators = [indicator for indicator in default_catalog().indicators
                  if not indicator.code.endswith("_unclassified") and indicator.unit in ("working_day", "hour", "percent", "item")]
    periods = [f"{year}Q{quarter}" for year in range(2016, 2026) for quarter in range(1, 5)]
    if count > len(counties) * len(indicators) * len(periods):
        raise SystemExit(f"at most {len(counties) * len(indicators) * len(periods):,} distinct keys; asked for {count:,} rows")
    rows = [[column.header_zh for column in COLUMNS]]
    for written in range(count):
        county = counties[written % len(counties)]
        indicator = indicators[written // len(counties) % len(indicators)]
        period = periods[written // (len(counties) * len(indicators))]
        value = {"percent": 50 + written % 50, "hour": 40 + written % 100}.get(indicator.unit, 1 + written % 30)
        record = {"region_code": county.code, "region": county.name, "indicator": indicator.code,
                  "indicator_name": indicator.label_zh, "unit": indicator.unit, "period": period, "value": value,
                  "source": "统计数据"}
        rows.append([record.get(column.field) for column in COLUMNS])
    return rows


def write_workbook(path: Path, rows: int) -> None:
    from indicators.progress.layout import DATA_SHEET

    write_xlsx(path, DATA_SHEET, progress_rows(rows))


# --- One upload, in a fresh process -------------------------------------------------------------

def measure(workbook: str, database: str, uploads: str) -> dict:
    """Runs in a fresh spawned process so its peak memory is the upload's alone.

    The peak is VmHWM, which exec resets; ru_maxrss (the fallback where there is no /proc) carries the parent's size
    across fork and exec, and the parent may hold a gigabyte after generating the county-scale database.
    """
    from bench.queries import high_water_mb, peak_mb
    from indicators.access import Actor
    from indicators.progress.submissions import submit

    data = Path(workbook).read_bytes()
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = submit(data, Path(workbook).name, Actor("bench", "admin", "accounts"), Path(database), folder=Path(uploads))
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu_started,
            "peak_mb": high_water_mb() or peak_mb(), "stored": outcome.stored, "rows": len(outcome.validation.rows),
            "replaced": outcome.replaced, "warnings": len(outcome.validation.warnings),
            "errors": [problem.message("en") for problem in outcome.errors[:3]]}


def median(results: list[dict], key: str) -> float:
    return statistics.median(result[key] for result in results)


def verdicts(seconds: float, peak: float) -> str:
    return (f"goal {GOAL_SECONDS:g} s: {'met' if seconds < GOAL_SECONDS else 'not met'}; "
            f"goal {GOAL_MEGABYTES:g} MB: {'met' if peak < GOAL_MEGABYTES else 'not met'}")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--rows", type=int, help=f"data rows of the workbook (default 100,000; tiny {TINY_ROWS})")
    options.add_argument("--runs", type=int, help="uploads into each database (default 3; tiny 1)")
    options.add_argument("--db", type=Path, help="county-scale database from bench/queries.py to reuse (copied first)")
    options.add_argument("--corpus-only", action="store_true", help="skip the county-scale database")
    options.add_argument("--tiny", action="store_true",
                         help=f"{TINY_ROWS} rows, one run, a tiny generated database: checks the bench runs, in seconds")
    arguments = options.parse_args()
    rows = arguments.rows or (TINY_ROWS if arguments.tiny else 100_000)
    runs = arguments.runs or (1 if arguments.tiny else 3)

    from bench.queries import COUNTY_SCALE, TINY_SCALE, generated_database
    from etl.build import build
    from indicators.paths import POLICIES_DIR

    scale = TINY_SCALE if arguments.tiny else COUNTY_SCALE
    with tempfile.TemporaryDirectory(prefix="bizenv-bench-upload-") as folder:
        folder = Path(folder)
        workbook = folder / f"progress_{rows}.xlsx"
        started = time.perf_counter()
        write_workbook(workbook, rows)
        print(f"workbook: {rows:,} rows, {workbook.stat().st_size / MB:.1f} MB, shared strings, "
              f"written in {time.perf_counter() - started:.1f} s")
        bases = {"corpus": folder / "corpus.duckdb"}
        build(POLICIES_DIR, bases["corpus"], samples_dir=None)
        if not arguments.corpus_only:
            bases[scale.name] = generated_database(folder / f"{scale.name}.duckdb", arguments.db, scale)
        for name, base in bases.items():
            print(f"{name} database: {base.stat().st_size / MB:.0f} MB")

        context = multiprocessing.get_context("spawn")
        results: dict[str, list[dict]] = {name: [] for name in bases}
        # Corpus and county-scale runs alternate, so load on the machine falls on both alike.
        for run in range(runs):
            for name, base in bases.items():
                database = folder / f"{name}-run{run}.duckdb"
                shutil.copyfile(base, database)  # every run commits into the same starting database
                with context.Pool(1) as pool:
                    result = pool.apply(measure, (str(workbook), str(database), str(folder / f"uploads-{name}-{run}")))
                database.unlink()
                results[name].append(result)
                print(f"  run {run + 1} {name:<12} {result['seconds']:6.2f} s (CPU {result['cpu_seconds']:.2f} s), "
                      f"peak RSS {result['peak_mb']:.0f} MB, stored={result['stored']} rows={result['rows']:,} "
                      f"replaced={result['replaced']:,} warnings={result['warnings']:,} {result['errors'] or ''}", flush=True)
                if not result["stored"] or result["errors"]:
                    raise SystemExit(f"The upload into the {name} database was refused: its time is not a commit's.")

        print(f"\nMedians of {runs} run(s), {rows:,} rows:")
        for name in bases:
            seconds, peak = median(results[name], "seconds"), median(results[name], "peak_mb")
            print(f"  {name:<12} median {seconds:6.2f} s ({rows / seconds:,.0f} rows/s), peak RSS {peak:.0f} MB; "
                  f"{verdicts(seconds, peak)}")
        if not arguments.corpus_only:
            corpus, large = results["corpus"], results[scale.name]
            print(f"  ratio {scale.name} / corpus: time ×{median(large, 'seconds') / median(corpus, 'seconds'):.2f}, "
                  f"peak RSS ×{median(large, 'peak_mb') / median(corpus, 'peak_mb'):.2f}")


if __name__ == "__main__":
    main()
