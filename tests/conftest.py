"""Fixtures: the app on an empty database for each test, on SQLite and on PostgreSQL."""
from __future__ import annotations

import copy
import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings
from limits.storage import storage_from_string
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from survey_app import create_app
from survey_app.extensions import db, limiter

from .factories import app_config, make_survey

#: One Hypothesis profile for the suite: no deadline (a first call may pay for imports and caches; timing
#: belongs in bench/), and function-scoped fixtures allowed (each example works in the test's database).
settings.register_profile("project", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
settings.load_profile("project")

POSTGRES_URL = os.environ.get("SURVEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("SURVEY_TEST_REQUIRE_POSTGRES") == "1"
_pg_problem: str | None = None


def _postgres_available() -> str | None:
    """Return why PostgreSQL cannot be used, or None when it can."""
    global _pg_problem
    if _pg_problem is None:
        try:
            engine = create_engine(POSTGRES_URL)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_problem = ""
        except Exception as exc:  # noqa: BLE001 - any failure means "not available here"
            _pg_problem = f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}"
    return _pg_problem or None


@pytest.fixture(scope="session")
def postgres_database():
    """A database of this test run on the PostgreSQL server (dropped at the end), or a skip."""
    problem = _postgres_available()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(problem)
        pytest.skip(problem)
    name = f"survey_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class _PostgresSchema:
    """The session database's schema, built once; each test leaves it empty again for the next.

    Emptying is one round trip (``DELETE`` per table in reverse dependency order, sequences restarted): a
    few milliseconds where dropping and creating the schema took about 200. A test that changed the schema
    itself (migrations, ``drop_all``) shows a different fingerprint, and the schema is built again.
    """

    FINGERPRINT = text(
        "SELECT md5(coalesce((SELECT string_agg(table_name || '.' || column_name || ':' || data_type || ':'"
        " || is_nullable || ':' || coalesce(column_default, ''), ',' ORDER BY table_name, column_name)"
        " FROM information_schema.columns WHERE table_schema = 'public'), '')"
        " || coalesce((SELECT string_agg(indexdef, ',' ORDER BY indexdef) FROM pg_indexes"
        " WHERE schemaname = 'public'), ''))")

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url, poolclass=NullPool)
        self.build()

    def build(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.metadata.create_all(conn)
            sequences = conn.execute(text("SELECT sequence_name FROM information_schema.sequences"
                                          " WHERE sequence_schema = 'public'")).scalars().all()
            self.fingerprint = conn.execute(self.FINGERPRINT).scalar_one()
        self.empty = "; ".join([f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
                               + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences])

    def reset(self) -> None:
        """Empty every table, or build the schema again when a test changed it."""
        with self.engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '60s'"))  # a test's leftover transaction: fail, not hang
            same = conn.execute(self.FINGERPRINT).scalar_one() == self.fingerprint
            if same:
                conn.execute(text(self.empty))
        if not same:
            self.build()


@pytest.fixture(scope="session")
def postgres_schema(postgres_database):
    import survey_app.models  # noqa: F401 - every table in the metadata

    schema = _PostgresSchema(postgres_database)
    yield schema
    schema.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory):
    """An SQLite file holding the empty schema, built once and copied for each test."""
    import survey_app.models  # noqa: F401 - every table in the metadata

    path = tmp_path_factory.mktemp("schema") / "schema.db"
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    db.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def sqlite_path(tmp_path_factory) -> Path:
    """Where this test process's SQLite database lives (the same file for every test, refilled each time)."""
    return tmp_path_factory.mktemp("database") / "test.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    """The URL of a database holding the empty schema for one test: a fresh copy of the SQLite schema file, or
    the session's PostgreSQL database, emptied (or rebuilt) after the test."""
    if request.param == "sqlite":
        path = request.getfixturevalue("sqlite_path")
        for leftover in (path.with_name(path.name + suffix) for suffix in ("-journal", "-wal", "-shm")):
            leftover.unlink(missing_ok=True)
        fresh = path.with_name("fresh.db")
        shutil.copyfile(request.getfixturevalue("sqlite_schema"), fresh)
        os.replace(fresh, path)  # a connection a test left open keeps the old file, never a half-copied one
        yield f"sqlite:///{path}"
        return
    schema = request.getfixturevalue("postgres_schema")
    yield schema.url
    schema.reset()


class _ReusedApp:
    """One application per database of a test process, put back after each test as it was made: building
    one costs about 60 ms (Werkzeug compiles each of its 70 routes), a tenth of a short test.

    What a test may change is restored: the configuration, attributes set on the app, what it added to
    ``app.extensions`` (caches, the scan thread), and the rate limiter's storage, which lives on the shared
    ``limiter`` object (a test's other app may have pointed it elsewhere) and starts empty for each test.
    """

    def __init__(self, url: str):
        self.app = create_app(app_config(url))
        self.config = copy.deepcopy(dict(self.app.config))
        self.attributes = dict(vars(self.app))
        self.extensions = dict(self.app.extensions)

    def fresh(self) -> Flask:
        app = self.app
        app.config.clear()
        app.config.update(copy.deepcopy(self.config))
        for name in set(vars(app)) - set(self.attributes):
            delattr(app, name)
        for name, value in self.attributes.items():
            if getattr(app, name, None) is not value:
                setattr(app, name, value)
        app.extensions.clear()
        app.extensions.update(self.extensions)
        storage = storage_from_string("memory://")
        limiter._storage, limiter._limiter = storage, type(limiter._limiter)(storage)
        return app


_apps: dict[str, _ReusedApp] = {}


@pytest.fixture
def app(database_url):
    """The application on an empty database (one per database and test process, reset for each test)."""
    if database_url not in _apps:
        _apps[database_url] = _ReusedApp(database_url)
    app = _apps[database_url].fresh()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    """The application's context, pushed for the whole test (for tests that work below the web layer)."""
    with app.app_context():
        yield app


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """Argon2id at minimal cost in every test (production keeps the library's defaults, tested apart)."""
    from argon2 import PasswordHasher

    from survey_app.services import accounts

    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def redis_url(worker_id):
    """A Redis database of this test process's own (xdist workers flushing one database stall each other)."""
    url = urlsplit(os.environ.get("SURVEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    number = int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0
    return url._replace(path=f"/{int(url.path.strip('/') or 15) - number}").geturl()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def open_survey(app):
    """An open xa-ntm-2026 survey of two villages (3 + 2 households) with five issued codes."""
    return make_survey(app)
