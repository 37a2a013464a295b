"""The folders follow the layers: who may import whom, where SQL and Streamlit live, module sizes and the linter."""
import ast
import re
import shutil
import subprocess
import sys

import pytest

from indicators.paths import REPO_DIR

SOURCES = sorted(
    path for folder in ("etl", "indicators") for path in (REPO_DIR / folder).rglob("*.py")
)
# A module may grow past this only with the reason written in its docstring ("Long because …").
MODULE_LINE_LIMIT = 500
# The one place the domain reaches back into the ETL: the maintenance page's rebuild and corrections.
REBUILD_ACTION = "indicators/ui/actions.py"


def relative(path) -> str:
    return path.relative_to(REPO_DIR).as_posix()


def imports_of(path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def importers(prefix: str, among=SOURCES) -> set[str]:
    return {relative(path) for path in among
            if any(module == prefix or module.startswith(prefix + ".") for module in imports_of(path))}


def test_the_domain_never_imports_the_etl_but_for_the_rebuild_action():
    domain = [path for path in SOURCES if relative(path).startswith("indicators/")]
    assert importers("etl", domain) <= {REBUILD_ACTION}


def test_the_etl_never_imports_the_user_interface():
    etl = [path for path in SOURCES if relative(path).startswith("etl/")]
    assert not importers("indicators.ui", etl)
    assert not importers("streamlit", etl)


def test_only_pages_and_the_ui_package_import_the_ui_package():
    outside_ui = [path for path in SOURCES if not relative(path).startswith("indicators/ui/")]
    assert not importers("indicators.ui", outside_ui)


def test_streamlit_is_imported_only_under_the_ui_package():
    assert importers("streamlit") and all(name.startswith("indicators/ui/") for name in importers("streamlit"))


def test_duckdb_and_sql_live_only_under_the_store():
    assert all(name.startswith("indicators/store/") for name in importers("duckdb"))
    holders = {relative(path) for path in SOURCES
               if re.search(r"\"(SELECT|INSERT INTO|DELETE FROM|UPDATE \w+ SET|CREATE TABLE)\b", path.read_text(encoding="utf-8"))}
    assert holders and all(name.startswith("indicators/store/") for name in holders), holders


def test_the_store_depends_on_nothing_above_it():
    store = [path for path in SOURCES if relative(path).startswith("indicators/store/")]
    allowed = {"indicators.store", "indicators.models", "indicators.vocabulary", "indicators.paths", "indicators.downloads"}
    for path in store:
        ours = {module for module in imports_of(path) if module.startswith("indicators.")}
        assert all(any(module == base or module.startswith(base + ".") for base in allowed) for module in ours), \
            (relative(path), ours)


def test_the_vocabulary_models_and_paths_depend_on_nothing_of_ours():
    for name in ("indicators/vocabulary.py", "indicators/models.py", "indicators/paths.py", "indicators/files.py"):
        ours = {module for module in imports_of(REPO_DIR / name) if module.startswith(("etl", "indicators"))}
        assert all(module.startswith("indicators.vocabulary") for module in ours), (name, ours)


@pytest.mark.parametrize("path", SOURCES, ids=relative)
def test_modules_stay_short_or_say_why(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    if lines > MODULE_LINE_LIMIT:
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert "Long because" in docstring, f"{relative(path)}: {lines} lines and no reason at its top"


def test_the_linter_passes():
    ruff = shutil.which("ruff", path=str(REPO_DIR / ".venv" / "bin")) or shutil.which("ruff")
    command = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    result = subprocess.run([*command, "check", "--no-cache", str(REPO_DIR)], capture_output=True, text=True,
                            cwd=REPO_DIR)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
