"""Migrations and persistence on SQLite and PostgreSQL: the migrated schema equals the models,
migrating is idempotent, and data round-trips (JSON lists, time zones, cascades)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, select

from reslog.platform import accounts
from reslog.platform.db import current_revision, head_revision, make_engine, migrate, session_factory
from reslog.platform.models import Base, Membership, OrgEvent, ShareGrant, Supplier, SupplierList, User


@pytest.fixture
def engine(platform_url):
    e = make_engine(platform_url)
    yield e
    e.dispose()


def test_migrate_to_head_is_idempotent(engine):
    assert current_revision(engine) is None
    assert migrate(engine) == head_revision() == "0001"
    assert migrate(engine) == "0001"
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)


def test_migrated_schema_matches_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    migrate(engine)
    with engine.connect() as con:
        diff = compare_metadata(MigrationContext.configure(con), Base.metadata)
    assert diff == []


def test_round_trip_and_cascades(engine):
    migrate(engine)
    S = session_factory(engine)
    with S() as db:
        org = accounts.get_or_create_org(db, "Round Trip Ltd")
        other = accounts.get_or_create_org(db, "Other Ltd")
        u = accounts.create_user(db, org, "RT@Example.org", "0123456789-pw", "analyst")
        t0 = datetime(2024, 3, 1, 12, 30, tzinfo=timezone.utc)
        ev = OrgEvent(org_id=org.id, event_type="pollution", title="日本語 title", severity=0.25,
                      start_time=t0, source_urls=["https://a.example/1", "https://b.example/2"])
        sl = SupplierList(org_id=org.id, name="l", filename="l.csv", sha256="0" * 64, n_rows=1,
                          rows=[Supplier(row_no=1, supplier="S", country="COD", commodity="cobalt")])
        db.add_all([ev, sl])
        db.flush()
        db.add(ShareGrant(item_type="org_event", item_id=ev.id, owner_org_id=org.id,
                          grantee_org_id=other.id))
        db.commit()
        ids = (u.id, org.id, ev.id, sl.id)
    with S() as db:
        u = db.get(User, ids[0])
        assert u.email == "rt@example.org"
        ev = db.get(OrgEvent, ids[2])
        assert ev.source_urls == ["https://a.example/1", "https://b.example/2"]
        assert ev.title == "日本語 title"
        st = ev.start_time if ev.start_time.tzinfo else ev.start_time.replace(tzinfo=timezone.utc)
        assert st == datetime(2024, 3, 1, 12, 30, tzinfo=timezone.utc)
        # Deleting the organisation removes its members, items and grants (FK cascades).
        from reslog.platform.models import Organisation

        db.delete(db.get(Organisation, ids[1]))
        db.commit()
    with S() as db:
        assert db.scalars(select(Membership).where(Membership.org_id == ids[1])).all() == []
        assert db.get(SupplierList, ids[3]) is None
        assert db.scalars(select(Supplier)).all() == []
        assert db.scalars(select(ShareGrant)).all() == []


def test_unique_email_and_membership(engine):
    migrate(engine)
    with session_factory(engine)() as db:
        org = accounts.get_or_create_org(db, "U")
        accounts.create_user(db, org, "a@u.example", "0123456789", "viewer")
        with pytest.raises(accounts.AccountError, match="already exists"):
            accounts.create_user(db, org, "A@u.example", "0123456789", "viewer")
        with pytest.raises(accounts.AccountError, match="at least 10"):
            accounts.create_user(db, org, "b@u.example", "short", "viewer")
        with pytest.raises(accounts.AccountError, match="unknown role"):
            accounts.create_user(db, org, "c@u.example", "0123456789", "root")


def test_api_keys_store_only_a_hash(engine):
    migrate(engine)
    with session_factory(engine)() as db:
        org = accounts.get_or_create_org(db, "K")
        new = accounts.create_api_key(db, org.id, None, "ci", "viewer")
        db.commit()
        dump = repr([(c.key, getattr(new.row, c.key)) for c in new.row.__table__.columns])
    secret = new.key.split("_", 2)[2]
    assert new.key.startswith(f"rsk_{new.row.prefix}_") and secret not in dump and new.key not in dump
    import hashlib

    assert new.row.key_hash == hashlib.sha256(new.key.encode()).hexdigest()


def test_install_migrates_on_start(app):
    eng = app.state.platform.engine
    assert current_revision(eng) == head_revision()


def test_cli_migrate_and_demo_users(platform_url, tmp_path):
    from typer.testing import CliRunner

    from reslog.cli import app as cli

    r = CliRunner().invoke(cli, ["platform", "migrate", "--url", platform_url])
    assert r.exit_code == 0, r.output
    assert "revision 0001" in r.output.replace("\n", " ")
    r = CliRunner().invoke(cli, ["platform", "demo-users", "--url", platform_url])
    assert r.exit_code == 0 and "demo@reslog.example" in r.output
    r = CliRunner().invoke(cli, ["platform", "demo-users", "--url", platform_url])  # idempotent
    assert r.exit_code == 0
    e = make_engine(platform_url)
    with session_factory(e)() as db:
        assert accounts.authenticate(db, "demo@reslog.example", "demo-admin-password") is not None
        assert len(db.scalars(select(User)).all()) == len(accounts.DEMO_USERS)
    e.dispose()
    if platform_url.startswith("postgresql"):
        assert "postgres@" in platform_url  # the URL printed hides passwords (none here)


def test_cli_create_user_and_list(platform_url):
    from typer.testing import CliRunner

    from reslog.cli import app as cli

    run = CliRunner().invoke
    r = run(cli, ["platform", "create-user", "Acme Cobalt", "Boss@Acme.example", "--role", "admin",
                  "--password", "a-long-enough-password", "--url", platform_url])
    assert r.exit_code == 0, r.output
    assert "boss@acme.example is admin of organisation" in r.output
    r = run(cli, ["platform", "create-user", "Acme Cobalt", "boss@acme.example", "--password",
                  "a-long-enough-password", "--url", platform_url])
    assert r.exit_code != 0  # already exists (ReslogError → exit 2 through reslog.cli.main)
    r = run(cli, ["platform", "list-users", "--url", platform_url])
    assert r.exit_code == 0 and "Acme Cobalt" in r.output and "admin" in r.output
