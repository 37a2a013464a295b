"""Hardening: hostile text in URLs, workbook cells and file names; formula-safe downloads; server-side role checks."""
import csv
import datetime as dt
import hashlib
import io
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import ADMIN, QINGHAI_EVALUATOR, add_users, data_digest, signed_in
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest
from test_upload_pages import filled_template

from indicators import store
from indicators.paths import REPO_DIR
from indicators.progress import layout
from indicators.progress.submissions import submit

HOSTILE = (
    "'; DROP TABLE targets; --",
    "1 OR 1=1",
    "630000' UNION SELECT password_hash FROM users --",
    '"); DELETE FROM audit_log; --',
    "<script>alert(1)</script>",
    "../../etc/passwd",
)


def audit_count(database) -> int:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def private_copy(corpus_database, folder: Path) -> Path:
    """The corpus database with the three users, in a folder of its own (one per module, to save copies)."""
    path = folder / "bizenv.duckdb"
    shutil.copyfile(corpus_database, path)
    add_users(path)
    return path


# --- 1. Hostile text in the URL -------------------------------------------------------------------

# Every page with who opens it and every query parameter it reads (st.query_params / ui.choice_from_url);
# lang and samples are read by the sidebar on every page. Admin pages are also opened anonymously, where the
# gate turns the URL, hostile values and all, into a sign-in link carrying "next".
PAGE_PARAMETERS = {
    "app.py": (None, ()),
    "pages/compare.py": (None, ("indicator", "scope", "year", "style", "map_level")),
    "pages/region.py": (None, ("region", "history_indicator")),
    "pages/indicator.py": (None, ("indicator",)),
    "pages/library.py": (None, ("region_code", "level", "category", "indicator", "kind", "document_id", "search",
                                "target")),
    "pages/submissions.py": (None, ("submission",)),
    "pages/sign_in.py": (None, ("next",)),
    "pages/upload.py": ("admin", ("template_region", "template_year", "template_quarter")),
    "pages/users.py": ("admin", ()),
    "pages/audit.py": ("admin", ()),
    "pages/maintenance.py": ("admin", ("target",)),
    "anonymous:pages/maintenance.py": (None, ("target", "next")),
}
SIDEBAR_PARAMETERS = ("lang", "samples")


@pytest.fixture(scope="module")
def url_database(corpus_database, tmp_path_factory):
    """A private copy with the three users and one stored upload (so the submissions page has a choice)."""
    folder = tmp_path_factory.mktemp("url")
    path = private_copy(corpus_database, folder)
    outcome = submit(filled_template(path, region="630000"), "青海2021.xlsx", ADMIN, path, folder=folder / "uploads")
    assert outcome.stored
    return path


@pytest.fixture
def url_app(url_database, monkeypatch):
    monkeypatch.setenv("BIZENV_DB", str(url_database))
    monkeypatch.setenv("BIZENV_UPLOADS", str(url_database.parent / "uploads"))
    monkeypatch.setenv("BIZENV_SIGN_IN_DELAY_SECONDS", "0")
    return url_database


def run_page(page: str, as_user: str | None, query: dict) -> AppTest:
    """The page opened straight from a link carrying `query`, as a new session (without the home page first)."""
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    for name, value in query.items():
        test.query_params[name] = value
    if as_user:
        signed_in(test, as_user)
    if page != "app.py":
        test.switch_page(page)
    return test.run()


def elements(test: AppTest):
    """(node, proto) for every element drawn, main area and sidebar."""
    for node in (*test.main, *test.sidebar):
        proto = getattr(node, "proto", None)
        if proto is not None:
            yield node, proto


def assert_no_html(test: AppTest, hostile=HOSTILE) -> None:
    """Nothing is rendered as HTML: no st.html, no unsafe Markdown holding hostile text, no raw <script> in
    any Markdown-rendered body (titles, captions, alerts, markdown)."""
    for node, proto in elements(test):
        assert node.type != "html", "st.html renders raw HTML"
        body = getattr(proto, "body", None)
        if not isinstance(body, str):
            continue
        if getattr(proto, "allow_html", False):
            assert not any(text in body for text in hostile), f"hostile text in unsafe HTML: {body[:200]}"
        assert "<script>" not in body, body[:200]


def rotated(parameters, run: int) -> dict:
    """Run `run`'s values: each parameter a different hostile string, shifting by one string per run."""
    return {name: HOSTILE[(run + position) % len(HOSTILE)] for position, name in enumerate(parameters)}


# Pages passing URL text to SQL as it is (a search, a statement id); the others match it against their choices first.
FREE_TEXT_PAGES = ("pages/library.py", "pages/maintenance.py")


def url_cases():
    """Pages passing URL text to SQL get every hostile string in every parameter (six runs); the others get
    three runs, in which the rotation still brings each string to some parameter."""
    for page in PAGE_PARAMETERS:
        runs = range(len(HOSTILE)) if page in FREE_TEXT_PAGES else range(0, len(HOSTILE), 2)
        yield from (pytest.param(page, run, id=f"{page}-{run}") for run in runs)


@pytest.mark.parametrize(("page", "run"), list(url_cases()))
def test_hostile_url_parameters_are_data_never_sql_or_html(url_app, page, run):
    database = url_app
    as_user, parameters = PAGE_PARAMETERS[page]
    query = rotated((*SIDEBAR_PARAMETERS, *parameters), run)
    before, audit_before = data_digest(database), audit_count(database)
    test = run_page(page.removeprefix("anonymous:"), as_user, query)
    assert not test.exception, [exception.message for exception in test.exception]
    assert_no_html(test)
    assert data_digest(database) == before
    assert audit_count(database) == audit_before
    # The hostile values were taken for what they are: unknown choices, or literal text.
    if page in ("pages/compare.py", "pages/indicator.py"):
        assert test.selectbox(key="indicator").value == "enterprise_startup_time"
    if page == "pages/region.py":
        assert test.selectbox(key="region").value == "140000"
    if page == "pages/library.py":
        assert all(test.selectbox(key=name).value == "" for name in parameters if name not in ("search", "target"))
        assert test.text_input(key="search").value == query["search"]
        assert len(test.dataframe[0].value) == 0, "a hostile search must match literally, not everything"
        assert not [markdown for markdown in test.markdown if "orange-background" in markdown.value]
    if page == "pages/maintenance.py":
        assert test.text_input(key="target").value == query["target"].strip()
        assert test.warning, "an unknown statement id is reported as unknown"
    if page == "anonymous:pages/maintenance.py":
        assert test.info and not test.text_input, "the gate stops before the page draws anything"
    if page == "pages/submissions.py":
        # An unknown id selects nothing: the page asks the visitor to pick one.
        assert test.session_state["submission"] is None


def store_reads(hostile: str) -> dict:
    """Every read under indicators/store/ that takes text a visitor controls, with that text hostile."""
    return {
        "target_detail": lambda db: store.target_detail(db, hostile),
        "region_targets": lambda db: store.region_targets(db, hostile),
        "region_reports": lambda db: store.region_reports(db, hostile, True),
        "indicator_targets": lambda db: store.indicator_targets(db, hostile),
        "indicator_scopes": lambda db: store.indicator_scopes(db, hostile),
        "indicator_years": lambda db: store.indicator_years(db, hostile, True),
        "report_years": lambda db: store.report_years(db, hostile, True),
        "latest_reports": lambda db: store.latest_reports(db, hostile, None, True),
        "yearly_reports": lambda db: store.yearly_reports(db, hostile, True, [hostile]),
        "library_rows": lambda db: store.library_rows(db, {column: hostile for column in store.LIBRARY_FILTERS
                                                           if column != "year"}, hostile),
        "library_search": lambda db: store.library_rows(db, {}, hostile),
        "targets_table": lambda db: store.targets_table(db, hostile, hostile),
        "documents_by_id": lambda db: store.documents_by_id(db, (hostile,)),
        "indicator_definitions": lambda db: store.indicator_definitions(db, (hostile,)),
        "template_targets": lambda db: store.template_targets(db, (hostile,)),
        "submission_changes": lambda db: store.submission_changes(db, hostile),
        "submission_record": lambda db: store.submission_record(db, hostile),
        "submission_region_codes": lambda db: store.submission_region_codes(db, hostile),
        "submission_with_file": lambda db: store.submission_with_file(db, hostile),
        "user_record": lambda db: store.user_record(db, hostile),
        "audit_entries": lambda db: store.audit_entries(db, (hostile,), hostile),
        "audit_actor": lambda db: store.audit_entries(db, (), hostile),
    }


def empty(result) -> bool:
    if result is None:
        return True
    return len(result) == 0


@pytest.mark.parametrize("hostile", HOSTILE)
def test_store_reads_bind_hostile_text_as_values(url_database, hostile):
    before, audit_before = data_digest(url_database), audit_count(url_database)
    for name, read in store_reads(hostile).items():
        assert empty(read(url_database)), f"{name}({hostile!r}) found something"
    assert data_digest(url_database) == before and audit_count(url_database) == audit_before


@pytest.mark.parametrize("wildcard", ["%", "_", "\\"])
def test_library_search_wildcards_are_literal(corpus_database, wildcard):
    everything = store.library_rows(corpus_database, {}, None, limit=100_000)
    found = store.library_rows(corpus_database, {}, wildcard, limit=100_000)
    assert len(found) < len(everything)
    searched = found[["quote", "scope", "title", "label_zh", "label_en"]].fillna("").astype(str)
    assert all(any(wildcard in text for text in row) for row in searched.itertuples(index=False))


@pytest.mark.parametrize("next_page", [HOSTILE[0], HOSTILE[5], "https://evil.example/", "pages/users.py", "page_library"])
def test_signing_in_follows_next_only_to_pages_of_the_app(url_app, next_page):
    """After a password sign-in the app goes to "next" only if it names one of its pages (page_library here)."""
    from conftest import PASSWORD

    from indicators.i18n import label

    database = url_app
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    test.query_params["next"] = next_page
    test.query_params["search"] = HOSTILE[0]
    test.switch_page("pages/sign_in.py").run()
    test.text_input(key="sign_in_user").input("viewer1")
    test.text_input(key="sign_in_password").input(PASSWORD)
    before, audit_before = data_digest(database), audit_count(database)
    [button] = [button for button in test.button if button.label == label("sign_in", "zh")]
    button.click().run()
    assert not test.exception, [exception.message for exception in test.exception]
    assert test.session_state["auth"]["user_name"] == "viewer1"
    expected = "page_library" if next_page == "page_library" else "page_account"  # else stays, signed in
    assert test.title[0].value == label(expected, "zh")
    if expected == "page_library":
        assert test.text_input(key="search").value == HOSTILE[0]  # the URL state came along, as text
    after = data_digest(database)
    assert {table for table in before if before[table] != after[table]} <= {"users"}
    assert audit_count(database) == audit_before + 1  # the sign-in itself
    assert_no_html(test)


# --- 2. Hostile text in workbook cells -------------------------------------------------------------

def edited_workbook(data: bytes, field: str, values) -> tuple[bytes, dict[str, str]]:
    """The workbook with the column of `field` set row by row to `values` (as text); returns cell → value."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[layout.DATA_SHEET]
    header = layout.COLUMNS_BY_FIELD[field].header_zh
    column = next(cell.column_letter for cell in sheet[1] if cell.value == header)
    written = {}
    for row, value in zip(range(2, sheet.max_row + 1), values):
        cell = sheet[f"{column}{row}"]
        cell.value = value
        cell.data_type = "s"  # text as typed, even when it starts with "="
        written[f"{column}{row}"] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), written


def row_count(data: bytes) -> int:
    return load_workbook(io.BytesIO(data))[layout.DATA_SHEET].max_row - 1


@pytest.fixture(scope="module")
def cells_database(corpus_database, tmp_path_factory):
    return private_copy(corpus_database, tmp_path_factory.mktemp("cells"))


@pytest.fixture(scope="module")
def qinghai_template(cells_database):
    return filled_template(cells_database, region="630000")


@pytest.mark.parametrize("field", ["region_code", "indicator", "period", "unit"])
@pytest.mark.parametrize("hostile", [HOSTILE[0], HOSTILE[2], HOSTILE[3], HOSTILE[4]])
def test_hostile_key_cells_are_refused_naming_the_cell(cells_database, qinghai_template, field, hostile):
    database = cells_database
    data, written = edited_workbook(qinghai_template, field, [hostile])
    [(cell, _)] = written.items()
    before, audit_before = data_digest(database), audit_count(database)
    outcome = submit(data, "青海2021.xlsx", ADMIN, database, folder=database.parent / "uploads")
    assert not outcome.stored
    named = [problem for problem in outcome.errors if problem.cell == cell]
    assert named, [problem.message() for problem in outcome.errors]
    assert cell in named[0].message("zh") and cell in named[0].message("en")
    assert named[0].value == hostile  # reported back as the data it is
    assert data_digest(database) == before
    assert not (database.parent / "uploads").exists()
    # The refusal alone is audited, and the chain holds.
    assert audit_count(database) == audit_before + 1
    assert store.audit_entries(database).iloc[0]["action"] == "upload_refused"
    assert store.audit_chain_breaks(database) == []


FREE_TEXT_FIELDS = ("source", "note", "scope")


def test_hostile_free_text_is_stored_verbatim_as_data(writable_database, open_page):
    database = writable_database
    data = filled_template(database, region="630000")
    rows = row_count(data)
    expected = {}
    for offset, field in enumerate(FREE_TEXT_FIELDS):
        expected[field] = [HOSTILE[(position + offset) % len(HOSTILE)] for position in range(rows)]
        data, _ = edited_workbook(data, field, expected[field])
    before = data_digest(database)
    with duckdb.connect(str(database), read_only=True) as connection:
        targets_before = connection.execute("SELECT count(*) FROM targets").fetchone()[0]
        users_before = connection.execute("SELECT * FROM users ORDER BY user_name").fetchall()
    outcome = submit(data, "青海2021.xlsx", ADMIN, database)
    assert outcome.stored, [problem.message() for problem in outcome.errors]
    with duckdb.connect(str(database), read_only=True) as connection:
        stored = connection.execute(
            f"SELECT {', '.join(FREE_TEXT_FIELDS)} FROM reported_values WHERE submission_id = ?",
            [outcome.submission_id]).fetchall()
        targets_after = connection.execute("SELECT count(*) FROM targets").fetchone()[0]
        users_after = connection.execute("SELECT * FROM users ORDER BY user_name").fetchall()
        tables = {name for (name,) in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert sorted(stored) == sorted(zip(*(expected[field] for field in FREE_TEXT_FIELDS)))
    assert targets_after == targets_before and users_after == users_before
    assert {"targets", "users", "user_regions", "audit_log", "reported_values", "submissions"} <= tables
    after = data_digest(database)
    assert {table for table in before if before[table] != after[table]} == {"submissions", "reported_values"}
    assert store.audit_chain_breaks(database) == []
    # Shown back on the submissions page, the stored text is still never HTML.
    page = open_page("pages/submissions.py", as_user="admin", submission=outcome.submission_id)
    assert_no_html(page)
    [changes] = [frame.value for frame in page.dataframe if len(frame.value) == rows]
    assert set(HOSTILE) & set(changes.astype(str).to_numpy().ravel()), "the scopes are shown, as table cells"
    assert data_digest(database) == after


# --- 3. Uploaded file names never become paths ---------------------------------------------------

def tree(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")} if folder.exists() else set()


@pytest.fixture(scope="module")
def names_database(corpus_database, tmp_path_factory):
    return private_copy(corpus_database, tmp_path_factory.mktemp("names"))


HOSTILE_NAMES = [  # (name as uploaded, name as stored; None when refused for want of a workbook extension)
    ("../../../tmp/evil.xlsx", "evil.xlsx"),
    ("..\\..\\evil.xlsx", "evil.xlsx"),
    ("/etc/passwd.xlsx", "passwd.xlsx"),
    ("a\x00b.xlsx", "ab.xlsx"),
    ("C:\\Windows\\System32\\evil.xlsx", "evil.xlsx"),
    ("evil.xlsx/../../../x.xlsx", "x.xlsx"),
    ("x.xlsx\n\r\t.xlsx", "x.xlsx.xlsx"),
    ("..", None),
]


@pytest.mark.parametrize(("position", "name", "shown"),
                         [(position, *case) for position, case in enumerate(HOSTILE_NAMES)])
def test_uploaded_file_names_never_become_paths(names_database, position, name, shown):
    database = names_database
    folder = database.parent
    uploads = folder / "uploads"
    data = filled_template(database, region="630000", value=1.0 + position)  # a new file each time
    plain = name.replace("\x00", "")
    naive = {(uploads / plain).resolve(), (Path.cwd() / plain).resolve(), Path("/tmp/evil.xlsx"),
             (uploads / plain.replace("\\", "/")).resolve()}
    existed = {path: path.exists() for path in naive}
    outside_before = {path for path in tree(folder) if not path.startswith("uploads")}
    uploads_before = tree(uploads)
    outcome = submit(data, name, ADMIN, database, folder=uploads)
    assert {path for path in tree(folder) if not path.startswith("uploads")} == outside_before
    assert {path: path.exists() for path in naive} == existed
    if shown is None:
        assert not outcome.stored and tree(uploads) == uploads_before
        return
    assert outcome.stored, [problem.message() for problem in outcome.errors]
    sha256 = hashlib.sha256(data).hexdigest()
    record = store.submission_record(database, outcome.submission_id)
    kept = Path(record["stored_path"])
    assert kept.parent == uploads and kept.name in (sha256, sha256 + ".xlsx") and kept.read_bytes() == data
    assert tree(uploads) - uploads_before == {kept.name}
    assert record["file_name"] == shown
    assert not re.search(r"[/\\\x00-\x1f]", record["file_name"])
    entry = store.audit_entries(database, ("upload",)).iloc[0]
    assert entry["file_name"] == shown and Path(entry["stored_path"]) == kept


@pytest.mark.parametrize("value", [*HOSTILE, "..", "C:\\Windows\\evil", '=HYPERLINK("http://x","y")', "a\x00b"])
def test_download_names_built_from_user_text_are_never_paths(value):
    from indicators.downloads import file_name

    for suffix in (".csv", ".xlsx"):
        name = file_name("audit", {"actor": value, "file": value}, suffix)
        stem = name.removesuffix(suffix)
        assert name.endswith(suffix) and stem.startswith("bizenv_audit"), name
        assert not re.search(r"[^\w\-]|\.", stem), name  # letters, digits, "_" and "-": never a path
        assert Path(name).name == name


# --- 4. No user text rendered as HTML --------------------------------------------------------------

UI_SOURCES = [REPO_DIR / "app.py", *sorted((REPO_DIR / "indicators" / "ui").glob("*.py")), *sorted((REPO_DIR / "pages").glob("*.py"))]


@pytest.mark.parametrize("source", UI_SOURCES, ids=lambda path: path.name)
def test_no_page_renders_html(source):
    text = source.read_text(encoding="utf-8")
    assert "unsafe_allow_html" not in text
    assert not re.search(r"\bst\.html\(|components\.v1|components\.html|\.html\(", text)


@pytest.mark.parametrize(("text", "forbidden"), [
    ("<img src=x onerror=alert(1)>", ("<", ">")),
    ("[link](javascript:alert(1))", ("[", "]", "(", ")", ":")),
    ("**bold**", ("*",)),
    ("<script>alert(1)</script>", ("<", ">")),
    (":red[colour] $x$ `code` _i_ # h", (":", "[", "]", "$", "`", "_", "#")),
])
def test_escaped_markdown_leaves_no_markup(text, forbidden):
    from indicators.views import escaped_markdown

    escaped = escaped_markdown(text)
    # Every markup character is preceded by a backslash; removing the escapes gives the text back.
    for position, character in enumerate(escaped):
        if character in forbidden:
            assert escaped[position - 1] == "\\", (text, escaped, position)
    assert re.sub(r"\\(.)", r"\1", escaped) == text


def test_highlighted_paragraph_escapes_paragraph_and_quote():
    from indicators.views import highlighted_paragraph

    paragraph = "前<img src=x onerror=alert(1)>中[link](javascript:alert(1))后"
    start = paragraph.index("[")
    markdown = highlighted_paragraph(paragraph, start, len("[link](javascript:alert(1))"))
    assert re.findall(r"(.)<", markdown) == ["\\"] and "](" not in markdown and "\\[link\\]" in markdown
    assert markdown.count(":orange-background[") == 1


MARKUP_NAME = "<script>alert(1)</script> **bold** [link](javascript:alert(1)) :red[red]"


def unescaped(body: str, token: str) -> bool:
    """Whether `token` occurs in Markdown `body` with its first character not escaped by a backslash."""
    return any(body[position - 1: position] != "\\" for position in
               (match.start() for match in re.finditer(re.escape(token), body)))


@pytest.mark.parametrize("page", ["pages/sign_in.py", "pages/upload.py"])
def test_a_display_name_with_markup_is_shown_literally(writable_database, page):
    """A display name is free text an admin types; wherever it is shown in Markdown it must stay text."""
    from conftest import PASSWORD

    from indicators import accounts

    accounts.create_user(writable_database, ADMIN, "marked", "evaluator", MARKUP_NAME, [("630000", True)], PASSWORD)
    test = run_page(page, "marked", {})
    assert not test.exception, [exception.message for exception in test.exception]
    shown = False
    assert_no_html(test)
    for node, proto in elements(test):
        body = getattr(proto, "body", None)
        if not isinstance(body, str) or "alert" not in body:
            continue
        shown = True
        assert not getattr(proto, "allow_html", False)
        for token in ("<script>", "**bold**", "[link]", "](javascript", ":red["):
            assert not unescaped(body, token), (token, body)
    assert shown, "the display name is shown on the page"


# --- 5. Downloads neutralize formulas -------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@")


def formula_like(text: str) -> bool:
    if text.startswith(("\t", "\r")) or not text.lstrip().startswith(FORMULA_STARTS):
        return False
    try:
        float(text)  # a negative number is a number
        return False
    except ValueError:
        return True


FORMULA_NAMES = ['=HYPERLINK("http://x","y").xlsx', '=HYPERLINK("x";"y").xlsx', "+SUM(1+1).xlsx", "-2+3.xlsx",
                 "@SUM(A1).xlsx", "  =1+1.xlsx"]


def test_audit_and_report_downloads_neutralize_formulas(writable_database):
    from indicators.downloads import DownloadMeta, csv_bytes, xlsx_bytes

    database = writable_database
    template = filled_template(database, region="630000")
    rows = row_count(template)
    for position, name in enumerate(FORMULA_NAMES):
        data, _ = edited_workbook(filled_template(database, region="630000", value=1.0 + position), "note",
                                  ["=1+1"] * rows)
        if position == len(FORMULA_NAMES) - 1:  # the latest upload is the one whose values count
            data, _ = edited_workbook(data, "source", ["-2+3"] * rows)
            # One row's scope only: the same scope on every row would make rows of one indicator duplicates.
            data, _ = edited_workbook(data, "scope", [" @SUM(1)"])
        outcome = submit(data, name, ADMIN, database)
        assert outcome.stored, [problem.message() for problem in outcome.errors]
    entries = store.audit_entries(database)
    stored_names = set(entries["file_name"].dropna())
    # The brief's name loses everything up to its last "/" (safe_file_name); the others keep their "=", "+", "-", "@".
    assert {'x","y").xlsx', '=HYPERLINK("x";"y").xlsx', "+SUM(1+1).xlsx", "@SUM(A1).xlsx"} <= stored_names

    text = csv_bytes(entries).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if formula_like(cell)]
    assert {"'=HYPERLINK(\"x\";\"y\").xlsx", "'+SUM(1+1).xlsx", "'-2+3.xlsx", "'@SUM(A1).xlsx",
            "'=1+1.xlsx"} <= set(cells)

    meta = DownloadMeta(title="=audit", filters={"actor": "=cmd|' /C calc'!A0"}, indicators=pd.DataFrame(),
                        sources=pd.DataFrame(), generated_at=dt.datetime.now(dt.UTC))
    workbook = load_workbook(io.BytesIO(xlsx_bytes(entries, meta)))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type in ("s", "inlineStr"), (cell.coordinate, cell.data_type)
                    assert not formula_like(cell.value), (sheet.title, cell.coordinate, cell.value)
                    texts.append(cell.value)
    assert "'+SUM(1+1).xlsx" in texts and "'=audit" in texts

    # The note "=1+1" and source "-2+3" typed into the workbook: stored verbatim, exported neutralized.
    with duckdb.connect(str(database), read_only=True) as connection:
        notes = {value for (value,) in connection.execute(
            "SELECT DISTINCT note FROM reported_values WHERE origin = 'submission'").fetchall()}
    assert notes == {"=1+1"}
    everything = store.reported_values_csv(database).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(everything)) for cell in row]
    assert {"'=1+1", "'-2+3", "'@SUM(1)"} <= set(cells)
    assert not [cell for cell in cells if formula_like(cell)]


# --- 6. Every write checks the role itself ------------------------------------------------------

@pytest.fixture(scope="module")
def role_database(corpus_database, tmp_path_factory):
    """A private copy with the users, an admin's upload for 山西 and an active correction."""
    from etl import maintenance

    folder = tmp_path_factory.mktemp("roles")
    path = private_copy(corpus_database, folder)
    outcome = submit(filled_template(path, region="140000"), "山西2021.xlsx", ADMIN, path, folder=folder / "uploads")
    assert outcome.stored
    with duckdb.connect(str(path), read_only=True) as connection:
        target_id, other_id = [row[0] for row in connection.execute(
            "SELECT target_id FROM targets WHERE correction IS NULL ORDER BY target_id LIMIT 2").fetchall()]
    correction_id = maintenance.add_correction(path, ADMIN, target_id, "drop", {}, "test")
    return {"path": path, "submission": outcome.submission_id, "correction": correction_id, "target": other_id,
            "uploads": folder / "uploads"}


def write_actions(setup, data):
    """name → a call performing one write as the given actor."""
    from etl import maintenance
    from indicators import accounts
    from indicators.progress.submissions import withdraw

    path = setup["path"]
    return {
        "submit": lambda actor: submit(data, "x.xlsx", actor, path, folder=setup["uploads"]),
        "withdraw": lambda actor: withdraw(path, setup["submission"], actor, "test"),
        "create_user": lambda actor: accounts.create_user(path, actor, "intruder", "admin", None, [],
                                                          "correct horse 43"),
        "update_user": lambda actor: accounts.update_user(path, actor, "viewer1", "admin", True, None, []),
        "reset_password": lambda actor: accounts.reset_password(path, actor, "admin", "correct horse 44"),
        "unlock": lambda actor: accounts.unlock(path, actor, "admin"),
        "add_correction": lambda actor: maintenance.add_correction(path, actor, setup["target"], "drop", {}, "test"),
        "retract_correction": lambda actor: maintenance.retract_correction(path, actor, setup["correction"], "test"),
        "rebuild": lambda actor: maintenance.rebuild(path, actor),
    }


def actors():
    from indicators.access import ANONYMOUS, Actor

    return {"viewer": Actor("viewer1", "viewer", "accounts"), "anonymous": ANONYMOUS, "qinghai": QINGHAI_EVALUATOR}


# An evaluator may upload (within their regions, checked by validation) but not do the rest;
# withdrawing 山西's upload is outside 青海, so refused too.
ROLE_CASES = [(action, who) for action in ("submit", "withdraw", "create_user", "update_user", "reset_password",
                                           "unlock", "add_correction", "retract_correction", "rebuild")
              for who in ("viewer", "anonymous", "qinghai") if (action, who) != ("submit", "qinghai")]


@pytest.fixture(scope="module")
def shanxi_workbook(role_database):
    return filled_template(role_database["path"], region="140000", value=3.0)


@pytest.mark.parametrize(("action", "who"), ROLE_CASES)
def test_writes_refuse_roles_without_permission(role_database, shanxi_workbook, action, who):
    from indicators import accounts

    path = role_database["path"]
    before, audit_before = data_digest(path), audit_count(path)
    uploads_before = tree(role_database["uploads"])
    with pytest.raises(accounts.NotPermitted):
        write_actions(role_database, shanxi_workbook)[action](actors()[who])
    assert data_digest(path) == before
    assert audit_count(path) == audit_before
    assert tree(role_database["uploads"]) == uploads_before


def test_an_evaluator_cannot_upload_outside_their_regions(role_database, shanxi_workbook):
    path = role_database["path"]
    before = data_digest(path)
    outcome = submit(shanxi_workbook, "x.xlsx", QINGHAI_EVALUATOR, path, folder=role_database["uploads"])
    assert not outcome.stored
    assert any("不在您负责的地区内" in problem.message_zh for problem in outcome.errors)
    assert data_digest(path) == before
    assert store.audit_chain_breaks(path) == []


def test_own_password_change_needs_a_signed_in_account(role_database):
    from indicators import accounts
    from indicators.access import ANONYMOUS

    path = role_database["path"]
    before = data_digest(path)
    with pytest.raises(accounts.NotPermitted):
        accounts.change_own_password(path, ANONYMOUS, "anything", "correct horse 45")
    assert data_digest(path) == before
