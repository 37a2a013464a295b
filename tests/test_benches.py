"""Every script in bench/ runs on the current code in its tiny mode and prints its figures, writing nothing into the
repository; the upload bench's workbook is the kind Excel saves."""
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile

import openpyxl
import pytest

from indicators.paths import REPO_DIR
from indicators.progress.layout import COLUMNS, DATA_SHEET
from indicators.progress.submissions import validation_context
from indicators.progress.validation import validate_upload

# Globbed, so a new bench without a --tiny mode fails here (argparse refuses the unknown option).
BENCH_SCRIPTS = sorted((REPO_DIR / "bench").glob("*.py"))
TIMEOUT_SECONDS = 300
# Where a bench could leave an untracked file by mistake: these folders and the top level. Untracked files elsewhere
# (new modules, docs) are other people's work in progress.
WATCHED_FOLDERS = ("data/", "bench/", "build/")


def files_outside_git() -> set[str]:
    """Ignored paths anywhere (databases, build/, caches) and untracked files where a bench might write, as git lists
    them (new folders collapsed to one entry)."""
    listing = subprocess.run(["git", "status", "--porcelain", "--ignored", "-z"], cwd=REPO_DIR, capture_output=True,
                             text=True, check=True).stdout
    found = set()
    for entry in listing.split("\0"):
        status, path = entry[:2], entry[3:]
        top_level_file = "/" not in path
        if status == "!!" or (status == "??" and (top_level_file or path.startswith(WATCHED_FOLDERS))):
            found.add(path)
    return found


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory):
    """script name → (exit code, stdout, stderr, seconds) of every bench run with --tiny, plus the repository's
    untracked and ignored files before and after. The benches run side by side, so this takes as long as the
    slowest one rather than their sum; each gets a folder of its own as cwd, TMPDIR and BIZENV_DB/BIZENV_UPLOADS."""
    if shutil.which("git") is None or subprocess.run(["git", "rev-parse"], cwd=REPO_DIR, capture_output=True).returncode:
        pytest.skip("not a git work tree: cannot tell new files from old")
    before = files_outside_git()
    running = {}
    for script in BENCH_SCRIPTS:
        folder = tmp_path_factory.mktemp(f"bench-{script.stem}")
        (folder / "tmp").mkdir()
        environment = {**os.environ, "TMPDIR": str(folder / "tmp"), "BIZENV_DB": str(folder / "bizenv.duckdb"),
                       "BIZENV_UPLOADS": str(folder / "uploads"), "PYTHONDONTWRITEBYTECODE": "1"}
        # Files rather than pipes: a bench filling a pipe nobody reads yet would stall.
        with open(folder / "stdout.txt", "w") as stdout, open(folder / "stderr.txt", "w") as stderr:
            process = subprocess.Popen([sys.executable, str(script), "--tiny"], cwd=folder, env=environment,
                                       stdout=stdout, stderr=stderr)
        running[script.name] = (process, folder, time.perf_counter())
    results = {}
    for name, (process, folder, started) in running.items():
        try:
            code = process.wait(timeout=max(1, TIMEOUT_SECONDS - (time.perf_counter() - started)))
        except subprocess.TimeoutExpired:
            process.kill()
            code = f"killed after {TIMEOUT_SECONDS} s ({process.wait()})"
        results[name] = (code, (folder / "stdout.txt").read_text(), (folder / "stderr.txt").read_text(),
                         time.perf_counter() - started)
    return results, before, files_outside_git()


def test_there_are_benches():
    assert {"etl.py", "upload.py", "access.py", "queries.py"} <= {script.name for script in BENCH_SCRIPTS}


@pytest.mark.parametrize("script", [script.name for script in BENCH_SCRIPTS])
def test_bench_runs_in_tiny_mode_and_prints_medians(tiny_runs, script):
    code, stdout, stderr, seconds = tiny_runs[0][script]
    assert code == 0, f"exit {code}, collected {seconds:.0f} s after its start\n--- stdout\n{stdout[-3000:]}\n--- stderr\n{stderr[-3000:]}"
    assert re.search(r"median.*\d", stdout, re.IGNORECASE), stdout
    assert "Traceback" not in stderr, stderr


def test_benches_write_nothing_into_the_repository(tiny_runs):
    _, before, after = tiny_runs
    assert after <= before, sorted(after - before)


def test_upload_bench_workbook_has_shared_strings_and_passes_the_upload_check(tmp_path):
    from bench.upload import write_workbook

    path = tmp_path / "progress.xlsx"
    write_workbook(path, 40)
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        content_types = archive.read("[Content_Types].xml").decode()
        relationships = archive.read("xl/_rels/workbook.xml.rels").decode()
        assert "xl/sharedStrings.xml" in archive.namelist()
    assert 't="s"' in sheet and "inlineStr" not in sheet
    assert 'PartName="/xl/sharedStrings.xml"' in content_types and 'Target="sharedStrings.xml"' in relationships

    rows = list(openpyxl.load_workbook(path)[DATA_SHEET].values)
    assert rows[0] == tuple(column.header_zh for column in COLUMNS)
    assert len(rows) == 41 and isinstance(rows[1][0], str) and isinstance(rows[1][9], int)

    result = validate_upload(path.read_bytes(), path.name, validation_context(tmp_path / "absent.duckdb"))
    assert result.errors == [] and len(result.rows) == 40


def test_upload_bench_writer_keeps_texts_and_numbers_exactly(tmp_path):
    from bench.upload import write_xlsx

    rows = [["a & <b>", " padded ", "“引号”"], [1, 2.5, None], ["a & <b>", -3e-05, "x"]]
    path = tmp_path / "texts.xlsx"
    write_xlsx(path, "名称 & <sheet>", rows)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["名称 & <sheet>"]
    assert [list(row) for row in workbook.active.values] == rows
