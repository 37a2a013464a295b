"""End to end in a real headless Chromium: the app served by Streamlit, driven by Playwright."""
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from conftest import PASSWORD, add_users
from indicators.paths import REPO_DIR

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def served(database: Path, folder: Path, **settings):
    """`streamlit run app.py` on a free port over the given database; yields its base URL."""
    port = free_port()
    environment = {**os.environ, "BIZENV_DB": str(database), "BIZENV_UPLOADS": str(folder / "uploads"),
                   "HOME": str(folder), "BIZENV_SIGN_IN_DELAY_SECONDS": "0", **settings}
    log = folder / "streamlit.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO_DIR / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             # An edit to the sources while the tests run must not put up Streamlit's "File change" prompt.
             "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
            cwd=REPO_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"streamlit did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def app_url(corpus_database, tmp_path_factory):
    with served(corpus_database, tmp_path_factory.mktemp("streamlit-home")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bash scripts/test.sh, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


def new_page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    return context.new_page()


def wait_until_idle(page, timeout=30_000):
    """Until Streamlit has finished the rerun that the last interaction started."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=timeout)


def downloaded(page, button, first_wait=20_000):
    """The download a click on `button` starts.

    Seen once in several full CI runs, never alone: a click that landed while Streamlit was still redrawing
    started no download. A person clicks again, so the test does too, once, after the page is idle; a button
    that never downloads still fails.
    """
    for attempt, wait in enumerate((first_wait, 60_000)):
        try:
            with page.expect_download(timeout=wait) as download_info:
                button.click()
            return download_info.value
        except PlaywrightTimeoutError:
            if attempt:
                raise
            wait_until_idle(page)


def sign_in(page, user_name, password):
    """Fill in and send the sign-in form, then wait for the app to settle."""
    page.get_by_label("用户名").wait_for(timeout=60_000)
    page.get_by_label("用户名").fill(user_name)
    page.get_by_label("密码").fill(password)
    page.locator('[data-testid="stForm"]').get_by_role("button", name="登录").click()
    wait_until_idle(page)


def screenshot(page, name, tmp_path):
    page.screenshot(path=str(os.environ.get("BIZENV_SCREENSHOT_DIR", tmp_path)) + f"/{name}.png", full_page=True)


def test_home_page_shows_the_corpus_and_switches_language(app_url, browser, tmp_path):
    page = new_page(browser)
    page.goto(app_url)
    page.get_by_text("营商环境改革目标追踪").wait_for(timeout=30_000)
    documents_metric = page.locator('[data-testid="stMetric"]').filter(has_text="政策文件")
    documents_metric.wait_for(timeout=30_000)
    assert "22" in documents_metric.inner_text()
    page.locator('[data-testid="stDataFrame"] canvas').nth(2).wait_for(timeout=30_000)
    screenshot(page, "home-zh", tmp_path)
    page.get_by_text("English", exact=True).click()
    page.get_by_text("Business-environment reform tracker").wait_for(timeout=30_000)
    assert "lang=en" in page.url
    # Every label follows: the navigation too.
    page.get_by_role("link", name="Compare regions").wait_for(timeout=30_000)
    page.context.close()


def test_shared_url_reopens_the_same_view(app_url, browser):
    page = new_page(browser)
    page.goto(f"{app_url}/compare?lang=en&indicator=power_connection_time&year=2021&style=dots")
    page.get_by_role("heading", name="Compare regions").wait_for(timeout=30_000)
    page.get_by_text("Time to get electricity").first.wait_for(timeout=30_000)
    page.get_by_text("Time to get electricity · 2021").first.wait_for(timeout=30_000)
    assert page.get_by_label("Dots").is_checked()
    page.context.close()


def test_compare_page_draws_chart_and_map_and_a_click_opens_the_region(app_url, browser, tmp_path):
    page = new_page(browser)
    page.goto(f"{app_url}/compare?indicator=power_connection_time&year=2021")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    charts.nth(1).wait_for(timeout=60_000)
    page.locator(".js-plotly-plot .barlayer .point").first.wait_for(timeout=30_000)
    page.locator(".js-plotly-plot .choroplethlayer path, .js-plotly-plot .geo path").first.wait_for(
        state="attached", timeout=30_000)
    screenshot(page, "compare", tmp_path)
    bars = page.locator(".js-plotly-plot .barlayer .point path")
    assert bars.count() >= 10
    # Plotly's drag layer sits over the bars and turns a click at a bar's position into a selection.
    bars.first.click(force=True)
    page.get_by_role("heading", name="地区画像").wait_for(timeout=30_000)
    assert "region=" in page.url
    screenshot(page, "region", tmp_path)
    page.context.close()


def test_downloaded_csv_has_the_rows_of_the_chart(app_url, browser, tmp_path):
    import pandas as pd

    page = new_page(browser)
    page.goto(f"{app_url}/compare?indicator=power_connection_time&year=2021")
    page.locator(".js-plotly-plot .barlayer .point").first.wait_for(timeout=60_000)
    bar_count = page.locator(".js-plotly-plot .barlayer .point").count()
    wait_until_idle(page)
    download = downloaded(page, page.get_by_text("下载数据（CSV）").first)
    assert download.suggested_filename == "bizenv_compare_power_connection_time_2021.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith("\ufeff".encode("utf-8"))
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"region_code": str})
    assert frame["reported"].notna().sum() == bar_count
    assert {"region_code", "region", "reported", "target", "status"} <= set(frame.columns)
    page.context.close()


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


def test_template_filled_and_uploaded_shows_on_the_compare_page(writable_app_url, browser, tmp_path):
    from openpyxl import load_workbook

    page = new_page(browser)
    page.goto(f"{writable_app_url}/upload?template_year=2021")
    # Signed out, the page asks for a sign-in, and signing in leads back to it with its URL state.
    page.get_by_text("请先登录").wait_for(timeout=60_000)
    assert page.locator('input[type="file"]').count() == 0
    page.locator('[data-testid="stMain"]').get_by_role("link", name="登录").click()
    sign_in(page, "admin", PASSWORD)
    page.get_by_text("下载模板（Excel）").wait_for(timeout=60_000)
    wait_until_idle(page)
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

    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(filled))
    try:
        page.get_by_text("已保存").wait_for(timeout=60_000)
    finally:
        screenshot(page, "upload", tmp_path)

    page.goto(f"{writable_app_url}/compare?indicator=enterprise_startup_time&year=2021")
    page.locator(".js-plotly-plot .barlayer .point").first.wait_for(timeout=60_000)
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
    page.context.close()
