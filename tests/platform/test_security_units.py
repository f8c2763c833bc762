"""Pure security pieces (no database): rate limiter, CSRF tokens, API-key format, password
hashing, supplier-CSV parsing — with hypothesis where a property fits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reslog.errors import InputError
from reslog.platform import security
from reslog.sources.suppliers import parse_supplier_csv


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@settings(max_examples=60, deadline=None)
@given(limit=st.integers(1, 8), window=st.floats(1, 1000), extra=st.integers(0, 5),
       gap=st.floats(0, 0.9))
def test_limiter_blocks_after_limit_and_frees_after_window(limit, window, extra, gap):
    clock = FakeClock()
    lim = security.LoginRateLimiter(max_per_user_ip=limit, max_per_ip=10_000, window_s=window, clock=clock)
    for i in range(limit):
        assert lim.retry_after("u", "1.2.3.4") == 0
        lim.failure("U", "1.2.3.4")  # user names are case-insensitive
        clock.t += gap * window / (limit + 1)
    wait = lim.retry_after("u", "1.2.3.4")
    assert 0 < wait <= window
    # Other users and other IPs are unaffected.
    assert lim.retry_after("v", "1.2.3.4") == 0 and lim.retry_after("u", "5.6.7.8") == 0
    clock.t += wait + 1e-6  # just after the oldest failure leaves the window
    assert lim.retry_after("u", "1.2.3.4") == 0
    for _ in range(extra):
        lim.failure("u", "1.2.3.4")
    lim.success("u", "1.2.3.4")
    assert lim.retry_after("u", "1.2.3.4") == 0


def test_limiter_caps_one_ip_across_user_names():
    clock = FakeClock()
    lim = security.LoginRateLimiter(max_per_user_ip=5, max_per_ip=20, window_s=60, clock=clock)
    for i in range(20):
        lim.failure(f"user{i}", "9.9.9.9")
    assert lim.retry_after("fresh-user", "9.9.9.9") > 0
    assert lim.retry_after("fresh-user", "8.8.8.8") == 0


@settings(max_examples=100, deadline=None)
@given(seed=st.text(min_size=1, max_size=64), other=st.text(min_size=1, max_size=64))
def test_csrf_token_binds_to_cookie_and_secret(seed, other):
    tok = security.csrf_for("k1", seed)
    assert security.csrf_ok("k1", seed, tok)
    assert not security.csrf_ok("k2", seed, tok)
    if other != seed:
        assert not security.csrf_ok("k1", other, tok)
    assert not security.csrf_ok("k1", seed, None) and not security.csrf_ok("k1", None, tok)


def test_api_key_format_and_parse():
    key, prefix, digest = security.new_api_key()
    assert security.parse_api_key(key) == prefix and len(digest) == 64
    assert security.sha256_hex(key) == digest
    for bad in ("", "rsk", "rsk__x", "abc_123456789012_x", f"rsk_{prefix[:-1]}_x", "Bearer " + key):
        assert security.parse_api_key(bad) is None
    assert len({security.new_api_key()[0] for _ in range(50)}) == 50


def test_password_hash_verify_and_rehash():
    h = security.hash_password("correct horse battery staple")
    assert h.startswith("$argon2id$")
    assert security.verify_password(h, "correct horse battery staple") == (True, None)
    assert security.verify_password(h, "wrong") == (False, None)
    assert security.verify_password(None, "anything") == (False, None)
    assert security.verify_password("not-a-hash", "x") == (False, None)
    # A hash made with weaker parameters is upgraded on the next successful login.
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("pw-pw-pw-pw")
    ok, new = security.verify_password(weak, "pw-pw-pw-pw")
    assert ok and new is not None and new.startswith("$argon2id$") and new != weak


GOOD_ROWS = [("Acme", "COD", "cobalt", "Kamoto"), ("Nord", "FIN", "nickel", ""), ("Sula", "IDN", "nickel", "")]
BAD_CELLS = {"supplier": "", "country": "Atlantis", "commodity": "unobtainium"}


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 30), bad_row=st.integers(1, 30), field=st.sampled_from(sorted(BAD_CELLS)),
       data=st.data())
def test_any_bad_cell_is_named_by_row_and_field(n, bad_row, field, data):
    bad_row = min(bad_row, n)
    rows = [list(data.draw(st.sampled_from(GOOD_ROWS))) for _ in range(n)]
    col = ("supplier", "country", "commodity").index(field)
    rows[bad_row - 1][col] = BAD_CELLS[field]
    text = "supplier,country,commodity,mine\n" + "".join(",".join(r) + "\n" for r in rows)
    with pytest.raises(InputError) as ei:
        parse_supplier_csv("up.csv", text.encode())
    assert ei.value.row == bad_row and ei.value.field == field


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.sampled_from(GOOD_ROWS), min_size=1, max_size=40))
def test_good_files_parse_completely(rows):
    text = "supplier,country,commodity,mine\n" + "".join(",".join(r) + "\n" for r in rows)
    out = parse_supplier_csv("ok.csv", text.encode())
    assert [(r.supplier, r.country, r.commodity, r.mine or "") for r in out] == rows
    assert [r.row for r in out] == list(range(1, len(rows) + 1))
