"""Backups: ``flask backup create`` then ``flask backup restore`` gives back exactly what was saved."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Province, Response
from survey_app.ops.backup import BackupError, backup_dialect, restore_database
from tests.production.helpers import backend, row_counts
from tests.resident import full_answers


def _answer(client, issued, n: int) -> None:
    for item in issued[:n]:
        url = f"/s/{item.display}"
        assert client.post(url, data=full_answers(client.get(url).get_data(as_text=True))).status_code == 303


def _responses(app) -> list[tuple]:
    with app.app_context():
        query = select(Response.receipt, Response.submission_digest, Response.client_hash)
        return [tuple(r) for r in db.session.execute(query.order_by(Response.receipt))]


def test_backup_then_restore_gives_back_the_saved_state(app, client, runner, open_survey, tmp_path):
    _, issued = open_survey
    _answer(client, issued, 2)
    saved_counts, saved_responses = row_counts(app), _responses(app)
    out = tmp_path / "backups" / ("survey.dump" if backend(app) == "postgresql" else "survey.sqlite3")
    created = runner.invoke(args=["backup", "create", "--out", str(out)])
    assert created.exit_code == 0, created.output
    assert out.exists() and "sha256" in created.output
    assert (out.stat().st_mode & 0o777) == 0o600
    assert backup_dialect(out) == backend(app)
    # Life goes on after the backup: one more answer, a new province.
    _answer(client, issued[2:], 1)
    with app.app_context():
        db.session.add(Province(code="99", name="Thử", full_name="Tỉnh Thử", type="Tỉnh"))
        db.session.commit()
    assert row_counts(app) != saved_counts
    restored = runner.invoke(args=["backup", "restore", "--yes", str(out)])
    assert restored.exit_code == 0, restored.output
    assert row_counts(app) == saved_counts
    assert _responses(app) == saved_responses
    with app.app_context():
        assert db.session.get(Province, "99") is None
    # The restored database serves the resident path again.
    assert client.get(f"/s/{issued[0].display}").status_code == 409
    assert client.get(f"/s/{issued[3].display}").status_code == 200


def test_restore_refuses_a_file_that_is_no_backup_and_changes_nothing(app, runner, open_survey, tmp_path):
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"not a backup at all" * 10)
    before = row_counts(app)
    result = runner.invoke(args=["backup", "restore", "--yes", str(junk)])
    assert result.exit_code != 0 and "neither" in result.output
    assert row_counts(app) == before


def test_restore_refuses_a_backup_of_the_other_database(app, tmp_path):
    other = tmp_path / "other"
    if backend(app) == "postgresql":
        other.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    else:
        other.write_bytes(b"PGDMP" + b"\x00" * 100)
    with app.app_context(), pytest.raises(BackupError, match="backup; the configured database is"):
        restore_database(db.engine.url, other)


@pytest.mark.parametrize("kept", [2 / 3, 0.05])
def test_a_truncated_backup_restores_nothing_and_says_so(app, runner, open_survey, tmp_path, client, kept):
    _, issued = open_survey
    out = tmp_path / "full.dump"
    assert runner.invoke(args=["backup", "create", "--out", str(out)]).exit_code == 0
    _answer(client, issued, 1)
    before = row_counts(app)
    cut = tmp_path / "cut.dump"
    cut.write_bytes(out.read_bytes()[: int(out.stat().st_size * kept)])
    result = runner.invoke(args=["backup", "restore", "--yes", str(cut)])
    assert result.exit_code == 1 and "Error:" in result.output and "Traceback" not in result.output
    assert row_counts(app) == before
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Response)).scalar_one() == 1
