"""The command line's account and audit commands: the first admin, a password reset, the audit check and export."""
import io
import shutil

import pytest
from conftest import PASSWORD
from openpyxl import load_workbook

from etl.cli import main
from indicators import accounts, store
from indicators.access import AccessSettings


@pytest.fixture
def database(corpus_database, tmp_path):
    path = tmp_path / "bizenv.duckdb"
    shutil.copyfile(corpus_database, path)
    return path


def run(monkeypatch, arguments, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(arguments)


def test_create_admin_then_sign_in(database, monkeypatch, capsys):
    assert run(monkeypatch, ["create-admin", "chief", "--password-stdin", "--db", str(database)], PASSWORD + "\n") == 0
    assert "chief" in capsys.readouterr().out
    result = accounts.sign_in(database, "chief", PASSWORD, AccessSettings(), sleep=lambda seconds: None)
    assert result.actor.role == "admin"
    entry = store.audit_entries(database, actions=("user_created",)).iloc[0]
    assert entry["actor"].startswith("cli:") and entry["object_id"] == "chief"


@pytest.mark.parametrize(("user", "password", "message"), [
    ("chief", "short", "至少 10 个字符"),
    ("two words", PASSWORD, "用户名"),
])
def test_create_admin_refuses_bad_input_and_stores_nothing(database, monkeypatch, capsys, user, password, message):
    assert run(monkeypatch, ["create-admin", user, "--password-stdin", "--db", str(database)], password + "\n") == 2
    assert message in capsys.readouterr().err
    assert store.users_overview(database).empty


def test_reset_password_unlocks(database, monkeypatch):
    run(monkeypatch, ["create-admin", "chief", "--password-stdin", "--db", str(database)], PASSWORD + "\n")
    settings = AccessSettings(max_failed_sign_ins=2, failure_delay_seconds=0)
    for _ in range(2):
        accounts.sign_in(database, "chief", "wrong", settings)
    assert store.user_record(database, "chief")["locked_until"] is not None
    assert run(monkeypatch, ["reset-password", "chief", "--password-stdin", "--db", str(database)], "a new long secret\n") == 0
    assert accounts.sign_in(database, "chief", "a new long secret", settings).actor is not None
    assert run(monkeypatch, ["reset-password", "ghost", "--password-stdin", "--db", str(database)], "a new long secret\n") == 2


def test_audit_checks_the_chain_and_exports(database, monkeypatch, tmp_path, capsys):
    run(monkeypatch, ["create-admin", "chief", "--password-stdin", "--db", str(database)], PASSWORD + "\n")
    out = tmp_path / "audit.xlsx"
    assert run(monkeypatch, ["audit", "--out", str(out), "--db", str(database)]) == 0
    printed = capsys.readouterr().out
    assert "完整" in printed and f"hash {store.audit_entries(database).iloc[0]['entry_hash']}" in printed
    rows = list(load_workbook(out)["data"].iter_rows(values_only=True))
    assert rows[0][:3] == ("sequence", "occurred_at", "actor") and len(rows) == 1 + len(store.audit_entries(database))
    with store.writable_copy(database) as connection:
        connection.execute("UPDATE audit_log SET action = 'sign_in' WHERE action = 'user_created'")
    assert run(monkeypatch, ["audit", "--db", str(database)]) == 1
    assert "断开" in capsys.readouterr().err
