"""Fixtures: an app per test on a fresh database, on SQLite and on PostgreSQL."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from survey_app import create_app
from survey_app.extensions import db

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


def _base_config(url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SURVEY_CODE_KEY": "test-household-code-key",
        "SURVEY_AUDIT_KEY": "test-audit-chain-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "SURVEY_PUBLIC_URL": "http://survey.test",
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The URL of an empty database for one test: an SQLite file, or a cleaned PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def app(database_url, tmp_path):
    """The application on a fresh schema."""
    app = create_app(_base_config(database_url, tmp_path))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


UNITS = os.path.join(os.path.dirname(__file__), "..", "survey_app", "data", "vn-units")
DEMO_COMMUNE = "21040"


def make_survey(app, *, template="xa-ntm-2026", villages=(("T01", "Thôn Một", 3), ("T02", "Thôn Hai", 2)),
                status="open", start=None, spare=0.0):
    """Create a survey of commune 21040 with issued codes; return (survey_id, [IssuedCode...])."""
    from survey_app.models import Commune, Province
    from survey_app.services.issuing import issue_codes
    from survey_app.services.surveys import create_survey, default_window_end, transition
    from survey_app.services.units import FrameRow

    with app.app_context():
        if db.session.get(Province, "51") is None:
            db.session.add(Province(code="51", name="Quảng Ngãi", full_name="Tỉnh Quảng Ngãi", type="Tỉnh"))
            db.session.add(Commune(code=DEMO_COMMUNE, name="Bình Sơn", full_name="Xã Bình Sơn", type="Xã",
                                   province_code="51"))
            db.session.flush()
        frame = [FrameRow(i, c, n, h) for i, (c, n, h) in enumerate(villages, 2)]
        survey = create_survey(template, DEMO_COMMUNE, frame, actor_name="test")
        if status in ("open", "closed", "published"):
            transition(survey, "open", actor_name="test")
        if start is not None:  # a survey of another time: its window, set as the database would hold it
            survey.start_date, survey.end_date = start, default_window_end(start)
        issued = issue_codes(survey, spare_share=spare, actor_name="test")
        if status in ("closed", "published"):
            transition(survey, "close", actor_name="test")
        if status == "published":
            transition(survey, "publish", actor_name="test")
        db.session.commit()
        return survey.id, issued


@pytest.fixture
def open_survey(app):
    """An open xa-ntm-2026 survey of two villages (3 + 2 households) with five issued codes."""
    return make_survey(app)
