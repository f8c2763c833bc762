"""Login, cookies, CSRF, rate limit, passwords (argon2) and sessions — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from platform_testkit import Browser, browser
from reslog.platform.models import User, UserSession, utcnow


def _set_cookies(r) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in r.headers.get_list("set-cookie")}


def test_passwords_are_argon2id_hashes(app, world):
    with app.state.platform.sessions() as db:
        users = list(db.scalars(select(User)))
    assert len(users) == 6
    for u in users:
        assert u.password_hash.startswith("$argon2id$v=19$")
        assert "password" not in u.password_hash
    assert len({u.password_hash for u in users}) == 6  # salted


def test_login_sets_httponly_samesite_cookie_and_redirects(app, world):
    b = Browser(app)
    _uid, email, pw = world.A.users["analyst"]
    r = b.c.post("/auth/login", data={"username": email, "password": pw, "csrf": b.csrf,
                                      "next": "/events?country=COD"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/events?country=COD"
    cookie = _set_cookies(r)["reslog_session"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie
    me = b.get("/api/platform/me").json()
    assert me["username"] == email and me["role"] == "analyst" and me["org_id"] == world.A.id
    # The raw token is not stored: only its SHA-256.
    token = b.c.cookies.get("reslog_session")
    with app.state.platform.sessions() as db:
        hashes = list(db.scalars(select(UserSession.token_hash)))
    assert token not in hashes and len(hashes[0]) == 64


def test_secure_cookie_when_configured(app_factory):
    from platform_testkit import make_world

    app = app_factory(cookie_secure=True)
    world = make_world(app)
    b = Browser(app, base_url="https://testserver")  # Secure cookies go back over HTTPS only
    fresh = TestClient(app, base_url="https://testserver")
    assert "secure" in _set_cookies(fresh.get("/api/platform/me"))["reslog_csrf"].lower()
    _uid, email, pw = world.A.users["admin"]
    r = b.c.post("/auth/login", data={"username": email, "password": pw, "csrf": b.csrf},
                 follow_redirects=False)
    assert r.status_code == 303
    assert "secure" in _set_cookies(r)["reslog_session"].lower()
    assert b.get("/api/platform/me").json()["role"] == "admin"


def test_open_redirects_are_refused(app, world):
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"):
        b = Browser(app)
        _uid, email, pw = world.A.users["viewer"]
        r = b.c.post("/auth/login", data={"username": email, "password": pw, "csrf": b.csrf,
                                          "next": target}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", target


def test_failures_do_not_say_which_part_was_wrong(app, world):
    _uid, email, pw = world.A.users["viewer"]
    answers = []
    for user, password in ((email, "wrong-password"), ("nobody@a.example", pw), ("not an email", "x"),
                           (email.upper(), "wrong-password")):
        b = Browser(app)
        r = b.c.post("/auth/login", data={"username": user, "password": password, "csrf": b.csrf},
                     follow_redirects=False)
        assert r.status_code == 401
        answers.append(r.json())
    assert all(a == answers[0] for a in answers)
    assert answers[0]["detail"] == "invalid credentials"
    # A browser gets the same redirect whatever was wrong.
    locs = set()
    for user, password in ((email, "wrong-password"), ("nobody@a.example", pw)):
        b = Browser(app)
        r = b.c.post("/auth/login", data={"username": user, "password": password, "csrf": b.csrf},
                     headers={"Accept": "text/html"}, follow_redirects=False)
        locs.add((r.status_code, r.headers["location"]))
    assert locs == {(303, "/login?error=1&next=/")}


def test_login_rate_limit_per_user_and_ip(app, world):
    _uid, email, pw = world.A.users["viewer"]
    lim = app.state.platform.limiter
    b = Browser(app)
    codes = [b.c.post("/auth/login", data={"username": email, "password": "bad-password",
                                           "csrf": b.csrf}, follow_redirects=False).status_code
             for _ in range(lim.max_per_user_ip)]
    assert codes == [401] * lim.max_per_user_ip
    # Blocked now, even with the right password; the answer says when to retry.
    r = b.c.post("/auth/login", data={"username": email, "password": pw, "csrf": b.csrf},
                 follow_redirects=False)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.headers["content-type"].startswith("application/problem+json")
    # Another user from the same IP is not blocked.
    _uid2, email2, pw2 = world.A.users["admin"]
    assert browser(app, world.A, "admin") is not None
    # After the window the user can log in again.
    t = [lim.clock()]
    lim.clock = lambda: t[0] + lim.window_s + 1  # type: ignore[assignment]
    r = b.c.post("/auth/login", data={"username": email, "password": pw, "csrf": b.csrf},
                 follow_redirects=False)
    assert r.status_code == 303


def test_csrf_is_required_for_browser_posts(app, world):
    # Login form without (or with a wrong) token.
    b = Browser(app)
    _uid, email, pw = world.A.users["analyst"]
    for token in (None, "0" * 64, b.csrf[:-1] + ("0" if b.csrf[-1] != "0" else "1")):
        data = {"username": email, "password": pw}
        if token:
            data["csrf"] = token
        r = b.c.post("/auth/login", data=data, follow_redirects=False)
        assert r.status_code == 403, token
        assert "CSRF" in r.json()["detail"]
    # A token from another browser (its own cookie) does not work either.
    other = Browser(app)
    r = b.c.post("/auth/login", data={"username": email, "password": pw, "csrf": other.csrf},
                 follow_redirects=False)
    assert r.status_code == 403
    # Logged in: JSON and multipart posts with the session cookie need the token.
    b.login(email, pw)
    ev = {"event_type": "pollution", "title": "t", "severity": 0.2}
    assert b.c.post("/api/platform/org-events", json=ev).status_code == 403
    assert b.c.post("/api/platform/suppliers", files={"file": ("s.csv", b"supplier,country,commodity\nX,COD,cobalt\n")}
                    ).status_code == 403
    assert b.c.post("/api/platform/suppliers", files={"file": ("s.csv", b"supplier,country,commodity\nX,COD,cobalt\n")},
                    data={"csrf": b.csrf}).status_code == 201
    assert b.c.post("/api/platform/org-events", json=ev, headers={"X-CSRF-Token": b.csrf}).status_code == 201
    # Logout without a token is refused too.
    assert b.c.post("/auth/logout", follow_redirects=False).status_code == 403


def test_csrf_cookie_flags(app):
    c = TestClient(app)
    cookie = _set_cookies(c.get("/api/platform/me"))["reslog_csrf"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    # Only set once per browser.
    assert "reslog_csrf" not in _set_cookies(c.get("/api/platform/me"))


def test_logout_revokes_the_session_server_side(app, world):
    b = browser(app, world.A, "analyst")
    stolen = b.c.cookies.get("reslog_session")
    r = b.post("/auth/logout", follow_redirects=False)
    assert r.status_code == 303
    assert 'reslog_session=""' in r.headers["set-cookie"] or "max-age=0" in r.headers["set-cookie"].lower()
    # Replaying the old cookie does not work.
    c = TestClient(app)
    c.cookies.set("reslog_session", stolen)
    assert c.get("/api/platform/me").json()["role"] == "anonymous"
    assert c.get("/api/platform/apikeys").status_code == 401


def test_expired_session_is_anonymous(app, world):
    b = browser(app, world.A, "admin")
    with app.state.platform.sessions() as db:
        for s in db.scalars(select(UserSession)):
            s.expires_at = utcnow() - timedelta(seconds=1)
        db.commit()
    assert b.get("/api/platform/me").json()["role"] == "anonymous"


def test_removed_member_loses_access_at_once(app, world):
    victim = browser(app, world.A, "analyst")
    admin = browser(app, world.A, "admin")
    assert victim.get("/api/platform/me").json()["role"] == "analyst"
    uid = world.A.users["analyst"][0]
    assert admin.delete(f"/api/platform/orgs/{world.A.id}/members/{uid}").status_code == 204
    assert victim.get("/api/platform/me").json()["role"] == "anonymous"
    audit = admin.get("/api/platform/audit").json()["items"]
    assert audit[0]["action"] == "member.remove" and audit[0]["item_id"] == uid


def test_cookie_only_when_a_token_is_handed_out_and_private_answers_not_stored(app, world):
    c = TestClient(app)
    r = c.get("/openapi.json")
    assert "set-cookie" not in r.headers  # public, cacheable answers carry no cookie
    r = c.get("/api/platform/org-events")
    assert r.headers["cache-control"] == "no-store" and "set-cookie" not in r.headers
    r = c.get("/api/platform/me")
    assert "reslog_csrf" in r.headers["set-cookie"] and r.headers["cache-control"] == "no-store"


def test_change_own_password(app, world):
    uid, email, pw = world.A.users["analyst"]
    other_device = browser(app, world.A, "analyst")
    b = browser(app, world.A, "analyst")
    r = b.post("/api/platform/me/password", json={"current_password": "wrong-one", "new_password": "n" * 12})
    assert r.status_code == 401 and r.json()["detail"] == "invalid credentials"
    r = b.post("/api/platform/me/password", json={"current_password": pw, "new_password": "short"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.new_password"
    assert b.post("/api/platform/me/password", json={"current_password": pw,
                                                     "new_password": "a-brand-new-password"}).status_code == 204
    # This session goes on; the other device is logged out; the new password works, the old not.
    assert b.get("/api/platform/me").json()["role"] == "analyst"
    assert other_device.get("/api/platform/me").json()["role"] == "anonymous"
    Browser(app).login(email, "a-brand-new-password")
    fresh = Browser(app)
    r = fresh.c.post("/auth/login", data={"username": email, "password": pw, "csrf": fresh.csrf},
                     follow_redirects=False)
    assert r.status_code == 401
    # API keys cannot change passwords.
    key = browser(app, world.A, "admin").post("/api/platform/apikeys", json={"name": "k", "role": "viewer"}).json()["key"]
    from platform_testkit import KeyClient

    assert KeyClient(app, key).post("/api/platform/me/password", json={
        "current_password": "x", "new_password": "y" * 12}).status_code == 403
    log = browser(app, world.A, "admin").get("/api/platform/audit", params={"action": "password.change"}).json()
    assert log["total"] == 1 and log["items"][0]["user_id"] == uid


def test_csrf_applies_whenever_a_session_cookie_is_sent(app, world):
    ev = {"event_type": "pollution", "title": "t", "severity": 0.2}
    # No cookie at all: nothing ambient to abuse; the route's authentication answers.
    assert TestClient(app).post("/api/platform/org-events", json=ev).status_code == 401
    # A stale or forged session cookie without a token: refused as CSRF.
    c = TestClient(app)
    c.cookies.set("reslog_session", "stale-token")
    r = c.post("/api/platform/org-events", json=ev)
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
