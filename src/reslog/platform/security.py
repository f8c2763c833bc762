"""Passwords, tokens, CSRF and the login rate limit.

* Passwords: argon2id through ``argon2-cffi`` (its RFC 9106 low-memory profile defaults);
  hashes are re-computed on login when the parameters change (:func:`verify_password`).
* Session tokens and API keys are 256-bit random secrets; the database stores only their
  SHA-256 (a fast hash is right for high-entropy secrets: there is nothing to brute-force,
  and it keeps the per-request check cheap). Comparisons are constant-time.
* CSRF: a signed double-submit token. Each browser gets a random ``reslog_csrf`` cookie;
  the form token is HMAC-SHA256(secret_key, cookie). A cross-site page can neither read the
  cookie nor compute the HMAC without the server secret.
* Login rate limit: in-process sliding window of failed attempts per (user name, client IP)
  and per IP (:class:`LoginRateLimiter`). One process only — see ``docs/platform.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# A hash of a random password, verified when the user does not exist so that the reply takes
# as long as for a wrong password (no user enumeration by timing).
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

API_KEY_PREFIX = "rsk"


def hash_password(password: str) -> str:
    """argon2id hash (PHC string ``$argon2id$v=19$m=...,t=...,p=...$salt$hash``)."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """``(ok, new_hash)``: ``new_hash`` is set when the stored hash should be upgraded.

    ``stored_hash=None`` (unknown user) still costs one argon2 verification.
    """
    target = stored_hash or _DUMMY_HASH
    try:
        _HASHER.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if stored_hash is None:
        return False, None
    return True, (_HASHER.hash(password) if _HASHER.check_needs_rehash(stored_hash) else None)


def sha256_hex(secret: str) -> str:
    """Hex SHA-256 of a high-entropy secret (session token, API key)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_session_token() -> str:
    """A 256-bit URL-safe random token for the session cookie."""
    return secrets.token_urlsafe(32)


def new_api_key() -> tuple[str, str, str]:
    """``(key, prefix, sha256)``: key ``rsk_<prefix>_<secret>``; only prefix and hash are stored."""
    prefix = secrets.token_hex(6)
    key = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, sha256_hex(key)


def parse_api_key(key: str) -> str | None:
    """The lookup prefix of a well-formed key, else ``None``."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or len(parts[1]) != 12:
        return None
    return parts[1]


def new_csrf_seed() -> str:
    """Random value of the ``reslog_csrf`` cookie."""
    return secrets.token_urlsafe(32)


def csrf_for(secret_key: str, seed: str) -> str:
    """The form token for a browser's CSRF cookie value."""
    return hmac.new(secret_key.encode(), f"csrf|{seed}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret_key: str, seed: str | None, token: str | None) -> bool:
    """Constant-time check of a submitted token against the cookie."""
    if not seed or not token:
        return False
    return hmac.compare_digest(csrf_for(secret_key, seed), token)


@dataclass
class LoginRateLimiter:
    """Sliding-window limit on failed logins, in process memory.

    At most ``max_per_user_ip`` failures per (lower-cased user name, IP) and ``max_per_ip``
    failures per IP within ``window_s`` seconds; a blocked pair is refused (HTTP 429) before
    the password is checked, until its oldest failure leaves the window. A successful login
    clears the pair's failures. The state is per process: run one server process (the
    default) or put a shared limiter in front when scaling out.
    """

    max_per_user_ip: int = 5
    max_per_ip: int = 50
    window_s: float = 900.0
    clock: callable = time.monotonic  # type: ignore[valid-type]
    _fails: dict[tuple[str, str], deque] = field(default_factory=dict)
    _ip_fails: dict[str, deque] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _prune(self, q: deque, now: float) -> None:
        while q and now - q[0] >= self.window_s:
            q.popleft()

    def retry_after(self, user: str, ip: str) -> float:
        """Seconds until a login for (user, ip) is allowed again (0 = allowed now)."""
        now = self.clock()
        with self._lock:
            wait = 0.0
            q = self._fails.get((user.lower(), ip))
            if q is not None:
                self._prune(q, now)
                if len(q) >= self.max_per_user_ip:
                    wait = max(wait, self.window_s - (now - q[0]))
            qi = self._ip_fails.get(ip)
            if qi is not None:
                self._prune(qi, now)
                if len(qi) >= self.max_per_ip:
                    wait = max(wait, self.window_s - (now - qi[0]))
            return wait

    def failure(self, user: str, ip: str) -> None:
        """Record a failed attempt."""
        now = self.clock()
        with self._lock:
            self._fails.setdefault((user.lower(), ip), deque()).append(now)
            self._ip_fails.setdefault(ip, deque()).append(now)

    def success(self, user: str, ip: str) -> None:
        """Forget the failures of (user, ip)."""
        with self._lock:
            self._fails.pop((user.lower(), ip), None)
