"""The README and docs/ against the code: the paths, commands, options, settings, modules and numbers they state."""
import ast
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest
import yaml

from indicators.paths import REPO_DIR

README = REPO_DIR / "README.md"
DOCS_DIR = REPO_DIR / "docs"
PAGES = [README, *sorted(DOCS_DIR.glob("*.md"))]
README_LIMIT_BYTES = 8 * 1024  # a few screens: the rest belongs in docs/
# Paths the app and the commands create (or the operator configures); they are not in the repository.
MADE_AT_RUN_TIME = ("build/", "uploads/", ".venv/", ".streamlit/")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def page(name: str) -> str:
    return read(DOCS_DIR / name)


def flat(text: str) -> str:
    """The text with every run of whitespace as one space, so a phrase may wrap anywhere."""
    return " ".join(text.split())


FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
INLINE_CODE = re.compile(r"`([^`\n]+)`")


def code_lines(markdown: str) -> list[str]:
    """Every inline code span and every line of a fenced block."""
    blocks = FENCE.findall(markdown)
    rest = FENCE.sub("", markdown)
    return [line for block in blocks for line in block.splitlines()] + INLINE_CODE.findall(rest)


def table_rows(markdown: str, first_header: str) -> list[list[str]]:
    """The body rows of the Markdown table whose first header cell is `first_header`, as lists of cells."""
    lines = markdown.splitlines()
    for number, line in enumerate(lines):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_header:
            rows = []
            for body in lines[number + 2:]:
                if not body.startswith("|"):
                    break
                rows.append([cell.strip() for cell in body.strip().strip("|").split("|")])
            return rows
    raise AssertionError(f"no table headed {first_header!r}")


def ticked(text: str) -> list[str]:
    return INLINE_CODE.findall(text)


# --- The README ----------------------------------------------------------------------------------

def test_the_readme_stays_short():
    size = len(read(README).encode("utf-8"))
    assert size <= README_LIMIT_BYTES, f"README.md is {size} bytes; move detail into docs/"


def test_the_readme_links_every_docs_page():
    readme = read(README)
    pages = sorted(DOCS_DIR.glob("*.md"))
    assert pages
    for path in pages:
        assert f"](docs/{path.name})" in readme, path.name


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_links_lead_to_files_and_headings_that_exist(path):
    for target in re.findall(r"\]\(([^)\s]+)\)", read(path)):
        if "://" in target:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        assert linked.exists(), f"{path.name} links to {target}"
        if anchor and linked.suffix == ".md":
            assert anchor in heading_anchors(read(linked)), f"{path.name} links to a missing heading: {target}"


def heading_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens."""
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#{1,6} (.+)$", FENCE.sub("", markdown), re.M)}


def test_the_readme_settings_table_gives_the_codes_defaults(monkeypatch):
    from indicators.access import settings_from
    from indicators.paths import database_path, uploads_dir

    for name in ("BIZENV_DB", "BIZENV_UPLOADS"):
        monkeypatch.delenv(name, raising=False)
    defaults = settings_from({})
    expected = {
        "BIZENV_DB": database_path().relative_to(REPO_DIR).as_posix(),
        "BIZENV_UPLOADS": f"{uploads_dir(Path('folder/bizenv.duckdb')).name}/",
        "BIZENV_SIGN_IN": defaults.sign_in,
        "BIZENV_ANONYMOUS_VIEW": "1" if defaults.anonymous_view else "0",
        "BIZENV_TRUSTED_HEADER": defaults.trusted_header,
        "BIZENV_PROXY_SECRET": None,
        "BIZENV_OIDC_ACCEPT_UNVERIFIED": "1" if defaults.oidc_accept_unverified else "0",
        "BIZENV_MAX_FAILED_SIGN_INS": f"{defaults.max_failed_sign_ins:g}",
        "BIZENV_LOCK_MINUTES": f"{defaults.lock_minutes:g}",
        "BIZENV_SIGN_IN_DELAY_SECONDS": f"{defaults.failure_delay_seconds:g}",
        "BIZENV_SESSION_IDLE_MINUTES": f"{defaults.idle_minutes:g}",
        "BIZENV_SESSION_HOURS": f"{defaults.session_hours:g}",
    }
    rows = {ticked(row[0])[0]: row[1] for row in table_rows(read(README), "variable")}
    assert set(rows) == set(expected)
    for name, default in expected.items():
        shown = ticked(rows[name])
        assert (shown[0] if shown else rows[name]) == (default if default is not None else "none"), name
    assert uploads_dir(Path("folder/bizenv.duckdb")).parent == Path("folder"), "uploads/ is beside the database"


# --- Paths, commands, options and settings named anywhere ----------------------------------------

PATH_TOKEN = re.compile(r"^\.?[\w-][\w.*-]*(?:/[\w.*<>-]+)*/?$")


def named_paths(markdown: str) -> set[str]:
    """Repository paths written in code: tokens with a slash, plus bare names of files at the root."""
    found = set()
    for line in code_lines(markdown):
        for token in line.split():
            token = token.strip(",;:()\"'")
            if not PATH_TOKEN.match(token) or "<" in token:
                continue
            if "/" in token or (REPO_DIR / token).is_file():
                found.add(token)
    return found


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_every_path_named_exists(path):
    paths = named_paths(read(path))
    assert paths
    for named in sorted(paths):
        if named.startswith(MADE_AT_RUN_TIME):
            continue
        if "*" in named:
            assert list(REPO_DIR.glob(named)), f"{path.name}: nothing matches {named}"
        else:
            assert (REPO_DIR / named).exists(), f"{path.name} names {named}, which does not exist"


def etl_commands() -> dict[str, set[str]]:
    """Each `python -m etl` subcommand with its long options."""
    from etl.cli import parser

    choices = parser()._subparsers._group_actions[0].choices
    return {name: {option for action in command._actions for option in action.option_strings
                   if option.startswith("--")} for name, command in choices.items()}


def bench_options() -> dict[str, set[str]]:
    """Each bench script (by its path) with the long options its argument parser takes."""
    options = {}
    for script in sorted((REPO_DIR / "bench").glob("*.py")):
        tree = ast.parse(read(script))
        options[script.relative_to(REPO_DIR).as_posix()] = {
            node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument"
            and node.args and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith("--")
        } | {"--help"}
    return options


ETL_COMMAND = re.compile(r"python -m etl ([a-z][\w-]*)")
LONG_OPTION = re.compile(r"(?<![\w-])--[a-z][\w.-]*")


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_every_command_named_exists(path):
    commands = etl_commands()
    for name in ETL_COMMAND.findall(read(path)):
        assert name in commands, f"{path.name} names python -m etl {name}, which the parser does not have"


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_every_option_belongs_to_the_command_it_is_written_with(path):
    """In a table row or a command line, each --option is one of the commands named there; anywhere, some command's."""
    commands, benches = etl_commands(), bench_options()
    known = set().union(*commands.values(), *benches.values())
    markdown = read(path)
    for option in LONG_OPTION.findall(markdown):
        assert option in known, f"{path.name}: {option} is no option of any command or bench"
    lines = [line for line in markdown.splitlines() if line.startswith("|")] + FENCE.findall(markdown)
    for line in (single for block in lines for single in block.splitlines()):
        named = [commands[name] for name in ETL_COMMAND.findall(line) if name in commands]
        named += [options for script, options in benches.items() if script in line]
        if not named:
            continue
        allowed = set().union(*named)
        for option in LONG_OPTION.findall(line):
            assert option in allowed, f"{path.name}: {option} is not an option of the command in: {line}"


def settings_read_by_the_code() -> set[str]:
    """BIZENV_ names the code reads: Python string literals, and shell variables in scripts/."""
    names = set()
    python = [*REPO_DIR.glob("*.py"), *(path for folder in ("etl", "indicators", "pages", "bench", "tests")
                                       for path in (REPO_DIR / folder).rglob("*.py"))]
    for path in python:
        if path.name != Path(__file__).name:
            names.update(re.findall(r"[\"'](BIZENV_[A-Z_]+)[\"']", read(path)))
    for path in (REPO_DIR / "scripts").glob("*.sh"):
        names.update(re.findall(r"\$\{?(BIZENV_[A-Z_]+)", read(path)))
    return names


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_every_setting_named_is_read_by_the_code(path):
    read_by_code = settings_read_by_the_code()
    for name in set(re.findall(r"BIZENV_[A-Z_]+", read(path))):
        assert name in read_by_code, f"{path.name} names {name}, which no code reads"


# --- docs/architecture.md ------------------------------------------------------------------------

def real_modules() -> set[str]:
    return {path.relative_to(REPO_DIR).as_posix() for folder in ("etl", "indicators")
            for path in (REPO_DIR / folder).rglob("*.py")}


def test_the_architecture_lists_every_module_and_no_other():
    named = {span for span in ticked(page("architecture.md")) if re.fullmatch(r"(?:etl|indicators)/[\w/]*\.py", span)}
    real = real_modules()
    assert not real - named, f"modules docs/architecture.md does not describe: {sorted(real - named)}"
    assert not named - real, f"docs/architecture.md describes modules that do not exist: {sorted(named - real)}"


def test_the_architecture_names_only_real_dotted_modules():
    for span in ticked(page("architecture.md")):
        for dotted in re.findall(r"^(?:etl|indicators)(?:\.\w+)+$", span):
            path = REPO_DIR / dotted.replace(".", "/")
            assert path.with_suffix(".py").exists() or path.is_dir(), dotted


def imported_names(path: Path) -> set[str]:
    """Every module a file imports, dotted in full (`from etl import maintenance` gives etl.maintenance)."""
    names = set()
    for node in ast.walk(ast.parse(read(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module_path = REPO_DIR / node.module.replace(".", "/")
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                is_module = (module_path / f"{alias.name}.py").exists() or (module_path / alias.name).is_dir()
                names.add(submodule if is_module else node.module)
    return names


def test_the_architecture_names_every_import_of_etl_from_indicators():
    """The domain never reaches back into etl/, but for the imports the architecture page lists, and etl/ never
    imports the Streamlit boundary."""
    actual = set()
    for path in (REPO_DIR / "indicators").rglob("*.py"):
        for name in imported_names(path):
            if name == "etl" or name.startswith("etl."):
                actual.add((path.relative_to(REPO_DIR).as_posix(), name))
    listed = {(ticked(row[0])[0], module) for row in table_rows(page("architecture.md"), "importer")
              for module in ticked(row[1])}
    assert actual == listed
    for path in (REPO_DIR / "etl").rglob("*.py"):
        assert not {name for name in imported_names(path) if name.startswith("indicators.ui")}, path


# --- Numbers and lists the pages take from the code ----------------------------------------------

def stated_facts() -> list[tuple[str, str]]:
    """(page, phrase) pairs: each phrase is built from the code's constants and must appear on its page."""
    from etl.build import PLAUSIBLE_YEARS
    from indicators import access, accounts, attainment
    from indicators.progress import layout
    from indicators.progress.cells import MIN_YEAR
    from indicators.progress.headers import HEADER_SEARCH_ROWS, REQUIRED_FIELDS
    from indicators.progress.xlsx import MAX_COMPRESSION_RATIO
    from indicators.store import EXPORT_COLUMNS, SIDE_EVENT_WAIT_SECONDS, SIGN_IN_WRITE_WAIT_SECONDS, WRITE_WAIT_SECONDS
    from indicators.vocabulary import COMPARATORS, FAMILIES, KINDS, UNITS

    settings = access.settings_from({})
    delays = ", ".join(f"{access.failure_delay(failures, settings):g} s"
                       for failures in range(1, settings.max_failed_sign_ins))
    mebibyte = 1024 * 1024

    def ticked_list(values) -> str:
        return ", ".join(f"`{value}`" for value in values)

    def header_list(fields) -> str:
        return ", ".join(layout.COLUMNS_BY_FIELD[field].header_zh for field in fields)

    return [
        ("security.md", f"the account locks after {settings.max_failed_sign_ins} failed sign-ins in a row, "
                        f"for {settings.lock_minutes:g} minutes"),
        ("security.md", f"answered more slowly: {delays} (doubling, at most {access.MAX_FAILURE_DELAY_SECONDS:g} s)"),
        ("security.md", f"no sooner than {accounts.FAILURE_ANSWER_FLOOR_SECONDS:g} s after the attempt began"),
        ("security.md", f"for up to {accounts.UNKNOWN_NAMES_KEPT:,} names"),
        ("security.md", f"refused as busy after the same {SIGN_IN_WRITE_WAIT_SECONDS:g} s"),
        ("security.md", f"wait up to {SIGN_IN_WRITE_WAIT_SECONDS:g} s and are then refused as busy"),
        ("security.md", f"waits up to {WRITE_WAIT_SECONDS:g} s for its turn"),
        ("security.md", f"wait up to {SIDE_EVENT_WAIT_SECONDS:g} s and then go to the process log"),
        ("security.md", f"end after {settings.idle_minutes:g} minutes without activity and "
                        f"{settings.session_hours:g} hours in all"),
        ("security.md", f"A password has at least {access.MINIMUM_PASSWORD_LENGTH} characters"),
        ("security.md", f"a year ({access.MINUTES_PER_YEAR:,} minutes)"),
        ("security.md", f"at most {access.MAX_FAILURE_DELAY_SECONDS:g} s"),
        ("data-model.md", f"counts as met from {attainment.FULL_COVERAGE_MET_FROM:g}%"),
        ("data-model.md", ", ".join(EXPORT_COLUMNS)),
        ("extraction.md", f"`unit` | one of {ticked_list(UNITS)} |"),
        ("extraction.md", f"`comparator` | one of {ticked_list(COMPARATORS)} "),
        ("extraction.md", f"`kind` | one of {ticked_list(KINDS)} "),
        ("extraction.md", f"one of {ticked_list(FAMILIES)} |"),
        ("extraction.md", f"years lie between {PLAUSIBLE_YEARS.start} and {PLAUSIBLE_YEARS.stop - 1}"),
        ("progress-sheets.md", f"at most {layout.UPLOAD_SIZE_LIMIT // mebibyte} MB as uploaded and "
                               f"{layout.ROW_LIMIT:,} data rows"),
        ("progress-sheets.md", f"inflate beyond {layout.UNCOMPRESSED_SIZE_LIMIT // mebibyte} MB, or compress more "
                               f"than {MAX_COMPRESSION_RATIO}:1"),
        ("progress-sheets.md", f"anywhere in the first {HEADER_SEARCH_ROWS} rows"),
        ("progress-sheets.md", f"a missing required column ({header_list(REQUIRED_FIELDS)})"),
        ("progress-sheets.md", f"between {MIN_YEAR} and next year"),
        ("progress-sheets.md", "Locked columns, filled in by the template: "
                               + header_list(column.field for column in layout.COLUMNS if column.locked) + "."),
        ("progress-sheets.md", "Input columns, for the evaluator: " + header_list(layout.INPUT_FIELDS) + "."),
        ("progress-sheets.md", "offers " + ", ".join(layout.SOURCE_CHOICES[:-1]) + f" and {layout.SOURCE_CHOICES[-1]}"),
        ("progress-sheets.md", f"an instructions sheet ({layout.INSTRUCTIONS_SHEET}), the data sheet "
                               f"({layout.DATA_SHEET}) and a hidden sheet of drop-down lists ({layout.LISTS_SHEET})"),
    ]


@pytest.mark.parametrize(("name", "phrase"), stated_facts(), ids=lambda value: str(value)[:60])
def test_numbers_and_lists_stated_match_the_code(name, phrase):
    text = read(README) if name == "README.md" else page(name)
    assert flat(phrase) in flat(text), f"docs/{name} should say: {phrase}"


def test_the_locking_failure_gets_no_delay_and_passwords_need_four_characters():
    from indicators import access

    settings = access.settings_from({})
    assert access.failure_delay(settings.max_failed_sign_ins, settings) == 0
    assert "the locking failure gets no delay" in flat(page("security.md"))
    assert access.password_problem("abcabcabca", "someone") is not None
    assert access.password_problem("abcdabcdab", "someone") is None
    assert "at least 4 different ones" in flat(page("security.md"))
    assert access.user_name_problem("a" * 64) is None and access.user_name_problem("a" * 65) is not None
    assert "A user name is 1–64 letters" in flat(page("security.md"))


def test_a_proxy_secret_needs_sixteen_characters():
    from indicators.access import settings_from

    short = settings_from({"BIZENV_SIGN_IN": "header", "BIZENV_PROXY_SECRET": "s" * 15})
    enough = settings_from({"BIZENV_SIGN_IN": "header", "BIZENV_PROXY_SECRET": "s" * 16})
    assert short.proxy_secret != "s" * 15 and short.problems
    assert enough.proxy_secret == "s" * 16 and not enough.problems
    assert "16 characters or more" in flat(page("security.md"))
    assert "16 characters or more" in flat(read(README))


SETTING_FIELDS = {
    "BIZENV_MAX_FAILED_SIGN_INS": "max_failed_sign_ins",
    "BIZENV_LOCK_MINUTES": "lock_minutes",
    "BIZENV_SIGN_IN_DELAY_SECONDS": "failure_delay_seconds",
    "BIZENV_SESSION_IDLE_MINUTES": "idle_minutes",
    "BIZENV_SESSION_HOURS": "session_hours",
}


def test_the_settings_bounds_table_is_what_the_code_enforces():
    from indicators.access import settings_from

    rows = table_rows(page("security.md"), "setting")
    assert {ticked(row[0])[0] for row in rows} == set(SETTING_FIELDS)
    default = settings_from({})
    for row in rows:
        name = ticked(row[0])[0]
        field = SETTING_FIELDS[name]
        minimum, maximum = (float(cell.replace(",", "")) for cell in row[1:3])
        assert getattr(settings_from({name: f"{minimum:g}"}), field) == minimum, name
        above = settings_from({name: f"{maximum * 2:g}"})
        assert getattr(above, field) == maximum and above.problems, name
        below = settings_from({name: f"{minimum - (0.05 if minimum < 1 else 0.5):g}"})
        assert getattr(below, field) == getattr(default, field) and below.problems, name


def test_the_roles_table_is_the_permissions_of_the_code():
    from indicators.access import PERMISSIONS

    rows = table_rows(page("security.md"), "role")
    assert {ticked(row[0])[0]: set(ticked(row[1])) for row in rows} == {
        role: set(actions) for role, actions in PERMISSIONS.items()}


def test_the_sign_in_methods_and_openid_keys_are_the_codes():
    from indicators.access import OIDC_REQUIRED_KEYS, SIGN_IN_METHODS

    security = page("security.md")
    for method in SIGN_IN_METHODS:
        assert re.search(rf"^### `{method}`", security, re.M), method
    for key in OIDC_REQUIRED_KEYS:
        assert f"`{key}`" in security, key


def contracts() -> dict:
    return yaml.safe_load(read(REPO_DIR / "indicators" / "contracts.yml"))


def test_the_audit_actions_table_is_the_contracts():
    listed = {action for row in table_rows(page("security.md"), "action") for action in ticked(row[0])}
    assert listed == set(contracts()["audit_log"]["accepted_values"]["action"])


def test_the_tables_of_the_data_model_quote_the_contracts():
    from indicators.store import REBUILT_TABLES
    from indicators.vocabulary import DERIVED_ORIGINS

    rows = {ticked(row[0])[0]: row for row in table_rows(page("data-model.md"), "table")}
    written = contracts()
    assert set(rows) == set(written)
    for table, contract in written.items():
        _, meaning, unique, rebuild = rows[table]
        assert meaning == contract["row"], table
        assert set(ticked(unique)) == set(contract.get("unique", [])), table
        if table in REBUILT_TABLES:
            assert rebuild == "replaced", table
        elif table == "reported_values":
            assert set(ticked(rebuild)) == set(DERIVED_ORIGINS) and "replaced" in rebuild
        else:
            assert "replaced" not in rebuild, table
        for column in contract.get("relationships", {}):
            assert f"`{table}.{column}`" in page("data-model.md"), f"relationship {table}.{column}"


ORIGIN_WORDS = {"submission": "an upload", "document": "a statement in a document", "sample": "sample data"}


def test_the_latest_report_is_chosen_as_the_data_model_says():
    from indicators.models import ORIGIN_PRECEDENCE

    first, second, third = (ORIGIN_WORDS[origin] for origin in ORIGIN_PRECEDENCE)
    assert f"within a period {first} comes before {second}, which comes before {third}" in flat(page("data-model.md"))


def test_every_status_is_named_in_the_data_model():
    from indicators.attainment import Status

    for status in Status:
        assert f"`{status.value}`" in page("data-model.md"), status


def test_an_override_may_set_exactly_the_fields_the_corrections_take():
    from etl.corrections import OVERRIDABLE

    sentence = re.search(r"An override may set (.*?)\.", flat(page("extraction.md"))).group(1)
    assert set(ticked(sentence)) == OVERRIDABLE


def test_the_shrink_guard_is_stated_as_it_is():
    from etl.build import SHRINK_FLOOR

    assert SHRINK_FLOOR == 0.5
    assert "keep less than half the targets already stored" in flat(page("extraction.md"))
    assert "keep less than half the targets already stored" in flat(page("data-model.md"))


def test_the_region_counts_are_those_of_the_region_table():
    from indicators.regions import default_region_table

    levels = Counter(region.level for region in default_region_table().all())
    assert (f"{levels['province']:,} provinces, {levels['prefecture']:,} prefectures and "
            f"{levels['county']:,} counties") in flat(page("extraction.md"))


def test_the_shipped_corpus_and_samples_are_as_described(corpus_build):
    connection = duckdb.connect(str(corpus_build.database), read_only=True)
    try:
        parts = connection.execute("SELECT count(*) FROM documents GROUP BY doc HAVING count(*) > 1").fetchall()
        regions, first, last = connection.execute(
            "SELECT count(DISTINCT region_code), min(period_year), max(period_year) FROM reported_values "
            "WHERE origin = 'sample'").fetchone()
    finally:
        connection.close()
    extraction = flat(page("extraction.md"))
    assert f"{corpus_build.files} files holding {corpus_build.documents} policy documents" in extraction
    assert len(parts) == 1 and f"a compilation of {parts[0][0]} documents" in extraction
    assert f"for {regions} regions and the years {first}–{last}" in flat(page("data-model.md"))


# --- docs/testing.md -----------------------------------------------------------------------------

def test_the_testing_page_names_every_test_file_and_bench():
    testing = page("testing.md")
    for path in [*sorted((REPO_DIR / "tests").glob("test_*.py")), *sorted((REPO_DIR / "bench").glob("*.py"))]:
        assert f"`{path.relative_to(REPO_DIR).as_posix()}`" in testing, path.name


def module_constants(path: Path) -> dict:
    """A script's top-level constants, read without running it (a bench imports heavy modules)."""
    values = {}
    for node in ast.parse(read(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "range":
                values[node.targets[0].id] = range(*(ast.literal_eval(argument) for argument in node.value.args))
            else:
                try:
                    values[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return values


def test_the_bench_goals_are_the_benches():
    etl, upload, queries = (module_constants(REPO_DIR / "bench" / name) for name in ("etl.py", "upload.py", "queries.py"))
    rows = {ticked(row[0])[0]: row for row in table_rows(page("testing.md"), "script")}
    assert rows["bench/etl.py"][2] == f"{etl['GOAL_MB_PER_S']:g} MB/s"
    assert rows["bench/upload.py"][2] == f"{upload['GOAL_SECONDS']:g} s, {upload['GOAL_MEGABYTES']:g} MB"
    assert rows["bench/queries.py"][2] == (f"{queries['GOAL_QUERY_MS']:g} ms a query, {queries['GOAL_RENDER_S']:g} s "
                                           f"a render, {queries['GOAL_MEMORY_MB'] / 1000:g} GB")
    assert (f"{queries['INDICATOR_COUNT']} indicators, {len(queries['YEARS'])} years of quarterly reports"
            in rows["bench/queries.py"][1])
