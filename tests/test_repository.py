"""Design rules kept honest: thin pages, one Streamlit boundary, documented commands and settings."""
import ast
import re

import pytest

from indicators.paths import REPO_DIR

README = (REPO_DIR / "README.md").read_text(encoding="utf-8")


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


PAGES = [REPO_DIR / "app.py", *sorted((REPO_DIR / "pages").glob("*.py"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_pages_hold_no_sql_and_no_parsing(page):
    modules = imported_modules(page)
    assert not modules & {"duckdb", "etl", "re", "openpyxl"}, modules
    assert not re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\b", page.read_text(encoding="utf-8"))


def test_readme_names_the_two_setup_commands_and_they_exist():
    for script in ("scripts/app.sh", "scripts/test.sh"):
        assert f"bash {script}" in README
        assert (REPO_DIR / script).exists()
    assert "scripts/test.sh" in (REPO_DIR / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_documents_every_command_and_setting():
    from etl.cli import parser

    commands = parser()._subparsers._group_actions[0].choices
    for name, command in commands.items():
        assert f"python -m etl {name}" in README, name
        for action in command._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in README, f"{name} {option}"
    settings = set()
    for path in [*(REPO_DIR / "etl").rglob("*.py"), *(REPO_DIR / "indicators").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        settings.update(re.findall(r"environ(?:\.get)?\(\s*\"([A-Z_]+)\"", text))
        settings.update(re.findall(r"\"(BIZENV_[A-Z_]+)\"", text))
    assert settings
    for setting in settings:
        assert setting in README, setting
