"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from survey_app import create_app
from survey_app.extensions import db


def test_upgrade_matches_models_and_downgrade_empties(database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SURVEY_CODE_KEY": "k", "TESTING": True})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], diff
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()
