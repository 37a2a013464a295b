"""End to end in a real headless Chromium: the app served by Streamlit, driven by Playwright."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from etl.paths import REPO_DIR

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


@pytest.fixture(scope="module")
def app_url(corpus_database, tmp_path_factory):
    port = free_port()
    home = tmp_path_factory.mktemp("streamlit-home")
    environment = {**os.environ, "BIZENV_DB": str(corpus_database), "HOME": str(home)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO_DIR / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=REPO_DIR, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
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
                pytest.fail(f"streamlit did not start: {server.stderr.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bash scripts/test.sh, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


def test_home_page_shows_the_corpus_and_switches_language(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url)
    page.get_by_text("营商环境改革目标追踪").wait_for(timeout=30_000)
    documents_metric = page.locator('[data-testid="stMetric"]').filter(has_text="政策文件")
    documents_metric.wait_for(timeout=30_000)
    assert "22" in documents_metric.inner_text()
    # Family matrix, statements and documents: three tables drawn by the data grid.
    page.locator('[data-testid="stDataFrame"] canvas').nth(2).wait_for(timeout=30_000)
    page.screenshot(path=str(os.environ.get("BIZENV_SCREENSHOT_DIR", tmp_path)) + "/home-zh.png", full_page=True)
    page.get_by_text("English").click()
    page.get_by_text("Business-environment reform tracker").wait_for(timeout=30_000)
    assert "lang=en" in page.url
    page.close()


def test_shared_url_reopens_in_its_language(app_url, browser):
    page = browser.new_page()
    page.goto(f"{app_url}/?lang=en")
    page.get_by_text("Business-environment reform tracker").wait_for(timeout=30_000)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Policy documents")
    metric.wait_for(timeout=30_000)
    assert "22" in metric.inner_text()
    page.close()
