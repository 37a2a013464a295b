"""Accounts against a real database: sign-in with lockout, user management, region-scoped uploads and
withdrawals, corrections and rebuilds from the app, and the hash-chained audit trail."""
import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from conftest import ADMIN, PASSWORD
from test_upload_pages import filled_template

from etl import maintenance
from indicators import accounts, store
from indicators.access import AccessSettings, Actor, RegionGrant
from indicators.progress.submissions import submit, withdraw

SETTINGS = AccessSettings(failure_delay_seconds=0.5, max_failed_sign_ins=5, lock_minutes=15)
QINGHAI = Actor("qinghai", "evaluator", "accounts", regions=(RegionGrant("630000", True),))


@pytest.fixture
def database(writable_database):
    return writable_database


def actions(database):
    return list(store.audit_entries(database)["action"])[::-1]


def fail_and_unlock(database):
    """Two audited writes: one wrong password for qinghai, then an admin's unlock."""
    accounts.sign_in(database, "qinghai", "wrong password", AccessSettings(failure_delay_seconds=0))
    assert accounts.unlock(database, ADMIN, "qinghai")
    entry = store.audit_entries(database).iloc[0]
    assert (entry["action"], entry["actor"], entry["actor_role"], entry["object_id"]) == \
        ("account_unlocked", "admin", "admin", "qinghai")


def test_the_right_password_signs_in_and_is_audited(database):
    result = accounts.sign_in(database, "qinghai", PASSWORD, SETTINGS, sleep=lambda seconds: None)
    assert result.actor.role == "evaluator" and result.actor.regions == (RegionGrant("630000", True),)
    entry = store.audit_entries(database).iloc[0]
    assert (entry["action"], entry["actor"], entry["object_id"]) == ("sign_in", "qinghai", "qinghai")


def test_five_wrong_passwords_lock_the_account_and_each_is_slower(database):
    slept = []
    now = dt.datetime(2026, 1, 1, 12)
    answers = [accounts.sign_in(database, "qinghai", "wrong password", SETTINGS, now=now, sleep=slept.append)
               for _ in range(5)]
    # Doubling delays (the locking failure answered at once), each padded up to the floor that hides writes.
    expected = [0.5, 1, 2, 2, 0]
    assert len(slept) == len(expected)
    assert all(delay <= taken <= delay + accounts.FAILURE_ANSWER_FLOOR_SECONDS for delay, taken in zip(expected, slept))
    assert "再错 4 次" in answers[0].zh and "锁定" in answers[4].zh and answers[4].locked_until
    # Locked: even the right password is refused, without checking it, until the lock ends.
    locked = accounts.sign_in(database, "qinghai", PASSWORD, SETTINGS, now=now + dt.timedelta(minutes=10))
    assert locked.actor is None and "已锁定" in locked.zh
    later = accounts.sign_in(database, "qinghai", PASSWORD, SETTINGS, now=now + dt.timedelta(minutes=16),
                             sleep=lambda seconds: None)
    assert later.actor is not None
    assert store.user_record(database, "qinghai")["failed_sign_ins"] == 0
    assert actions(database)[-7:] == ["sign_in_failed"] * 5 + ["account_locked", "sign_in"]


def test_an_unknown_name_is_answered_like_a_wrong_password_and_writes_nothing(database, table_digest):
    before, audited = table_digest(database), len(store.audit_entries(database))
    now = dt.datetime(2026, 1, 1, 12)
    unknown_delays, known_delays = [], []
    unknown = [accounts.sign_in(database, "nobody", PASSWORD, SETTINGS, now=now, sleep=unknown_delays.append)
               for _ in range(5)]
    assert table_digest(database) == before and len(store.audit_entries(database)) == audited
    known = [accounts.sign_in(database, "viewer1", "not the password", SETTINGS, now=now, sleep=known_delays.append)
             for _ in range(5)]
    assert [answer.zh for answer in unknown] == [answer.zh for answer in known]
    expected = [0.5, 1, 2, 2, 0]
    for delays in (unknown_delays, known_delays):
        assert len(delays) == len(expected)
        assert all(delay <= taken <= delay + accounts.FAILURE_ANSWER_FLOOR_SECONDS for delay, taken in zip(expected, delays))
    assert accounts.sign_in(database, "nobody", PASSWORD, SETTINGS, now=now).zh == \
        accounts.sign_in(database, "viewer1", PASSWORD, SETTINGS, now=now).zh  # both "locked"


def test_a_lock_that_ran_out_starts_the_count_afresh(database):
    now = dt.datetime(2026, 1, 1, 12)
    for _ in range(5):
        accounts.sign_in(database, "qinghai", "wrong password", SETTINGS, now=now, sleep=lambda seconds: None)
    after = accounts.sign_in(database, "qinghai", "wrong again", SETTINGS, now=now + dt.timedelta(minutes=20),
                             sleep=lambda seconds: None)
    assert after.locked_until is None and "再错 4 次" in after.zh
    assert store.user_record(database, "qinghai")["failed_sign_ins"] == 1


def test_a_deactivated_user_cannot_sign_in(database):
    accounts.update_user(database, ADMIN, "viewer1", "viewer", False, None, [])
    assert accounts.sign_in(database, "viewer1", PASSWORD, SETTINGS, sleep=lambda seconds: None).actor is None
    assert accounts.fresh_actor(database, Actor("viewer1", "viewer", "accounts")) is None


def test_role_and_region_changes_apply_to_a_signed_in_user_at_once(database):
    session = Actor("qinghai", None, "accounts")
    accounts.update_user(database, ADMIN, "qinghai", "evaluator", True, "青海", [("630100", False)])
    fresh = accounts.fresh_actor(database, session)
    assert fresh.regions == (RegionGrant("630100", False),) and fresh.display_name == "青海"
    entry = store.audit_entries(database).iloc[0]
    assert entry["action"] == "user_changed"
    assert json.loads(entry["detail"])["regions"] == [[["630000", True]], [["630100", False]]]


@pytest.mark.parametrize(("call", "message"), [
    (lambda db: accounts.create_user(db, ADMIN, "qinghai", "viewer"), "已存在"),
    (lambda db: accounts.create_user(db, ADMIN, "bad name", "viewer"), "用户名"),
    (lambda db: accounts.create_user(db, ADMIN, "new", "root"), "未知角色"),
    (lambda db: accounts.create_user(db, ADMIN, "new", "evaluator", grants=[("999999", True)]), "未知地区"),
    (lambda db: accounts.create_user(db, ADMIN, "new", "viewer", password="short"), "至少"),
    (lambda db: accounts.update_user(db, ADMIN, "admin", "viewer", True, None, []), "最后一位管理员"),
    (lambda db: accounts.update_user(db, ADMIN, "admin", "admin", False, None, []), "最后一位管理员"),
    (lambda db: accounts.reset_password(db, ADMIN, "ghost", "a long enough one"), "没有用户"),
    (lambda db: accounts.create_user(db, QINGHAI, "new", "admin"), "无权"),
    (lambda db: accounts.unlock(db, Actor("viewer1", "viewer", "accounts"), "qinghai"), "无权"),
])
def test_refused_account_changes_say_why_and_change_nothing(database, table_digest, call, message):
    before, audited = table_digest(database), len(store.audit_entries(database))
    with pytest.raises(accounts.AccountError) as refusal:
        call(database)
    assert message in refusal.value.zh and refusal.value.en
    assert table_digest(database) == before and len(store.audit_entries(database)) == audited


def test_password_change_and_reset(database):
    accounts.change_own_password(database, QINGHAI, PASSWORD, "a brand new secret")
    assert accounts.sign_in(database, "qinghai", "a brand new secret", SETTINGS, sleep=lambda s: None).actor
    accounts.reset_password(database, ADMIN, "qinghai", "set by the admin")
    assert accounts.sign_in(database, "qinghai", "set by the admin", SETTINGS, sleep=lambda s: None).actor
    assert {"password_changed", "password_reset"} <= set(actions(database))
    assert not store.audit_entries(database)["detail"].str.contains("brand new|set by the admin").any()


def test_an_external_identity_is_a_viewer_until_an_admin_adds_it(database):
    stranger = accounts.actor_for(database, "someone@example.org", "oidc")
    assert stranger.role == "viewer" and stranger.signed_in
    accounts.create_user(database, ADMIN, "someone@example.org", "evaluator", grants=[("430000", True)])
    known = accounts.actor_for(database, "someone@example.org", "oidc")
    assert known.role == "evaluator" and known.method == "oidc"


def test_an_evaluator_uploads_for_their_province_and_is_refused_elsewhere_row_by_row(database, table_digest):
    stored = submit(filled_template(database, region="630000"), "qinghai.xlsx", QINGHAI, database)
    assert stored.stored, [problem.message() for problem in stored.errors]
    before = table_digest(database)
    refused = submit(filled_template(database, region="430000"), "hunan.xlsx", QINGHAI, database)
    assert not refused.stored
    assert refused.errors and all("湖南省（430000）不在您负责的地区内" in problem.message_zh for problem in refused.errors)
    assert all(problem.cell and problem.cell[0] == "A" for problem in refused.errors)  # the region column, row by row
    assert "青海省及其下辖地区" in refused.errors[0].message_zh
    assert table_digest(database) == before
    entries = store.audit_entries(database)
    assert list(entries["action"][:2]) == ["upload_refused", "upload"]
    upload = entries.iloc[1]
    assert (upload["actor"], upload["actor_role"], upload["sign_in_method"]) == ("qinghai", "evaluator", "accounts")
    assert upload["file_name"] == "qinghai.xlsx" and upload["object_id"] == stored.submission_id
    assert upload["file_sha256"] == stored.validation.sha256
    assert hashlib.sha256(Path(upload["stored_path"]).read_bytes()).hexdigest() == upload["file_sha256"]
    assert json.loads(upload["detail"])["regions"] == ["630000"]
    refusal = entries.iloc[0]
    assert (refusal["actor_role"], refusal["file_name"]) == ("evaluator", "hunan.xlsx") and refusal["file_sha256"]


def test_a_viewer_cannot_upload_at_all(database, table_digest):
    before = table_digest(database)
    with pytest.raises(accounts.NotPermitted):
        submit(filled_template(database, region="630000"), "x.xlsx", Actor("viewer1", "viewer", "accounts"), database)
    assert table_digest(database) == before


def test_evaluators_withdraw_only_within_their_regions(database):
    hunan = submit(filled_template(database, region="430000"), "hunan.xlsx", ADMIN, database)
    qinghai = submit(filled_template(database, region="630000"), "qinghai.xlsx", QINGHAI, database)
    with pytest.raises(accounts.NotPermitted):
        withdraw(database, hunan.submission_id, QINGHAI)
    # An upload with rows both inside and outside the evaluator's regions is an admin's to withdraw.
    mixed = submit(filled_template(database, region=("630000", "430000"), value=2.5), "mixed.xlsx", ADMIN, database)
    assert mixed.stored and {row.region_code for row in mixed.validation.rows} == {"630000", "430000"}
    with pytest.raises(accounts.NotPermitted):
        withdraw(database, mixed.submission_id, QINGHAI)
    withdraw(database, qinghai.submission_id, QINGHAI, reason="填错了")
    withdraw(database, hunan.submission_id, ADMIN)
    entry = store.audit_entries(database, actions=("withdrawal",))
    assert list(entry["object_id"]) == [hunan.submission_id, qinghai.submission_id]
    assert json.loads(entry.iloc[1]["detail"])["reason"] == "填错了"
    assert entry.iloc[1]["file_name"] == "qinghai.xlsx"


def test_a_correction_made_in_the_app_applies_at_the_next_rebuild_and_can_be_retracted(database):
    with duckdb.connect(str(database), read_only=True) as connection:
        target_id, value = connection.execute(
            "SELECT target_id, value FROM targets WHERE correction IS NULL AND indicator = 'enterprise_startup_time' "
            "ORDER BY target_id LIMIT 1").fetchone()
    with pytest.raises(accounts.AccountError, match="原因|reason"):
        maintenance.add_correction(database, ADMIN, target_id, "override", {"value": "9"}, "  ")
    with pytest.raises(accounts.AccountError):
        maintenance.add_correction(database, ADMIN, target_id, "override", {"unit": "fortnight"}, "wrong unit")
    correction = maintenance.add_correction(database, ADMIN, target_id, "override", {"value": "9", "year": ""},
                                            "the number was misread")
    maintenance.rebuild(database, ADMIN)
    corrected = store.target_detail(database, target_id)
    assert corrected["value"] == 9 and corrected["correction"] == "the number was misread"
    maintenance.retract_correction(database, ADMIN, correction, "not misread after all")
    maintenance.rebuild(database, ADMIN)
    assert store.target_detail(database, target_id)["value"] == value
    assert actions(database)[-4:] == ["correction_added", "rebuild", "correction_retracted", "rebuild"]
    with pytest.raises(accounts.NotPermitted):
        maintenance.rebuild(database, QINGHAI)


def test_the_audit_chain_shows_an_edited_or_removed_entry(database):
    submit(filled_template(database, region="630000"), "qinghai.xlsx", QINGHAI, database)
    fail_and_unlock(database)
    assert store.audit_chain_breaks(database) == []
    # Someone with the file edits it behind the app's back.
    with store.writable_copy(database) as connection:
        connection.execute("UPDATE audit_log SET actor = 'someone else' WHERE action = 'upload'")
    broken = store.audit_chain_breaks(database)
    assert broken and store.audit_entries(database, actions=("upload",)).iloc[0]["sequence"] in broken
    with store.writable_copy(database) as connection:
        connection.execute("UPDATE audit_log SET actor = 'qinghai' WHERE action = 'upload'")
        connection.execute("DELETE FROM audit_log WHERE sequence = 1")
    assert store.audit_chain_breaks(database) == [2]


def test_audit_entries_filter_by_action_actor_and_date(database):
    submit(filled_template(database, region="630000"), "qinghai.xlsx", QINGHAI, database)
    today = dt.datetime.now(dt.UTC).date()
    assert list(store.audit_entries(database, actions=("upload",))["actor"]) == ["qinghai"]
    assert set(store.audit_entries(database, actor="QING")["actor"]) == {"qinghai"}
    assert len(store.audit_entries(database, since=today, until=today)) == len(store.audit_entries(database))
    assert store.audit_entries(database, until=today - dt.timedelta(days=1)).empty


def test_rebuilds_keep_users_corrections_and_the_audit_trail(database):
    users = store.users_overview(database)
    audited = len(store.audit_entries(database))
    maintenance.rebuild(database, ADMIN)
    assert store.users_overview(database)[["user_name", "role"]].equals(users[["user_name", "role"]])
    assert len(store.audit_entries(database)) == audited + 1 and store.audit_chain_breaks(database) == []


def test_a_busy_database_refuses_an_upload_cleanly(database, table_digest, monkeypatch):
    def busy(*arguments, **keywords):
        raise store.DatabaseBusy("busy")

    before = table_digest(database)
    monkeypatch.setattr(store, "commit_submission", busy)
    outcome = submit(filled_template(database, region="630000"), "q.xlsx", QINGHAI, database)
    assert not outcome.stored and "稍后重新上传" in outcome.errors[0].message_zh
    assert table_digest(database) == before


def test_parallel_attempts_on_one_account_take_turns_and_cannot_outrun_the_lock(database):
    """Thirty sessions guess at once: only five are checked before the lock; the right password is not let in."""
    from concurrent.futures import ThreadPoolExecutor

    settings = AccessSettings(failure_delay_seconds=0, max_failed_sign_ins=5)
    guesses = [f"guess {index}" for index in range(29)] + [PASSWORD]
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda guess: accounts.sign_in(database, "qinghai", guess, settings), guesses))
    assert all(answer.actor is None for answer in answers[:-1])
    assert store.user_record(database, "qinghai")["failed_sign_ins"] == 5
    assert sum("已锁定" in answer.zh for answer in answers) >= 25


def test_a_wrong_current_password_on_a_change_counts_as_a_failed_sign_in(database):
    settings = AccessSettings(max_failed_sign_ins=3)
    for _ in range(3):
        with pytest.raises(accounts.AccountError, match="原密码不正确"):
            accounts.change_own_password(database, QINGHAI, "wrong", "a long enough one", settings)
    with pytest.raises(accounts.AccountError, match="已锁定"):
        accounts.change_own_password(database, QINGHAI, PASSWORD, "a long enough one", settings)
    assert store.user_record(database, "qinghai")["locked_until"] is not None


def test_a_second_correction_of_one_statement_is_refused_until_the_first_is_retracted(database):
    target = store.library_rows(database, {"indicator": "enterprise_startup_time"}, None, limit=1).iloc[0]["target_id"]
    first = maintenance.add_correction(database, ADMIN, target, "drop", {}, "not a commitment")
    with pytest.raises(accounts.AccountError, match="尚未撤销"):
        maintenance.add_correction(database, ADMIN, target, "override", {"value": "3"}, "three, not two")
    maintenance.retract_correction(database, ADMIN, first, "changed my mind")
    maintenance.add_correction(database, ADMIN, target, "override", {"value": "3"}, "three, not two")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "three"])
def test_a_correction_to_a_number_that_is_not_finite_is_refused(database, value):
    target = store.library_rows(database, {"indicator": "enterprise_startup_time"}, None, limit=1).iloc[0]["target_id"]
    with pytest.raises(accounts.AccountError, match="有限的数字"):
        maintenance.add_correction(database, ADMIN, target, "override", {"value": value}, "typo")


def test_a_refused_rebuild_is_audited_and_changes_nothing_else(database, table_digest, tmp_path):
    from etl.build import BuildCheckFailed, build

    before = table_digest(database)
    with pytest.raises(BuildCheckFailed):
        build(tmp_path / "no such folder", database, actor=ADMIN)
    assert table_digest(database) == before
    entry = store.audit_entries(database).iloc[0]
    assert (entry["action"], entry["actor"]) == ("rebuild_refused", "admin") and "no such folder" in entry["detail"]


def test_the_audit_page_says_how_many_entries_there_are_and_unlimited_reads_return_all(database, open_page):
    for _ in range(3):
        fail_and_unlock(database)
    total = store.audit_count(database)
    assert len(store.audit_entries(database, limit=2)) == 2
    assert len(store.audit_entries(database, limit=None)) == total  # what the downloads fetch
    page = open_page("pages/audit.py", as_user="admin")
    assert any(f"共 {total} 条" in caption.value for caption in page.caption)


def test_saving_a_user_unchanged_writes_nothing(database):
    before = database.read_bytes()
    record = store.user_record(database, "qinghai")
    accounts.update_user(database, ADMIN, "qinghai", record["role"], record["active"], record["display_name"],
                         record["regions"])
    assert database.read_bytes() == before


def test_a_full_table_of_unknown_names_never_forgets_a_lock(database, monkeypatch):
    """Flooding the in-memory table must not unlock a locked unknown name (which would tell it from a real one)."""
    monkeypatch.setattr(accounts, "UNKNOWN_NAMES_KEPT", 5)
    monkeypatch.setattr(accounts, "_unknown_names", {})
    settings = AccessSettings(failure_delay_seconds=0, max_failed_sign_ins=3)
    now = dt.datetime(2026, 1, 1, 12)
    for _ in range(3):
        accounts.sign_in(database, "victim", "x", settings, now=now)
    for index in range(20):
        accounts.sign_in(database, f"flood{index}", "x", settings, now=now)
    assert "已锁定" in accounts.sign_in(database, "victim", "x", settings, now=now).zh


def test_other_names_do_not_wait_for_a_slow_sign_in(database, monkeypatch):
    """Each name has its own turn: a sign-in stuck on one name does not hold up another."""
    import threading

    entered, release = threading.Event(), threading.Event()
    original = accounts._sign_in_in_turn

    def slow(database, user_name, *rest):
        if user_name == "qinghai":
            entered.set()
            release.wait(10)
        return original(database, user_name, *rest)

    monkeypatch.setattr(accounts, "_sign_in_in_turn", slow)
    settings = AccessSettings(failure_delay_seconds=0)
    stuck = threading.Thread(target=accounts.sign_in, args=(database, "qinghai", PASSWORD, settings))
    stuck.start()
    assert entered.wait(10)
    answers = []
    other = threading.Thread(target=lambda: answers.append(accounts.sign_in(database, "viewer1", PASSWORD, settings)))
    other.start()
    other.join(5)
    done_while_stuck = not other.is_alive()
    release.set()
    stuck.join(10)
    other.join(10)
    assert done_while_stuck, "viewer1's sign-in waited for qinghai's"
    assert answers[0].actor is not None


def test_a_stale_edit_form_does_not_undo_someone_elses_change(database, table_digest):
    shown = store.user_record(database, "qinghai")  # admin A opens the form
    accounts.update_user(database, ADMIN, "qinghai", "evaluator", False, shown["display_name"], shown["regions"])
    before = table_digest(database)
    with pytest.raises(accounts.AccountError, match="刚被他人修改"):
        accounts.update_user(database, ADMIN, "qinghai", "evaluator", True, "新名字", shown["regions"], expected=shown)
    assert table_digest(database) == before and not store.user_record(database, "qinghai")["active"]


def test_a_reset_between_the_password_check_and_the_sign_in_write_refuses_that_sign_in(database, monkeypatch):
    """The old password was right when checked, but a reset landed before the sign-in was stored: no session."""
    checked = accounts._checked_password

    def check_then_reset(password_hash, password):
        matches = checked(password_hash, password)
        accounts.reset_password(database, ADMIN, "qinghai", "a brand new password")
        return matches

    monkeypatch.setattr(accounts, "_checked_password", check_then_reset)
    result = accounts.sign_in(database, "qinghai", PASSWORD, AccessSettings(failure_delay_seconds=0))
    assert result.actor is None and result.zh == accounts.WRONG[0]
    assert actions(database)[-1] == "password_reset"  # and no sign_in after it


def test_a_sessions_proof_dates_from_the_sign_in_write(database, monkeypatch):
    checked = accounts._checked_password
    check_finished = []

    def timed_check(password_hash, password):
        matches = checked(password_hash, password)
        check_finished.append(accounts.utc_now())
        return matches

    monkeypatch.setattr(accounts, "_checked_password", timed_check)
    result = accounts.sign_in(database, "qinghai", PASSWORD, AccessSettings(failure_delay_seconds=0))
    # Taken inside the write, after the password was checked (a time from before the check would let a reset
    # stored in between look older than the sign-in) and before its audit entry was appended.
    assert check_finished[0] <= result.checked_at <= store.audit_entries(database).iloc[0]["occurred_at"]
    accounts.reset_password(database, ADMIN, "qinghai", "a brand new password")
    assert accounts.fresh_actor(database, result.actor, signed_in_at=result.checked_at) is None


def test_a_busy_database_answers_an_unknown_name_like_a_known_one(database, monkeypatch):
    """While another writer holds the database a known name's failure cannot be written and is refused as busy;
    an unknown name, which writes nothing, waits and is refused the same way, so the two cannot be told apart."""
    monkeypatch.setattr(store.people, "SIGN_IN_WRITE_WAIT_SECONDS", 0.2)
    settings = AccessSettings(failure_delay_seconds=0)
    with store.write_lock(database):
        for name in ("qinghai", "nobody-by-this-name"):
            with pytest.raises(store.DatabaseBusy):
                accounts.sign_in(database, name, "wrong password", settings)
    assert accounts.sign_in(database, "nobody-by-this-name", "x", settings).zh.startswith(accounts.WRONG[0])


def test_a_duplicate_caught_inside_the_write_is_audited(database, monkeypatch):
    data = filled_template(database, region="630000")
    assert submit(data, "first.xlsx", QINGHAI, database).stored
    # Two uploads of one file at the same moment: the second passes the early check and is caught in the write.
    monkeypatch.setattr(store, "submission_with_file", lambda *arguments: None)
    outcome = submit(data, "second.xlsx", QINGHAI, database)
    assert not outcome.stored and outcome.duplicate_of
    entry = store.audit_entries(database).iloc[0]
    assert (entry["action"], entry["file_name"]) == ("upload_refused", "second.xlsx")
    assert json.loads(entry["detail"])["duplicate_of"] == outcome.duplicate_of["submission_id"]


def test_unlocking_an_account_that_is_not_locked_writes_nothing(database):
    before = database.read_bytes()
    assert accounts.unlock(database, ADMIN, "viewer1") is False
    assert database.read_bytes() == before


def test_every_account_operation_finds_an_email_name_whatever_its_case(database):
    accounts.create_user(database, ADMIN, "Zhang@QH.gov.cn", "evaluator", None, [("630000", True)], PASSWORD)
    assert store.user_record(database, "zhang@qh.gov.cn") is not None
    accounts.sign_in(database, "ZHANG@qh.gov.cn", "wrong password", AccessSettings(failure_delay_seconds=0))
    assert accounts.unlock(database, ADMIN, "zhang@QH.GOV.CN")
    accounts.reset_password_from_command_line(database, "root", "Zhang@Qh.Gov.Cn", "a brand new password")
    accounts.update_user(database, ADMIN, "ZHANG@QH.GOV.CN", "viewer", True, None, [])
    assert store.user_record(database, "zhang@qh.gov.cn")["role"] == "viewer"
    assert accounts.sign_in(database, "Zhang@qh.gov.cn", "a brand new password",
                            AccessSettings(failure_delay_seconds=0)).actor.user_name == "zhang@qh.gov.cn"


def test_a_reupload_found_before_the_write_is_audited_as_refused(database):
    data = filled_template(database, region="630000")
    first = submit(data, "first.xlsx", QINGHAI, database)
    again = submit(data, "again.xlsx", QINGHAI, database)
    assert not again.stored and again.duplicate_of["submission_id"] == first.submission_id
    entry = store.audit_entries(database).iloc[0]
    assert (entry["action"], entry["file_name"], entry["file_sha256"]) == ("upload_refused", "again.xlsx", first.validation.sha256)
    assert json.loads(entry["detail"])["duplicate_of"] == first.submission_id
