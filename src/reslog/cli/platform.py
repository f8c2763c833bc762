"""``reslog platform``: the platform database — migrate, demo users, organisations, users, keys.

The database is ``--url`` / ``$RESLOG_PLATFORM_URL`` (a SQLAlchemy URL, e.g.
``postgresql+psycopg://reslog:…@127.0.0.1:5432/reslog``), else ``platform.sqlite`` beside the
warehouse (``--db``). ``docs/platform.md`` describes the model and the deployment.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from reslog.cli.common import DbOption, resolve_db

console = Console()
platform_app = typer.Typer(help="Platform state (users, organisations, API keys): migrate, "
                           "demo users, admin accounts.", no_args_is_help=True)

UrlOption = Annotated[Optional[str], typer.Option(
    "--url", envvar="RESLOG_PLATFORM_URL",
    help="SQLAlchemy URL of the platform database (default: platform.sqlite beside the warehouse).")]


def register(app: typer.Typer) -> None:
    """Add ``reslog platform …`` to the root app."""
    app.add_typer(platform_app, name="platform")


def _url(url: str | None, db) -> str:
    from reslog.platform.db import default_url

    return url or default_url(resolve_db(db))


def _open(url: str | None, db):
    from reslog.platform.db import make_engine, migrate, session_factory

    engine = make_engine(_url(url, db))
    migrate(engine)
    return engine, session_factory(engine)


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@platform_app.command("migrate")
def migrate_cmd(db: DbOption = None, url: UrlOption = None) -> None:
    """Create or upgrade the platform schema to the newest revision."""
    from reslog.platform.db import current_revision, head_revision, make_engine, migrate

    u = _url(url, db)
    engine = make_engine(u)
    before = current_revision(engine)
    after = migrate(engine)
    engine.dispose()
    state = "already at" if before == after else f"upgraded from {before or 'empty'} to"
    console.print(f"{_safe(u)}: {state} revision {after} (head {head_revision()})")


@platform_app.command("demo-users")
def demo_users_cmd(db: DbOption = None, url: UrlOption = None) -> None:
    """Create the demo organisations and users, and print their (public, demo-only) passwords."""
    from reslog.platform.accounts import ensure_demo_users

    engine, sessions = _open(url, db)
    with sessions() as s:
        creds = ensure_demo_users(s)
    engine.dispose()
    t = Table(title="demo accounts (for demonstrations only; never use these passwords elsewhere)")
    for col in ("organisation", "email", "role", "password"):
        t.add_column(col)
    for c in creds:
        t.add_row(c["organisation"], c["email"], c["role"], c["password"])
    console.print(t)


@platform_app.command("demo-data")
def demo_data_cmd(db: DbOption = None, url: UrlOption = None) -> None:
    """Give the demo organisation one monitored site (42 days of simulated sensor readings) and the
    warehouse the ASGM hotspots the shipped detector finds in one simulated Sentinel-2 scene.

    Both are simulated and labelled so in every table they reach; re-running stores nothing twice.
    """
    from reslog.cli.common import resolve_db
    from reslog.platform.accounts import demo_org_id, ensure_demo_users
    from reslog.web.demo_data import ingest_demo_hotspots, register_demo_site

    path = resolve_db(db)
    engine, sessions = _open(url, db)
    with sessions() as s:
        ensure_demo_users(s)
        org_id = demo_org_id(s)
    engine.dispose()
    folder = path.parent / "demo-inputs"
    folder.mkdir(parents=True, exist_ok=True)
    doc = ingest_demo_hotspots(path, folder)
    accepted = register_demo_site(path, org_id, folder)
    console.print(f"simulated ASGM hotspots: {len(doc.get('features', []))}; demo site readings "
                  f"accepted: {sum(accepted.values()):,} (a re-run accepts none)")


@platform_app.command("create-user")
def create_user_cmd(
    org: Annotated[str, typer.Argument(help="Organisation name (created if new).")],
    email: Annotated[str, typer.Argument(help="E-mail address used to log in.")],
    role: Annotated[str, typer.Option(help="viewer, analyst or admin.")] = "admin",
    password: Annotated[Optional[str], typer.Option(
        help="Password (default: prompted, not echoed).")] = None,
    db: DbOption = None, url: UrlOption = None,
) -> None:
    """Create a user in an organisation (the first admin of a new organisation, typically)."""
    from reslog.platform import accounts

    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    engine, sessions = _open(url, db)
    with sessions() as s:
        o = accounts.get_or_create_org(s, org)
        u = accounts.create_user(s, o, email, password, role)
        s.commit()
        console.print(f"user #{u.id} {u.email} is {role} of organisation #{o.id} {o.name}")
    engine.dispose()


@platform_app.command("list-users")
def list_users_cmd(db: DbOption = None, url: UrlOption = None) -> None:
    """Users, their organisations and roles."""
    from sqlalchemy import select

    from reslog.platform.models import Membership, Organisation, User

    engine, sessions = _open(url, db)
    with sessions() as s:
        rows = s.execute(select(User.id, User.email, Organisation.name, Membership.role)
                         .join(Membership, Membership.user_id == User.id)
                         .join(Organisation, Organisation.id == Membership.org_id)
                         .order_by(Organisation.name, User.email)).all()
    engine.dispose()
    t = Table(title=f"{len(rows)} memberships")
    for col in ("user", "email", "organisation", "role"):
        t.add_column(col)
    for r in rows:
        t.add_row(str(r[0]), r[1], r[2], r[3])
    console.print(t)
