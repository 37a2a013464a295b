"""AppTest for the progress-sheet pages: a template to download, an upload stored whole, a withdrawal."""
import io

import duckdb
import pytest
from conftest import ADMIN
from openpyxl import load_workbook

from indicators import store
from indicators.paths import REPO_DIR
from indicators.progress import layout
from indicators.progress.submissions import submit
from indicators.progress.template import template_rows, template_workbook


@pytest.fixture
def database(writable_database):
    """A private copy with users: these tests write."""
    return writable_database


def filled_template(database, region="140000", period="2021", value=1.5) -> bytes:
    """The real template for a region (or a tuple of regions, one after another), with every reported value filled in."""
    regions = (region,) if isinstance(region, str) else tuple(region)
    rows = template_rows(store.template_targets(database, regions), list(regions), period)
    workbook = load_workbook(io.BytesIO(template_workbook(rows)))
    sheet = workbook[layout.DATA_SHEET]
    columns = {cell.value: cell.column for cell in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        unit = sheet.cell(row, columns["单位"]).value
        sheet.cell(row, columns["报告值"]).value = 90 if unit == "percent" else value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_upload_page_offers_a_template_for_the_chosen_regions(database, open_page):
    page = open_page("pages/upload.py", as_user="admin")
    page.multiselect(key="template_regions").set_value(["140000", "630000"]).run()
    assert not page.exception
    assert [button.key for button in page.get("download_button")] == ["template_download"]
    assert "模板含" in page.caption[0].value


def test_a_filled_template_is_stored_and_shows_on_the_compare_page(database, open_page):
    outcome = submit(filled_template(database), "山西2021.xlsx", ADMIN, database)
    assert outcome.stored, [problem.message() for problem in outcome.errors]
    page = open_page("pages/compare.py", indicator="enterprise_startup_time", year="2021")
    ranking = page.dataframe[0].value
    shanxi = ranking[ranking["地区"] == "山西省"].iloc[0]
    assert shanxi["报告值"] == 1.5 and shanxi["数据来源类型"] == "上报"


def test_the_same_file_twice_is_recognised_and_changes_nothing(database):
    data = filled_template(database)
    first = submit(data, "a.xlsx", ADMIN, database)
    before = store.submissions_overview(database)
    second = submit(data, "b.xlsx", ADMIN, database)
    assert first.stored and not second.stored
    assert "同一文件" in second.errors[0].message_zh and first.submission_id in second.errors[0].message_zh
    assert len(store.submissions_overview(database)) == len(before)


def test_submissions_page_lists_changes_and_withdraws(database, open_page):
    first = submit(filled_template(database, value=2.0), "first.xlsx", ADMIN, database)
    second = submit(filled_template(database, value=1.0), "second.xlsx", ADMIN, database)
    page = open_page("pages/submissions.py", as_user="admin", submission=second.submission_id)
    [changes] = [frame.value for frame in page.dataframe if "原值" in frame.value.columns]
    assert set(changes["原值"].dropna()) == {2.0, 90.0}  # every value of the first upload was replaced
    page.text_input(key="withdraw_reason").input("填错了").run()
    page.checkbox(key="withdraw_confirm").check().run()
    page.button(key="withdraw_button").click().run()
    assert not page.exception
    assert "已撤回" in page.success[0].value
    with duckdb.connect(str(database), read_only=True) as connection:
        values = connection.execute(
            "SELECT DISTINCT value FROM current_reports WHERE origin = 'submission' AND indicator = 'enterprise_startup_time'"
        ).fetchall()
    assert values == [(2.0,)]
    assert first.stored


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("notes.pdf", b"%PDF-1.4 not a workbook", "xlsx"),
    ("fake.xlsx", b"plain text pretending", "不是有效的 Excel 工作簿"),
])
def test_a_file_refused_whole_names_the_problem_and_stores_nothing(database, name, data, expected):
    before = store.submissions_overview(database)
    outcome = submit(data, name, ADMIN, database)
    assert not outcome.stored and expected in outcome.errors[0].message_zh
    assert len(store.submissions_overview(database)) == len(before)


def test_two_uploads_at_the_same_moment_both_land_whole(database, tmp_path):
    """Two processes submit different sheets at once: the writer lock makes them take turns, nothing is lost."""
    import subprocess
    import sys
    import textwrap

    files = []
    for name, region in (("shanxi.xlsx", "140000"), ("qinghai.xlsx", "630000")):
        path = tmp_path / name
        path.write_bytes(filled_template(database, region=region))
        files.append(path)
    script = tmp_path / "submit.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(REPO_DIR)!r})
        from indicators.progress.submissions import submit
        from indicators.access import Actor
        path = Path(sys.argv[1])
        outcome = submit(path.read_bytes(), path.name, Actor("admin", "admin", "accounts"), Path({str(database)!r}),
                         folder=Path({str(tmp_path / 'uploads')!r}))
        print(outcome.submission_id, len(outcome.validation.rows))
        sys.exit(0 if outcome.stored else 1)
    """))
    processes = [subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for path in files]
    results = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], [error.decode()[-1500:] for _, error in results]
    expected_rows = sum(int(output.split()[1]) for output, _ in results)
    overview = store.submissions_overview(database)
    assert len(overview) == 2 and overview["row_count"].sum() == expected_rows
    with duckdb.connect(str(database), read_only=True) as connection:
        stored = connection.execute("SELECT count(*) FROM reported_values WHERE origin = 'submission'").fetchone()[0]
    assert stored == expected_rows
