"""Who may do what: roles, regions assigned to evaluators, sign-in throttling, session expiry, password hashes.

Plain functions and values only (no Streamlit, no database): the pages, the CLI and the write
functions all ask these the same questions, so a check hidden in one place cannot drift from another.
"""
from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("viewer", "evaluator", "admin")
SIGN_IN_METHODS = ("accounts", "oidc", "header")

# What each role may do. Anonymous visitors may only view, and only when anonymous viewing is on.
PERMISSIONS = {
    "viewer": frozenset({"view"}),
    "evaluator": frozenset({"view", "upload", "withdraw"}),
    "admin": frozenset({"view", "upload", "withdraw", "withdraw_any", "manage_users", "correct", "rebuild", "audit"}),
}

USER_NAME_PATTERN = re.compile(r"^[\w.@+-]{1,64}$")
MINIMUM_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class RegionGrant:
    """One region given to a user; with_subregions extends it to every city and county below it."""

    region_code: str
    with_subregions: bool = True


@dataclass(frozen=True)
class Actor:
    """Whoever is acting: a signed-in user, an anonymous visitor (user_name None), or the command line."""

    user_name: str | None
    role: str | None
    method: str = "anonymous"
    regions: tuple[RegionGrant, ...] = ()
    display_name: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.user_name is not None

    @property
    def label(self) -> str:
        if self.user_name is None:
            return "anonymous"
        return f"{self.display_name}（{self.user_name}）" if self.display_name and self.display_name != self.user_name else self.user_name


ANONYMOUS = Actor(user_name=None, role=None)


def command_line_actor(os_user: str) -> Actor:
    """Whoever runs `python -m etl` has the server's files, so acts as an admin; the audit names the OS user."""
    return Actor(user_name=f"cli:{os_user}", role="admin", method="cli")


def can(actor: Actor, action: str, anonymous_view: bool = True) -> bool:
    if actor.user_name is None or actor.role is None:
        return action == "view" and anonymous_view
    return action in PERMISSIONS.get(actor.role, frozenset())


def region_covered(region_code: str, grants: Iterable[RegionGrant], parents: Mapping[str, str | None]) -> bool:
    """Whether a region is one of the grants or, for grants with subregions, lies below one of them."""
    grants = list(grants)
    exact = {grant.region_code for grant in grants}
    if region_code in exact:
        return True
    above = {grant.region_code for grant in grants if grant.with_subregions}
    seen: set[str] = set()
    current = parents.get(region_code)
    while current and current not in seen:
        if current in above:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def may_write_region(actor: Actor, region_code: str, parents: Mapping[str, str | None]) -> bool:
    """Admins write anywhere; evaluators only within their regions; everybody else nowhere."""
    if actor.role == "admin":
        return True
    if actor.role != "evaluator":
        return False
    return region_covered(region_code, actor.regions, parents)


def regions_outside(actor: Actor, region_codes: Iterable[str], parents: Mapping[str, str | None]) -> list[str]:
    """The distinct region codes, in first-seen order, that the actor may not write."""
    outside: list[str] = []
    for code in region_codes:
        if code not in outside and not may_write_region(actor, code, parents):
            outside.append(code)
    return outside


# --- Sign-in throttling and sessions -------------------------------------------------------------

@dataclass(frozen=True)
class AccessSettings:
    """Configuration from the environment; see the README's table of settings."""

    sign_in: str = "accounts"
    anonymous_view: bool = True
    trusted_header: str = "X-Remote-User"
    proxy_secret: str | None = None          # when set, the proxy must also send it, or no header is trusted
    proxy_secret_header: str = "X-Bizenv-Proxy-Secret"
    oidc_accept_unverified: bool = False      # accept an OpenID e-mail whose provider sends no email_verified
    max_failed_sign_ins: int = 5
    lock_minutes: float = 15
    failure_delay_seconds: float = 0.2
    idle_minutes: float = 30
    session_hours: float = 12
    problems: tuple[str, ...] = field(default=())


def _number(environ: Mapping[str, str], name: str, default: float, problems: list[str], minimum: float = 0,
            maximum: float = math.inf) -> float:
    text = environ.get(name)
    if text is None or text.strip() == "":
        return default
    try:
        value = float(text)
    except ValueError:
        problems.append(f"{name}={text!r} is not a number; using {default:g}")
        return default
    # inf or nan would overflow the lock's date (and so never lock) or make every comparison false.
    if not math.isfinite(value):
        problems.append(f"{name}={text!r} is not a finite number; using {default:g}")
        return default
    if value < minimum:
        problems.append(f"{name}={text!r} is below {minimum:g}; using {default:g}")
        return default
    if value > maximum:
        # Asking for more than the most allowed means the most allowed (a longer lock, a slower answer).
        problems.append(f"{name}={text!r} is above {maximum:g}; using {maximum:g}")
        return maximum
    return value


MAX_FAILURE_DELAY_SECONDS = 2.0
MINUTES_PER_YEAR = 525_600  # the longest lock or session a setting may ask for


TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")  # an HTTP header name (RFC 9110 token)


def _switch(environ: Mapping[str, str], name: str, default: bool, problems: list[str], when_unclear: bool) -> bool:
    text = environ.get(name, "").strip().lower()
    if text == "":
        return default
    if text in TRUE_WORDS or text in FALSE_WORDS:
        return text in TRUE_WORDS
    problems.append(f"{name}={text!r} is not 1 or 0; {'on' if when_unclear else 'off'}")
    return when_unclear


def settings_from(environ: Mapping[str, str]) -> AccessSettings:
    """Settings from environment variables; a bad value falls back to the safe default and is reported."""
    problems: list[str] = []
    sign_in = environ.get("BIZENV_SIGN_IN", "accounts").strip().lower() or "accounts"
    if sign_in not in SIGN_IN_METHODS:
        problems.append(f"BIZENV_SIGN_IN={sign_in!r} is not one of {', '.join(SIGN_IN_METHODS)}; using accounts")
        sign_in = "accounts"
    header = environ.get("BIZENV_TRUSTED_HEADER", "").strip() or "X-Remote-User"
    if not HEADER_NAME.match(header):
        problems.append(f"BIZENV_TRUSTED_HEADER={header!r} is not a header name; using X-Remote-User")
        header = "X-Remote-User"
    secret = environ.get("BIZENV_PROXY_SECRET", "").strip() or None
    if sign_in == "header" and secret is not None and len(secret) < 16:
        problems.append("BIZENV_PROXY_SECRET is shorter than 16 characters; no proxy header is trusted")
    failures = _number(environ, "BIZENV_MAX_FAILED_SIGN_INS", 5, problems, minimum=1, maximum=1000)
    if failures != int(failures):
        problems.append(f"BIZENV_MAX_FAILED_SIGN_INS={failures:g} is not a whole number; using 5")
        failures = 5
    return AccessSettings(
        sign_in=sign_in,
        # Unclear means the safer choice: no anonymous viewing, no unverified e-mails.
        anonymous_view=_switch(environ, "BIZENV_ANONYMOUS_VIEW", True, problems, when_unclear=False),
        trusted_header=header,
        oidc_accept_unverified=_switch(environ, "BIZENV_OIDC_ACCEPT_UNVERIFIED", False, problems, when_unclear=False),
        proxy_secret=secret if secret is None or len(secret) >= 16 else "\0unusable",
        max_failed_sign_ins=int(failures),
        lock_minutes=_number(environ, "BIZENV_LOCK_MINUTES", 15, problems, minimum=1, maximum=MINUTES_PER_YEAR),
        failure_delay_seconds=_number(environ, "BIZENV_SIGN_IN_DELAY_SECONDS", 0.2, problems, maximum=MAX_FAILURE_DELAY_SECONDS),
        idle_minutes=_number(environ, "BIZENV_SESSION_IDLE_MINUTES", 30, problems, minimum=1, maximum=MINUTES_PER_YEAR),
        session_hours=_number(environ, "BIZENV_SESSION_HOURS", 12, problems, minimum=0.1, maximum=MINUTES_PER_YEAR / 60),
        problems=tuple(problems),
    )


def trusted_header_name(values: list[str], secrets: list[str], settings: AccessSettings) -> str | None:
    """The user name a proxy vouches for: exactly one header value, a valid name, and the shared secret
    when one is configured (compared in constant time). None when any of that is missing."""
    if settings.proxy_secret is not None:
        if len(secrets) != 1 or not hmac.compare_digest(secrets[0].encode(), settings.proxy_secret.encode()):
            return None
    if len(values) != 1:
        return None  # a proxy that appends rather than overwrites would let the client's copy through
    name = normalized_user_name(values[0])
    return name if user_name_problem(name) is None else None


def is_loopback(address: str | None) -> bool:
    """Whether a client address is this machine: where a proxy on the same host connects from."""
    try:
        ip = ipaddress.ip_address(address) if address is not None else None
    except ValueError:
        return False
    # A server listening on both stacks sees an IPv4 client as ::ffff:127.0.0.1, which Python does not call loopback.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip is not None and ip.is_loopback


def oidc_user_name(claims: Mapping, accept_unverified: bool = False) -> str | None:
    """The user name for an OpenID identity: its e-mail in lower case, when the provider vouches for it.

    Some providers let users type any address, so an address counts only when `email_verified` is true
    (a boolean or the string "true"); with accept_unverified, a missing claim is accepted too, an explicit
    false never. Without a usable e-mail the identity cannot match a user an admin added (None).
    """
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified")
    verified = verified if isinstance(verified, bool) else (str(verified).strip().lower() == "true" if verified is not None else None)
    if not email or verified is False or (verified is None and not accept_unverified):
        return None
    return email if user_name_problem(email) is None else None


OIDC_REQUIRED_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def oidc_configuration_problem(auth: Mapping | None) -> tuple[str, str] | None:
    """(zh, en) what the `[auth]` section of .streamlit/secrets.toml lacks for st.login, or None when complete.

    Checked before the sign-in button is offered, so a server set to OpenID without a provider says what to
    configure instead of failing when someone clicks.
    """
    if not isinstance(auth, Mapping):
        return ("已选择 OpenID 登录（BIZENV_SIGN_IN=oidc），但 .streamlit/secrets.toml 中没有 [auth] 配置：请管理员按 docs/security.md 配置身份提供方",
                "OpenID sign-in is chosen (BIZENV_SIGN_IN=oidc) but .streamlit/secrets.toml has no [auth] section: "
                "an admin must configure the provider as docs/security.md says")
    missing = [key for key in OIDC_REQUIRED_KEYS if not str(auth.get(key) or "").strip()]
    if missing:
        return (f".streamlit/secrets.toml 的 [auth] 缺少：{'、'.join(missing)}；请管理员补全后重启",
                f"The [auth] section of .streamlit/secrets.toml lacks {', '.join(missing)}: an admin must add them and restart")
    return None


def failure_delay(failures: int, settings: AccessSettings) -> float:
    """Seconds to hold the answer to a failed sign-in: doubling with each failure in a row, at most 2 s.

    The failure that locks the account is answered at once: the lock, not the delay, stops the guessing,
    and an answer that takes longer than a browser or a test waits would only look like a fault.
    """
    if failures <= 0 or settings.failure_delay_seconds <= 0 or failures >= settings.max_failed_sign_ins:
        return 0.0
    return min(settings.failure_delay_seconds * 2 ** (failures - 1), MAX_FAILURE_DELAY_SECONDS)


def lock_after_failure(failures: int, now: dt.datetime, settings: AccessSettings) -> dt.datetime | None:
    """When the account unlocks, if this many failures in a row lock it."""
    if failures >= settings.max_failed_sign_ins:
        return now + dt.timedelta(minutes=settings.lock_minutes)
    return None


def is_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    return locked_until is not None and now < locked_until


def session_expired(signed_in_at: dt.datetime, last_seen: dt.datetime, now: dt.datetime,
                    settings: AccessSettings) -> bool:
    """A session ends after a spell without activity or after its total lifetime, whichever comes first."""
    return (now - last_seen > dt.timedelta(minutes=settings.idle_minutes)
            or now - signed_in_at > dt.timedelta(hours=settings.session_hours))


# --- Names and passwords -----------------------------------------------------------------------

def normalized_user_name(user_name: str | None) -> str:
    """A user name as stored and looked up: trimmed, and e-mail addresses in lower case (their case does not count,
    and OpenID identities are matched by address)."""
    name = (user_name or "").strip()
    return name.lower() if "@" in name else name


RESERVED_USER_NAMES = frozenset({"anonymous"})  # how the audit trail names a visitor who is not signed in


def user_name_problem(user_name: str) -> tuple[str, str] | None:
    """(zh, en) reason a user name cannot be used, or None."""
    if not USER_NAME_PATTERN.match(user_name or ""):
        return ("用户名须为 1–64 个字母、数字、汉字或 . _ @ + -，不含空格",
                "A user name is 1–64 letters, digits or . _ @ + -, without spaces")
    if user_name.startswith("cli:"):
        return ("以 cli: 开头的名字留给命令行记录使用", "Names starting with cli: are kept for the command line")
    if user_name.lower() in RESERVED_USER_NAMES:
        return (f"{user_name} 留给审计记录表示未登录的访客", f"{user_name} is how the audit trail names visitors who are not signed in")
    return None


def password_problem(password: str, user_name: str) -> tuple[str, str] | None:
    """(zh, en) reason a new password is refused, or None."""
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        return (f"密码至少 {MINIMUM_PASSWORD_LENGTH} 个字符", f"A password has at least {MINIMUM_PASSWORD_LENGTH} characters")
    if user_name and user_name.lower() in password.lower():
        return ("密码不能包含用户名", "A password may not contain the user name")
    if len(set(password)) < 4:
        return ("密码过于简单：至少用 4 个不同字符", "Too simple: use at least 4 different characters")
    return None


_hasher = PasswordHasher()
# Checked when a user name is unknown, so a wrong name takes as long as a wrong password.
_UNKNOWN_USER_HASH = _hasher.hash("no user has this password")


def hash_password(password: str) -> str:
    """An argon2id hash with its salt and parameters encoded in the string."""
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _UNKNOWN_USER_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's defaults."""
    return _hasher.check_needs_rehash(password_hash)
