"""Migration 0008: surveys created before it were counted leaving out public holidays, and stay marked so."""
from __future__ import annotations

import flask_migrate
from sqlalchemy import text

from survey_app import create_app
from survey_app.extensions import db

INSERT = text("INSERT INTO survey (template_key, template_version, template, rules, title, unit_code, unit_level, "
              "start_date, end_date, status, created_at) VALUES ('xa-ntm-2026', 1, '{}', '[]', :title, '21040', "
              "'commune', '2027-01-25', '2027-02-26', 'draft', '2026-12-01 00:00:00+00:00')")


def test_existing_surveys_keep_their_counting_and_new_ones_follow_the_text(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SURVEY_CODE_KEY": "k", "TESTING": True})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade(revision="0007")
        with db.engine.begin() as conn:
            conn.execute(INSERT, {"title": "before"})
        flask_migrate.upgrade(revision="0008")
        with db.engine.begin() as conn:
            conn.execute(INSERT, {"title": "after"})  # a row written without the column: the default
            rows = dict(conn.execute(text("SELECT title, skip_holidays FROM survey")).all())
        assert rows == {"before": True, "after": False}
        flask_migrate.downgrade(revision="0007")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM survey")).scalar() == 2
        flask_migrate.downgrade(revision="base")
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()
