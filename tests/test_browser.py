"""End to end in a real headless Chromium: the app served by Streamlit, driven by Playwright."""
import re

import pytest
from browser_helpers import (
    WAIT,
    downloaded,
    rerun,
    screenshot,
    served,
    submit_sign_in,
    wait_until_idle,
)
from conftest import PASSWORD, add_users
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app_url(corpus_database, tmp_path_factory):
    with served(corpus_database, tmp_path_factory.mktemp("streamlit-home")) as url:
        yield url


def test_home_page_shows_the_corpus_and_switches_language(app_url, page, tmp_path):
    page.goto(app_url)
    wait_until_idle(page)
    page.get_by_text("营商环境改革目标追踪").wait_for(timeout=WAIT)
    expect(page.locator('[data-testid="stMetric"]').filter(has_text="政策文件")).to_contain_text("35", timeout=WAIT)
    page.locator('[data-testid="stDataFrame"] canvas').nth(2).wait_for(timeout=WAIT)
    screenshot(page, "home-zh", tmp_path)
    with rerun(page):
        page.get_by_text("English", exact=True).click()
    page.get_by_text("Business-environment reform tracker").wait_for(timeout=WAIT)
    expect(page).to_have_url(re.compile(r"lang=en"), timeout=WAIT)
    # Every label follows: the navigation too.
    page.get_by_role("link", name="Compare regions").wait_for(timeout=WAIT)


def test_shared_url_reopens_the_same_view(app_url, page):
    page.goto(f"{app_url}/compare?lang=en&indicator=power_connection_time&year=2021&style=dots")
    wait_until_idle(page)
    page.get_by_role("heading", name="Compare regions").wait_for(timeout=WAIT)
    page.get_by_text("Time to get electricity · 2021").first.wait_for(timeout=WAIT)
    expect(page.get_by_label("Dots")).to_be_checked(timeout=WAIT)


def test_compare_page_draws_chart_and_map_and_a_click_opens_the_region(app_url, page, tmp_path):
    page.goto(f"{app_url}/compare?indicator=power_connection_time&year=2021")
    wait_until_idle(page)
    page.locator('[data-testid="stPlotlyChart"]').nth(1).wait_for(timeout=WAIT)
    bars = page.locator(".js-plotly-plot .barlayer .point path")
    bars.nth(9).wait_for(state="attached", timeout=WAIT)  # at least ten regions
    page.locator(".js-plotly-plot .choroplethlayer path, .js-plotly-plot .geo path").first.wait_for(
        state="attached", timeout=WAIT)
    screenshot(page, "compare", tmp_path)
    # Plotly's drag layer sits over the bars and turns a click at a bar's position into a selection.
    with rerun(page):
        bars.first.click(force=True)
    page.get_by_role("heading", name="地区画像").wait_for(timeout=WAIT)
    expect(page).to_have_url(re.compile(r"region="), timeout=WAIT)
    screenshot(page, "region", tmp_path)


def test_downloaded_csv_has_the_rows_of_the_chart(app_url, page, tmp_path):
    import pandas as pd

    page.goto(f"{app_url}/compare?indicator=power_connection_time&year=2021")
    wait_until_idle(page)
    bars = page.locator(".js-plotly-plot .barlayer .point")
    bars.first.wait_for(timeout=WAIT)  # Plotly draws a trace's bars all at once
    bar_count = bars.count()
    download = downloaded(page, page.get_by_text("下载数据（CSV）").first)
    assert download.suggested_filename == "bizenv_compare_power_connection_time_2021.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith("\ufeff".encode("utf-8"))
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"region_code": str})
    assert frame["reported"].notna().sum() == bar_count
    assert {"region_code", "region", "reported", "target", "status"} <= set(frame.columns)


@pytest.fixture(scope="module")
def writable_app_url(corpus_database, tmp_path_factory):
    """A server of its own on a private copy of the database with users, since this test uploads."""
    import shutil

    folder = tmp_path_factory.mktemp("writable")
    database = folder / "bizenv.duckdb"
    shutil.copyfile(corpus_database, database)
    add_users(database)
    with served(database, folder) as url:
        yield url


def test_template_filled_and_uploaded_shows_on_the_compare_page(writable_app_url, page, tmp_path):
    from openpyxl import load_workbook

    page.goto(f"{writable_app_url}/upload?template_year=2021")
    wait_until_idle(page)
    # Signed out, the page asks for a sign-in, and signing in leads back to it with its URL state.
    page.get_by_text("请先登录").wait_for(timeout=WAIT)
    assert page.locator('input[type="file"]').count() == 0
    with rerun(page):
        page.locator('[data-testid="stMain"]').get_by_role("link", name="登录").click()
    submit_sign_in(page, "admin", PASSWORD)
    page.get_by_text("下载模板（Excel）").wait_for(timeout=WAIT)
    download = downloaded(page, page.get_by_text("下载模板（Excel）"))
    template = tmp_path / download.suggested_filename
    download.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook["进度填报"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        unit = sheet.cell(row, columns["单位"]).value
        sheet.cell(row, columns["报告值"]).value = 88 if unit == "percent" else 1.25
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)

    with rerun(page):  # the file goes up first, then the page runs with it
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(filled))
    page.get_by_text("已保存").wait_for(timeout=WAIT)
    screenshot(page, "upload", tmp_path)

    page.goto(f"{writable_app_url}/compare?indicator=enterprise_startup_time&year=2021")
    wait_until_idle(page)
    page.locator(".js-plotly-plot .barlayer .point").first.wait_for(timeout=WAIT)
    reported = page.evaluate(
        """() => {
            const plot = document.querySelector('.js-plotly-plot');
            for (const trace of plot.data) {
                if (trace.type !== 'bar') continue;
                const index = trace.x.indexOf('山西省');
                // plotly keeps numbers as a typed array, with the plain values in _inputArray
                if (index >= 0) return (trace.y._inputArray || trace.y)[index];
            }
            return null;
        }"""
    )
    assert reported == 1.25, page.evaluate(
        "() => Array.from(document.querySelector('.js-plotly-plot').data).map(t => [t.type, t.x, t.y])")
