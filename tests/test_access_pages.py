"""AppTest for who sees what: gated pages, the sign-in form with lockout, session expiry, region-scoped uploads,
the users, maintenance and audit pages, anonymous viewing switched off, and OpenID identities."""
import datetime as dt
import re

import pytest
from conftest import PASSWORD, signed_in
from streamlit.testing.v1 import AppTest
from test_upload_pages import filled_template

from indicators import store
from indicators.paths import REPO_DIR

ADMIN_PAGES = ("pages/users.py", "pages/audit.py", "pages/maintenance.py")


@pytest.fixture
def database(writable_database):
    return writable_database


def texts(page):
    return " ".join(str(element.value) for kind in ("info", "error", "warning", "success", "caption")
                    for element in getattr(page, kind))


def page_buttons(page):
    """Buttons other than the sidebar's sign-out."""
    return [button for button in page.button if button.key != "sign_out"]


def sidebar_links(page):
    return [link.label for link in page.get("page_link")]


@pytest.mark.parametrize("user", [None, "viewer1"])
def test_visitors_and_viewers_cannot_reach_the_upload_page_or_admin_pages(database, open_page, user):
    for path in ("pages/upload.py", *ADMIN_PAGES):
        page = open_page(path, as_user=user)
        assert not page.file_uploader and not page.get("form") and not page_buttons(page), path
        assert ("请先登录" if user is None else "无权打开此页面") in texts(page), path
    assert "进度填报" not in sidebar_links(page) and "审计记录" not in sidebar_links(page)


def test_a_viewer_sees_submissions_but_no_withdraw_control(database, open_page, admin):
    from indicators.progress.submissions import submit

    stored = submit(filled_template(database, region="630000"), "q.xlsx", admin, database)
    page = open_page("pages/submissions.py", as_user="viewer1", submission=stored.submission_id)
    assert page.dataframe and not page_buttons(page) and not page.checkbox


def test_the_sidebar_lists_what_each_role_may_open(database, open_page):
    evaluator = sidebar_links(open_page("pages/compare.py", as_user="qinghai", indicator="power_connection_time"))
    admin = sidebar_links(open_page("pages/compare.py", as_user="admin", indicator="power_connection_time"))
    assert "进度填报" in evaluator and "用户管理" not in evaluator and "我的账户" in evaluator
    assert {"进度填报", "用户管理", "目标维护", "审计记录"} <= set(admin)


def sign_in_page(database):
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    test.run()
    return test.switch_page("pages/sign_in.py").run()


def submit_sign_in(page, user_name, password):
    page.text_input(key="sign_in_user").input(user_name)
    page.text_input(key="sign_in_password").input(password)
    return page.button[0].click().run()  # the form's submit button, the page's only one when signed out


def test_signing_in_through_the_form_and_out_again(database):
    page = sign_in_page(database)
    submit_sign_in(page, "qinghai", PASSWORD)
    assert not page.exception
    assert page.session_state["auth"]["user_name"] == "qinghai"
    assert "当前用户：青海评估员（qinghai）（评估填报员）" in texts(page)
    assert "青海省及其下辖地区" in " ".join(markdown.value for markdown in page.markdown)
    page.button(key="sign_out_page").click().run()
    assert "auth" not in page.session_state and page.text_input(key="sign_in_user")
    assert list(store.audit_entries(database)["action"][:2]) == ["sign_out", "sign_in"]


def test_five_wrong_passwords_in_the_form_lock_the_account(database):
    page = sign_in_page(database)
    for attempt in range(5):
        submit_sign_in(page, "qinghai", f"wrong {attempt}")
    assert "账户已锁定" in page.error[0].value
    submit_sign_in(page, "qinghai", PASSWORD)
    assert "已锁定" in page.error[0].value and "auth" not in page.session_state
    assert store.user_record(database, "qinghai")["locked_until"] is not None
    audit = open_audit_page(database)
    shown = audit.dataframe[0].value
    assert (shown["操作"] == "登录失败").sum() == 5 and (shown["操作"] == "账户锁定").sum() == 1


def open_audit_page(database):
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    signed_in(test, "admin").run()
    return test.switch_page("pages/audit.py").run()


def test_an_idle_session_expires(database):
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    signed_in(test, "qinghai")
    test.session_state["auth"]["last_seen"] -= dt.timedelta(minutes=31)
    test.run()
    assert "会话已过期" in texts(test)  # said on the page where the session ended
    page = test.switch_page("pages/upload.py").run()
    assert not page.file_uploader and "请先登录" in texts(page)
    entry = store.audit_entries(database).iloc[0]
    assert entry["action"] == "sign_out" and "expired" in entry["detail"]


def upload(page, name, data):
    page.file_uploader(key="upload_file").set_value((name, data, "application/octet-stream")).run()
    assert not page.exception
    return page


def test_an_evaluator_uploads_their_province_and_is_refused_for_another(database, open_page):
    page = open_page("pages/upload.py", as_user="qinghai")
    assert "以 青海评估员（qinghai） 身份上传" in texts(page)
    upload(page, "青海2021.xlsx", filled_template(database, region="630000"))
    assert "已保存" in page.success[0].value
    page = open_page("pages/upload.py", as_user="qinghai")
    upload(page, "湖南2021.xlsx", filled_template(database, region="430000"))
    assert "未保存" in page.error[0].value
    problems = page.dataframe[0].value
    assert problems["说明"].str.contains("湖南省（430000）不在您负责的地区内").all()
    assert problems["单元格"].str.match(r"A\d+$").all()
    overview = store.submissions_overview(database)
    assert list(overview["uploaded_by"]) == ["qinghai"]
    audit = open_audit_page(database).dataframe[0].value
    assert {"上传进度表", "上传被拒"} <= set(audit["操作"])
    refused = audit[audit["操作"] == "上传被拒"].iloc[0]
    assert refused["操作人"] == "qinghai" and refused["文件"] == "湖南2021.xlsx"


def test_the_users_table_names_every_users_regions_in_words(database, open_page):
    table = open_page("pages/users.py", as_user="admin").dataframe[0].value.set_index("用户名")
    assert table.loc["admin", "负责地区（+ 含下辖）"] == "全部地区"
    assert table.loc["viewer1", "负责地区（+ 含下辖）"] == "未分配"
    assert table.loc["qinghai", "负责地区（+ 含下辖）"] == "青海省+"


def test_the_users_and_upload_pages_name_regions_in_english(database, open_page):
    page = open_page("pages/users.py", as_user="admin", lang="en")
    table = page.dataframe[0].value.set_index("User name")
    assert table.loc["qinghai", "Regions (+ with those below)"] == "Qinghai+"
    assert table.loc["viewer1", "Regions (+ with those below)"] == "None assigned"
    options = page.multiselect(key="new_regions").options
    assert {"Qinghai (Province, China)", "Xining (Prefecture, Qinghai)", "城东区 (County, Xining)"} <= set(options)
    upload = open_page("pages/upload.py", as_user="qinghai", lang="en")
    assert "regions you may report for: Qinghai and below" in texts(upload)
    assert "Qinghai (Province)" in upload.multiselect(key="template_regions").options


def test_admins_add_and_change_users_on_the_users_page(database, open_page):
    page = open_page("pages/users.py", as_user="admin")
    page.text_input(key="new_user_name").input("hunan")
    page.selectbox(key="new_role").set_value("evaluator")
    page.multiselect(key="new_regions").set_value(["430000"])
    page.text_input(key="new_password").input("湖南评估员的密码2026")
    page.button[0].click().run()
    assert not page.exception and "已新增用户 hunan" in texts(page)
    record = store.user_record(database, "hunan")
    assert record["role"] == "evaluator" and record["regions"] == [("430000", True)]
    page.selectbox(key="edit_user").set_value("hunan").run()
    page.checkbox(key="subregions-hunan").uncheck()
    page.multiselect(key="regions-hunan").set_value(["430000", "430100"])
    page.button[1].click().run()
    assert store.user_record(database, "hunan")["regions"] == [("430000", False), ("430100", False)]
    assert list(store.audit_entries(database)["action"][:2]) == ["user_changed", "user_created"]


def test_a_weak_password_is_refused_on_the_users_page_and_nothing_is_stored(database, open_page):
    page = open_page("pages/users.py", as_user="admin")
    page.text_input(key="new_user_name").input("weak")
    page.text_input(key="new_password").input("123")
    page.button[0].click().run()
    assert "密码至少 10 个字符" in page.error[0].value
    assert store.user_record(database, "weak") is None


def test_the_audit_page_checks_the_chain_filters_and_offers_downloads(database, open_page):
    page = open_page("pages/audit.py", as_user="admin")
    assert "审计链完整" in page.success[0].value
    assert set(page.dataframe[0].value["操作"]) == {"新增用户", "重建目标"}  # the users, and the build itself
    assert set(page.dataframe[0].value["登录方式"]) == {"命令行", "内置账户"}  # the first admin came from the CLI
    page.multiselect(key="audit_actions").set_value(["rebuild"]).run()
    assert set(page.dataframe[0].value["操作"]) == {"重建目标"}
    page.text_input(key="audit_actor").input("nobody").run()
    assert page.dataframe[0].value.empty
    assert [button.key for button in page.get("download_button")] == ["audit-csv", "audit-xlsx"]


def test_the_audit_page_names_an_entry_edited_behind_its_back(database, open_page):
    with store.writable_copy(database) as connection:
        connection.execute("UPDATE audit_log SET actor = 'someone else' WHERE sequence = 2")
    page = open_page("pages/audit.py", as_user="admin")
    assert not page.success and len(page.error) == 1
    assert "审计链在序号 2 处断开" in page.error[0].value


def test_corrections_and_rebuild_from_the_maintenance_page(database, open_page):
    target = store.library_rows(database, {"indicator": "enterprise_startup_time"}, None, limit=1).iloc[0]
    page = open_page("pages/maintenance.py", as_user="admin", target=target["target_id"])
    assert page.markdown and "**" in page.markdown[0].value  # the sentence, highlighted
    page.radio(key="correction_action").set_value("drop")
    page.text_area(key="correction_reason").input("not a commitment")
    page.button[0].click().run()
    assert not page.exception and "更正已保存" in texts(page)
    page.button(key="rebuild_button").click().run()
    assert "已重建" in texts(page)
    assert store.target_detail(database, target["target_id"]) is None
    assert list(store.audit_entries(database)["action"][:2]) == ["rebuild", "correction_added"]


def test_with_anonymous_viewing_off_every_page_asks_to_sign_in(database, open_page, monkeypatch):
    monkeypatch.setenv("BIZENV_ANONYMOUS_VIEW", "0")
    home = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60).run()
    assert "请先登录" in texts(home) and not home.dataframe and not home.metric
    page = open_page("pages/compare.py", indicator="power_connection_time")
    assert "请先登录" in texts(page) and not page.get("plotly_chart")
    assert open_page("pages/compare.py", as_user="viewer1", indicator="power_connection_time").get("plotly_chart")


OIDC_SECRETS = {"redirect_uri": "https://bizenv.example/oauth2callback", "cookie_secret": "a long random secret",
                "client_id": "bizenv", "client_secret": "provider secret",
                "server_metadata_url": "https://id.example/.well-known/openid-configuration"}


def test_openid_without_a_configured_provider_says_what_is_missing_instead_of_offering_a_button(database, monkeypatch):
    monkeypatch.setenv("BIZENV_SIGN_IN", "oidc")
    for secrets, missing in ((None, "中没有 \\[auth\\] 配置"), ({**OIDC_SECRETS, "client_secret": ""}, "缺少：client\\_secret")):
        test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
        if secrets:
            test.secrets["auth"] = secrets
        test.run()
        page = test.switch_page("pages/sign_in.py").run()
        assert not page.exception and not page.button and missing in page.error[0].value


def test_an_openid_identity_gets_its_stored_role(database, monkeypatch):
    monkeypatch.setenv("BIZENV_SIGN_IN", "oidc")
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    test.secrets["auth"] = OIDC_SECRETS
    test.run()
    page = test.switch_page("pages/sign_in.py").run()
    assert page.button(key="oidc_sign_in")  # st.login, when no one is signed in
    test.user = {"is_logged_in": True, "email": "qinghai", "email_verified": True, "name": "Qinghai"}
    page = test.switch_page("pages/upload.py").run()
    assert not page.exception and page.file_uploader
    entry = store.audit_entries(database).iloc[0]
    assert (entry["action"], entry["sign_in_method"]) == ("sign_in", "oidc")
    test.user = {"is_logged_in": True, "email": "stranger@example.org", "email_verified": "true"}
    page = test.switch_page("pages/upload.py").run()
    assert not page.file_uploader and "无权打开此页面" in texts(page)
    test.user = {"is_logged_in": True, "email": "qinghai", "email_verified": False}
    page = test.switch_page("pages/upload.py").run()
    assert not page.file_uploader and "请先登录" in texts(page)
    page = test.switch_page("pages/sign_in.py").run()
    assert "没有给出已验证的电子邮箱" in texts(page) and page.button(key="oidc_sign_out")


def test_an_openid_sign_in_older_than_the_session_limit_is_ended(database, monkeypatch):
    import time

    monkeypatch.setenv("BIZENV_SIGN_IN", "oidc")
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    test.user = {"is_logged_in": True, "email": "qinghai", "email_verified": True, "iat": int(time.time()) - 13 * 3600}
    test.run()
    assert "会话已过期" in texts(test)
    page = test.switch_page("pages/upload.py").run()
    assert not page.file_uploader


def test_signing_in_from_a_refused_page_leads_back_to_it(database, open_page):
    # The gate's sign-in link carries next=page_upload and the page's URL state (followed in test_browser.py).
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    test.query_params.update({"next": "page_upload", "template_year": "2021"})
    test.run()
    page = test.switch_page("pages/sign_in.py").run()
    submit_sign_in(page, "admin", PASSWORD)
    assert not page.exception and page.file_uploader  # back on the upload page
    assert page.selectbox(key="template_year").value == 2021


def test_only_pages_of_the_app_are_followed_after_sign_in(database):
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    test.query_params["next"] = "https://evil.example/steal"
    test.run()
    page = test.switch_page("pages/sign_in.py").run()
    submit_sign_in(page, "admin", PASSWORD)
    assert not page.exception and "当前用户" in texts(page)


def test_a_hostile_display_name_is_shown_as_text(database, open_page, admin):
    from indicators import accounts

    accounts.create_user(database, admin, "mallory", "evaluator", "<img src=x onerror=alert(1)> [x](javascript:alert(1))",
                         [("630000", True)], PASSWORD)
    page = open_page("pages/upload.py", as_user="mallory")
    shown = [element.value for element in page.caption if "mallory" in element.value]
    assert shown and all("\\<img" in value and "\\[x\\]\\(javascript" in value for value in shown)


def test_with_default_delays_five_wrong_passwords_lock_within_apptests_default_timeout(database, monkeypatch):
    """The defaults as shipped: every answer comes within AppTest's default 3 s, and the fifth failure locks."""
    monkeypatch.delenv("BIZENV_SIGN_IN_DELAY_SECONDS")
    test = AppTest.from_file(str(REPO_DIR / "app.py"))
    test.run()
    page = test.switch_page("pages/sign_in.py").run()
    for attempt in range(5):
        submit_sign_in(page, "viewer1", f"wrong {attempt}")
        assert not page.exception
    assert "账户已锁定" in page.error[0].value


def test_a_database_from_before_accounts_existed_is_upgraded_on_first_use(corpus_database, tmp_path, monkeypatch):
    import shutil

    import duckdb

    from etl.build import build
    from indicators.paths import POLICIES_DIR

    path = tmp_path / "old.duckdb"
    shutil.copyfile(corpus_database, path)
    with duckdb.connect(str(path)) as connection:
        for table in ("users", "user_regions", "stored_corrections", "audit_log"):
            connection.execute(f"DROP TABLE {table}")
    monkeypatch.setenv("BIZENV_DB", str(path))
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    test.run()
    page = test.switch_page("pages/sign_in.py").run()
    assert not page.exception and "尚无管理员" in texts(page)
    older = tmp_path / "older.duckdb"
    shutil.copyfile(corpus_database, older)
    with duckdb.connect(str(older)) as connection:
        connection.execute("DROP TABLE stored_corrections")
    build(POLICIES_DIR, older, samples_dir=None)
    assert store.audit_entries(older).iloc[0]["action"] == "rebuild"


def test_a_database_from_before_the_dated_regions_gains_their_columns_on_first_use(corpus_database, tmp_path,
                                                                                  monkeypatch):
    """Pages read regions.valid_until; a database built before that column existed is upgraded, not broken."""
    import shutil

    import duckdb

    path = tmp_path / "old.duckdb"
    shutil.copyfile(corpus_database, path)
    with duckdb.connect(str(path)) as connection:
        for column in ("name_en", "valid_from", "valid_until", "successor_codes", "current_codes"):
            connection.execute(f"ALTER TABLE regions DROP COLUMN {column}")
    monkeypatch.setenv("BIZENV_DB", str(path))
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    test.run()
    page = test.switch_page("pages/region.py").run()
    assert not test.exception and not page.exception
    with duckdb.connect(str(path), read_only=True) as connection:
        columns = {name for (name,) in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'regions'").fetchall()}
    assert {"valid_until", "current_codes"} <= columns


def test_a_password_reset_ends_sessions_begun_before_it(database, open_page, admin):
    from indicators import accounts

    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    signed_in(test, "qinghai").run()
    assert test.switch_page("pages/upload.py").run().file_uploader
    accounts.reset_password(database, admin, "qinghai", "a fresh secret 2026")
    page = test.switch_page("pages/upload.py").run()
    assert not page.file_uploader and "请先登录" in texts(page)


def test_changing_ones_own_password_keeps_this_session(database):
    test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    signed_in(test, "qinghai").run()
    page = test.switch_page("pages/sign_in.py").run()
    page.text_input(key="old_password").input(PASSWORD)
    page.text_input(key="new_password").input("a fresh secret 2026")
    page.text_input(key="new_password_again").input("a fresh secret 2026")
    page.button[1].click().run()  # the form's button; [0] is the sidebar's sign-out
    assert "密码已修改" in page.success[-1].value
    assert test.switch_page("pages/upload.py").run().file_uploader


def test_an_openid_user_idle_too_long_is_not_signed_back_in_by_a_reload(database, monkeypatch):
    from indicators.ui import session

    monkeypatch.setenv("BIZENV_SIGN_IN", "oidc")
    first = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    first.user = {"is_logged_in": True, "email": "qinghai", "email_verified": True}
    first.run()
    assert "当前用户" in texts(first)
    key = ("oidc", "qinghai")
    session._external_last_seen[key] -= dt.timedelta(minutes=31)  # half an hour passes without a click
    reload = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    reload.user = {"is_logged_in": True, "email": "qinghai", "email_verified": True}
    reload.run()
    assert "会话已过期" in texts(reload) and key not in session._external_last_seen


CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize("path", ["pages/sign_in.py", "pages/users.py", "pages/audit.py", "pages/maintenance.py",
                                  "pages/upload.py", "pages/submissions.py"])
def test_the_new_pages_speak_english_when_asked(database, open_page, path):
    """Titles, headings, widget labels and messages in English (data such as titles and quotes stay as they are)."""
    page = open_page(path, as_user="admin", lang="en")
    texts_shown = [element.value for kind in ("title", "subheader", "caption", "info", "warning", "success", "error")
                   for element in getattr(page, kind)]
    labels = [widget.label for kind in ("text_input", "selectbox", "multiselect", "checkbox", "button", "radio",
                                        "text_area", "toggle") for widget in getattr(page, kind)]
    chinese = [text for text in [*texts_shown, *labels] if CJK.search(str(text)) and text != "语言 / Language"]
    assert not chinese, chinese
