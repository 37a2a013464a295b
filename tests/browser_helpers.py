"""Helpers for the Chromium tests: the app served by Streamlit, and waits for what a rerun draws instead of sleeps."""
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from indicators.paths import REPO_DIR

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# Upper bounds, not waits: CI shares two cores, and a page's run there can take many times as long as here.
WAIT = 60_000
VIEWPORT = {"width": 1500, "height": 1100}


# --- The server ----------------------------------------------------------------------------------

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
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"streamlit did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)  # the server is a separate process: nothing in the browser to wait on yet
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


# --- Browser, contexts, pages --------------------------------------------------------------------

@contextlib.contextmanager
def launched_chromium():
    """Debian's Chromium, headless, driven by Playwright (the tests' `browser` fixture)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run bash scripts/test.sh, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


def watched_page(browser, request, tmp_path):
    """A page in a fresh context (no cookies, no session: signed out) that watches Streamlit's runs; a screenshot
    if the test fails (the tests' `page` fixture)."""
    context = new_context(browser)
    opened = context.new_page()
    failures_before = request.session.testsfailed
    yield opened
    if request.session.testsfailed > failures_before:
        with contextlib.suppress(PlaywrightError):  # the failure is already reported; the picture only helps
            screenshot(opened, f"failed-{request.node.name}", tmp_path)
    context.close()


def new_context(browser, **options):
    """A browser context whose pages count Streamlit's runs (see `wait_until_idle`)."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, **options)
    context.set_default_timeout(WAIT)
    context.add_init_script(f"({RUN_WATCHER})({json.dumps(PROTOCOL)})")
    return context


def screenshot(page, name, tmp_path):
    page.screenshot(path=str(os.environ.get("BIZENV_SCREENSHOT_DIR", tmp_path)) + f"/{name}.png", full_page=True)


# --- Waiting for Streamlit's runs ----------------------------------------------------------------
# Streamlit's own signs of a run are late or missing: its status widget shows only after half a second of running,
# `data-test-script-state` stays "notRunning" until the server answers, and a widget's change is sent a task after
# the click. The page itself tells exactly: the app asks for a run with a `rerun_script` message, every run starts
# with `new_session` and ends with `script_finished`. The watcher reads those from the websocket, in order.

PROTOCOL = {
    "rerunScript": BackMsg.DESCRIPTOR.fields_by_name["rerun_script"].number,
    "newSession": ForwardMsg.DESCRIPTOR.fields_by_name["new_session"].number,
    "scriptFinished": ForwardMsg.DESCRIPTOR.fields_by_name["script_finished"].number,
    "finishedEarlyForRerun": ForwardMsg.FINISHED_EARLY_FOR_RERUN,
}

RUN_WATCHER = """protocol => {
    const runs = window.__bizenvRuns = {
        requests: 0,      // runs the page asked for
        asked: false,     // one was asked for and has not started yet
        finished: false,  // the latest run has ended (not only stopped to make way for another)
        undrawn: 0,       // messages received that Streamlit has not yet handled and drawn
    };
    // The numbers of the top-level fields of a protobuf message, with a varint field's value.
    const fields = bytes => {
        const found = new Map();
        let at = 0;
        const varint = () => {
            let value = 0, scale = 1, byte;
            do { byte = bytes[at++]; value += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80);
            return value;
        };
        while (at < bytes.length) {
            const key = varint(), number = Math.floor(key / 8), wireType = key % 8;
            if (wireType === 0) found.set(number, varint());
            else if (wireType === 2) { const length = varint(); found.set(number, null); at += length; }
            else if (wireType === 1) at += 8;
            else if (wireType === 5) at += 4;
            else break;
        }
        return found;
    };
    const asBytes = data => ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    const received = data => {
        const message = fields(asBytes(data));
        if (message.has(protocol.newSession)) { runs.asked = false; runs.finished = false; }
        if (message.has(protocol.scriptFinished) && message.get(protocol.scriptFinished) !== protocol.finishedEarlyForRerun)
            runs.finished = true;
    };
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
        constructor(...args) {
            super(...args);
            this.addEventListener("message", event => {
                if (typeof event.data === "string") return;
                runs.undrawn += 1;
                // A task later Streamlit's own listener has handled the message (its handling is synchronous
                // apart from promises); two frames later React has drawn the state it set.
                setTimeout(() => {
                    received(event.data);
                    requestAnimationFrame(() => requestAnimationFrame(() => { runs.undrawn -= 1; }));
                });
            });
        }
        send(data) {
            if (typeof data !== "string" && fields(asBytes(data)).has(protocol.rerunScript)) {
                runs.requests += 1;
                runs.asked = true;
            }
            return super.send(data);
        }
    };
}"""

IDLE = """({document: opened, requests}) => {
    const runs = window.__bizenvRuns;
    if (!runs) throw new Error("this page does not watch Streamlit's runs: open it in browser_helpers.new_context");
    // A document loaded since (a real navigation) counts its runs afresh.
    const since = performance.timeOrigin === opened ? requests : -1;
    const app = document.querySelector('[data-testid="stApp"]');
    return runs.requests > since && !runs.asked && runs.finished && runs.undrawn === 0
        && app !== null && app.dataset.testScriptState === "notRunning" && app.dataset.testConnectionState === "CONNECTED"
        // stale: drawn by an earlier run; skeleton: an element whose code is still loading (page links, markdown)
        && document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]') === null;
}"""

RUN_STATE = """() => ({...window.__bizenvRuns,
    script: document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState,
    stale: document.querySelectorAll('[data-stale="true"]').length,
    skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length})"""


RUN_REQUESTS = "() => ({document: performance.timeOrigin, requests: window.__bizenvRuns.requests})"


def _wait_for_runs(page, since: dict, timeout: int, what: str):
    try:
        page.wait_for_function(IDLE, arg=since, timeout=timeout)
    except PlaywrightTimeoutError:
        raise AssertionError(f"{what} within {timeout // 1000} s; the page's runs: {page.evaluate(RUN_STATE)}") from None
    # No test expects one: an exception the page shows fails the test now, saying what it was, not at a later wait.
    exceptions = page.locator('[data-testid="stException"]')
    if exceptions.count():
        raise AssertionError(f"the page shows an exception: {exceptions.all_inner_texts()}")


def wait_until_idle(page, timeout: int = WAIT):
    """Until every run the page has asked for has finished and is drawn: no run pending or going, nothing stale,
    nothing still loading. On a page just opened this waits for its first run."""
    _wait_for_runs(page, {"document": None, "requests": -1}, timeout, "the page did not come to rest")


@contextlib.contextmanager
def rerun(page, timeout: int = WAIT):
    """Around an interaction that makes Streamlit run the page again: on leaving, waits until that run (and any it
    leads to, such as a switch of page) has finished and is drawn. It fails if the interaction asked for no run."""
    since = page.evaluate(RUN_REQUESTS)
    yield
    _wait_for_runs(page, since, timeout, "the interaction started no run, or its run did not finish,")


# --- Reading what a run drew ---------------------------------------------------------------------

def downloaded(page, button, timeout: int = WAIT):
    """The download a click on `button` starts.

    Clicked only once the page is idle: a click during a rerun asks for the previous run's deferred file, which that
    rerun discards, and Streamlit shows an error under the button instead of downloading (seen in full CI runs).
    """
    wait_until_idle(page)
    expect(button).to_be_enabled(timeout=timeout)
    refusal = page.locator('[data-testid="stDownloadButtonError"]')
    with page.expect_download(timeout=timeout) as download_info:
        button.click()
        # A deferred file is being made while the button is disabled; a refusal shows for five seconds after.
        expect(button).to_be_enabled(timeout=timeout)
        if refusal.count():
            raise AssertionError(f"the download was refused: {refusal.all_inner_texts()}")
    wait_until_idle(page)
    return download_info.value


ROWS_IN_VIEW = 10  # st.dataframe's default height shows ten rows


def grid_cells(page, row_count: int, index: int = 0, timeout: int = WAIT) -> tuple[list[str], list[list[str]]]:
    """(headers, rows in view) of the index-th st.dataframe once it holds `row_count` rows and has drawn those in view
    (all of them, up to ten), read from the accessibility table Glide keeps inside its canvas: that table leaves out
    rows and columns outside the view, and its aria-rowcount is the grid's whole row count (with the header row)."""
    table = page.locator('[data-testid="stDataFrame"]').nth(index).locator('table[role="grid"]')
    expect(table).to_have_attribute("aria-rowcount", str(row_count + 1), timeout=timeout)
    if row_count:
        expect(table.locator("tbody tr").nth(min(row_count, ROWS_IN_VIEW) - 1)).to_be_attached(timeout=timeout)
    return table.evaluate(
        """table => [
            Array.from(table.querySelectorAll('thead th')).map(cell => cell.textContent),
            Array.from(table.querySelectorAll('tbody tr')).map(
                row => Array.from(row.querySelectorAll('td')).map(cell => cell.textContent)),
        ]""")


def submit_sign_in(page, user_name: str, password: str):
    """Fill the sign-in form (each field committed by Tab), press its button and wait for the run that answers."""
    name_field = page.get_by_label("用户名", exact=True)
    password_field = page.get_by_label("密码", exact=True)
    name_field.fill(user_name)
    name_field.press("Tab")
    password_field.fill(password)
    password_field.press("Tab")
    with rerun(page):
        page.locator('[data-testid="stForm"]').get_by_role("button", name="登录", exact=True).click()
