"""The rules of who may do what, as plain functions: roles, regions, throttling, sessions, settings, passwords."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators import access
from indicators.access import ANONYMOUS, AccessSettings, Actor, RegionGrant

# 青海省 → 西宁市 → 城东区; 海东市 → 平安区; 湖南省 → 长沙市.
PARENTS = {
    "100000": None, "630000": None, "630100": "630000", "630102": "630100", "630200": "630000",
    "630203": "630200", "430000": None, "430100": "430000",
}
VIEWER = Actor("v", "viewer", "accounts")
EVALUATOR = Actor("e", "evaluator", "accounts", regions=(RegionGrant("630000", True),))
CITY_ONLY = Actor("c", "evaluator", "accounts", regions=(RegionGrant("630100", False),))
ADMIN = Actor("a", "admin", "accounts")


@pytest.mark.parametrize(("actor", "action", "anonymous_view", "allowed"), [
    (ANONYMOUS, "view", True, True),
    (ANONYMOUS, "view", False, False),
    (ANONYMOUS, "upload", True, False),
    (VIEWER, "view", False, True),
    (VIEWER, "upload", True, False),
    (VIEWER, "withdraw", True, False),
    (EVALUATOR, "upload", True, True),
    (EVALUATOR, "withdraw", True, True),
    (EVALUATOR, "withdraw_any", True, False),
    (EVALUATOR, "manage_users", True, False),
    (EVALUATOR, "audit", True, False),
    (ADMIN, "manage_users", True, True),
    (ADMIN, "rebuild", True, True),
    (ADMIN, "correct", True, True),
    (ADMIN, "audit", True, True),
    (ADMIN, "withdraw_any", True, True),
    (Actor("x", "superuser", "accounts"), "view", True, False),
])
def test_permissions(actor, action, anonymous_view, allowed):
    assert access.can(actor, action, anonymous_view) is allowed


@pytest.mark.parametrize(("actor", "region", "allowed"), [
    (EVALUATOR, "630000", True),
    (EVALUATOR, "630100", True),
    (EVALUATOR, "630102", True),   # a county two levels down
    (EVALUATOR, "630203", True),
    (EVALUATOR, "430000", False),
    (EVALUATOR, "430100", False),
    (EVALUATOR, "100000", False),  # the national level is above, not below
    (CITY_ONLY, "630100", True),
    (CITY_ONLY, "630102", False),  # granted without its counties
    (CITY_ONLY, "630000", False),
    (ADMIN, "430100", True),
    (VIEWER, "630000", False),
    (EVALUATOR, "999999", False),  # unknown code: no parent chain reaches a grant
])
def test_regions_an_actor_may_write(actor, region, allowed):
    assert access.may_write_region(actor, region, PARENTS) is allowed


def test_regions_outside_are_named_once_in_first_seen_order():
    codes = ["630000", "430100", "630102", "430000", "430100"]
    assert access.regions_outside(EVALUATOR, codes, PARENTS) == ["430100", "430000"]


def test_a_cycle_in_the_parent_table_does_not_hang():
    assert not access.region_covered("1", [RegionGrant("9")], {"1": "2", "2": "1"})


@given(st.lists(st.sampled_from(sorted(PARENTS)), max_size=6))
def test_a_grant_with_subregions_covers_everything_its_parts_cover(codes):
    """Property: granting a province with subregions covers at least what granting any of its cities does."""
    province = [RegionGrant("630000", True)]
    city = [RegionGrant("630100", True)]
    for code in codes:
        if access.region_covered(code, city, PARENTS):
            assert access.region_covered(code, province, PARENTS)


SETTINGS = AccessSettings(max_failed_sign_ins=5, lock_minutes=15, failure_delay_seconds=0.5)


@pytest.mark.parametrize(("failures", "delay"), [(0, 0), (1, 0.5), (2, 1), (3, 2), (4, 2), (5, 0)])
def test_failed_sign_ins_are_answered_ever_more_slowly_until_the_lock(failures, delay):
    assert access.failure_delay(failures, SETTINGS) == delay


def test_the_default_delays_stay_short_enough_for_a_browser():
    defaults = AccessSettings()
    assert [access.failure_delay(n, defaults) for n in range(1, 6)] == [0.2, 0.4, 0.8, 1.6, 0]


def test_the_fifth_failure_locks_for_the_configured_time():
    now = dt.datetime(2026, 1, 1, 12)
    assert access.lock_after_failure(4, now, SETTINGS) is None
    until = access.lock_after_failure(5, now, SETTINGS)
    assert until == now + dt.timedelta(minutes=15)
    assert access.is_locked(until, now + dt.timedelta(minutes=14))
    assert not access.is_locked(until, now + dt.timedelta(minutes=15))
    assert not access.is_locked(None, now)


@pytest.mark.parametrize(("signed_in_minutes_ago", "idle_minutes", "expired"), [
    (5, 1, False), (5, 31, True), (11 * 60, 10, False), (12 * 60 + 1, 1, True),
])
def test_sessions_expire_when_idle_or_too_old(signed_in_minutes_ago, idle_minutes, expired):
    now = dt.datetime(2026, 1, 1, 23)
    settings = AccessSettings(idle_minutes=30, session_hours=12)
    signed_in = now - dt.timedelta(minutes=signed_in_minutes_ago)
    last_seen = now - dt.timedelta(minutes=idle_minutes)
    assert access.session_expired(signed_in, last_seen, now, settings) is expired


@pytest.mark.parametrize(("environ", "expected", "problems"), [
    ({}, {"sign_in": "accounts", "anonymous_view": True, "max_failed_sign_ins": 5}, 0),
    ({"BIZENV_SIGN_IN": "OIDC"}, {"sign_in": "oidc"}, 0),
    ({"BIZENV_SIGN_IN": "header", "BIZENV_TRUSTED_HEADER": "X-Forwarded-User"},
     {"sign_in": "header", "trusted_header": "X-Forwarded-User"}, 0),
    ({"BIZENV_SIGN_IN": "ldap"}, {"sign_in": "accounts"}, 1),
    ({"BIZENV_ANONYMOUS_VIEW": "0"}, {"anonymous_view": False}, 0),
    ({"BIZENV_ANONYMOUS_VIEW": "maybe"}, {"anonymous_view": False}, 1),  # unclear means the safer choice
    ({"BIZENV_MAX_FAILED_SIGN_INS": "3", "BIZENV_LOCK_MINUTES": "60"}, {"max_failed_sign_ins": 3, "lock_minutes": 60}, 0),
    ({"BIZENV_MAX_FAILED_SIGN_INS": "zero"}, {"max_failed_sign_ins": 5}, 1),
    ({"BIZENV_MAX_FAILED_SIGN_INS": "0"}, {"max_failed_sign_ins": 5}, 1),
    ({"BIZENV_SESSION_IDLE_MINUTES": "-5"}, {"idle_minutes": 30}, 1),
    # Not finite or absurdly large: inf minutes would overflow the lock's date, so the account would never lock.
    ({"BIZENV_LOCK_MINUTES": "inf"}, {"lock_minutes": 15}, 1),
    ({"BIZENV_LOCK_MINUTES": "1e300"}, {"lock_minutes": access.MINUTES_PER_YEAR}, 1),
    ({"BIZENV_MAX_FAILED_SIGN_INS": "nan"}, {"max_failed_sign_ins": 5}, 1),
    ({"BIZENV_MAX_FAILED_SIGN_INS": "inf"}, {"max_failed_sign_ins": 5}, 1),
    ({"BIZENV_MAX_FAILED_SIGN_INS": "5000"}, {"max_failed_sign_ins": 1000}, 1),
    ({"BIZENV_SESSION_IDLE_MINUTES": "nan", "BIZENV_SESSION_HOURS": "-inf"}, {"idle_minutes": 30, "session_hours": 12}, 2),
    ({"BIZENV_SIGN_IN_DELAY_SECONDS": "30"}, {"failure_delay_seconds": access.MAX_FAILURE_DELAY_SECONDS}, 1),
    ({"BIZENV_MAX_FAILED_SIGN_INS": "2.9"}, {"max_failed_sign_ins": 5}, 1),
    ({"BIZENV_OIDC_ACCEPT_UNVERIFIED": "maybe"}, {"oidc_accept_unverified": False}, 1),
    ({"BIZENV_OIDC_ACCEPT_UNVERIFIED": "yes"}, {"oidc_accept_unverified": True}, 0),
    ({"BIZENV_TRUSTED_HEADER": "X Remote: User"}, {"trusted_header": "X-Remote-User"}, 1),
])
def test_settings_from_the_environment(environ, expected, problems):
    settings = access.settings_from(environ)
    for name, value in expected.items():
        assert getattr(settings, name) == value
    assert len(settings.problems) == problems


@pytest.mark.parametrize(("password", "user_name", "refused"), [
    ("short", "zhang", True),
    ("zhangsan-2026-password", "zhangsan", True),
    ("aaaaaaaaaaaa", "li", True),
    ("营商环境改革2026年目标", "li", False),
    ("correct horse 42", "li", False),
])
def test_password_rules(password, user_name, refused):
    assert (access.password_problem(password, user_name) is not None) is refused


@pytest.mark.parametrize(("user_name", "refused"), [
    ("zhang.san", False), ("evaluator@qh.gov.cn", False), ("张三", False), ("", True), ("a b", True),
    ("cli:root", True), ("x" * 65, True), ("../admin", True), ("a'; DROP TABLE users; --", True),
    ("anonymous", True), ("Anonymous", True),  # how the audit trail names visitors who are not signed in
])
def test_user_name_rules(user_name, refused):
    assert (access.user_name_problem(user_name) is not None) is refused


@given(st.text(max_size=80))
def test_settings_from_any_text_are_usable_numbers(text):
    """Whatever an operator writes, every number is finite and in range, so a lock date can always be computed."""
    names = ("BIZENV_MAX_FAILED_SIGN_INS", "BIZENV_LOCK_MINUTES", "BIZENV_SIGN_IN_DELAY_SECONDS",
             "BIZENV_SESSION_IDLE_MINUTES", "BIZENV_SESSION_HOURS")
    settings = access.settings_from(dict.fromkeys(names, text))
    now = dt.datetime(2026, 1, 1)
    assert access.lock_after_failure(settings.max_failed_sign_ins, now, settings) > now
    assert not access.session_expired(now, now, now, settings)
    assert 0 <= access.failure_delay(1, settings) <= access.MAX_FAILURE_DELAY_SECONDS


@pytest.mark.parametrize(("written", "stored"), [
    (" zhang ", "zhang"), ("Zhang@QH.gov.cn", "zhang@qh.gov.cn"), ("ZhangSan", "ZhangSan"), (None, ""),
])
def test_user_names_are_normalized_one_way(written, stored):
    assert access.normalized_user_name(written) == stored


def test_passwords_are_argon2id_hashes_that_verify_only_the_right_password():
    hashed = access.hash_password("correct horse 42")
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    assert access.password_matches(hashed, "correct horse 42")
    assert not access.password_matches(hashed, "correct horse 43")
    assert not access.password_matches(None, "correct horse 42")
    assert not access.password_matches("not a hash", "x")
    assert access.hash_password("correct horse 42") != hashed  # salted


SECRET = "s" * 24


@pytest.mark.parametrize(("values", "secrets", "secret", "expected"), [
    (["qinghai"], [], None, "qinghai"),
    ([" qinghai "], [], None, "qinghai"),
    ([], [], None, None),
    (["qinghai", "admin"], [], None, None),          # appended by a proxy that does not overwrite: refused
    (["a b"], [], None, None),
    (["anonymous"], [], None, None),
    (["cli:root"], [], None, None),
    (["qinghai"], [SECRET], SECRET, "qinghai"),
    (["qinghai"], [], SECRET, None),                 # straight to the app, past the proxy
    (["qinghai"], ["wrong" * 5], SECRET, None),
    (["qinghai"], [SECRET, SECRET], SECRET, None),
    (["Li.Si@QH.gov.cn"], [], None, "li.si@qh.gov.cn"),
])
def test_a_proxy_header_is_trusted_only_when_unambiguous(values, secrets, secret, expected):
    settings = AccessSettings(sign_in="header", proxy_secret=secret)
    assert access.trusted_header_name(values, secrets, settings) == expected


def test_a_short_proxy_secret_trusts_no_header():
    settings = access.settings_from({"BIZENV_SIGN_IN": "header", "BIZENV_PROXY_SECRET": "short"})
    assert settings.problems and access.trusted_header_name(["qinghai"], ["short"], settings) is None


@pytest.mark.parametrize(("claims", "accept_unverified", "expected"), [
    ({"email": "Li.Si@QH.gov.cn", "email_verified": True}, False, "li.si@qh.gov.cn"),
    ({"email": "li@qh.gov.cn", "email_verified": "true"}, False, "li@qh.gov.cn"),
    ({"email": "li@qh.gov.cn"}, False, None),                 # no claim: not vouched for
    ({"email": "li@qh.gov.cn"}, True, "li@qh.gov.cn"),        # unless the setting accepts that
    ({"email": "li@qh.gov.cn", "email_verified": False}, True, None),
    ({"email": "li@qh.gov.cn", "email_verified": "false"}, True, None),
    ({"sub": "12345"}, True, None),
    ({"email": "not an address", "email_verified": True}, False, None),
])
def test_openid_identities_are_matched_by_verified_email(claims, accept_unverified, expected):
    assert access.oidc_user_name(claims, accept_unverified) == expected


@pytest.mark.parametrize(("address", "loopback"), [
    ("127.0.0.1", True), ("::1", True), ("10.0.0.5", False), (None, False), ("not an address", False),
    ("::ffff:127.0.0.1", True), ("::ffff:10.0.0.5", False), ("127.8.9.10", True)])
def test_loopback_addresses(address, loopback):
    assert access.is_loopback(address) is loopback


@pytest.mark.parametrize(("auth", "missing"), [
    (None, "no [auth] section"),
    ({}, "redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url"),
    ({key: "x" for key in access.OIDC_REQUIRED_KEYS} | {"cookie_secret": "  "}, "lacks cookie_secret:"),
    ({key: "x" for key in access.OIDC_REQUIRED_KEYS}, None),
])
def test_an_incomplete_openid_configuration_is_named(auth, missing):
    problem = access.oidc_configuration_problem(auth)
    assert (problem is None) if missing is None else (missing in problem[1])
