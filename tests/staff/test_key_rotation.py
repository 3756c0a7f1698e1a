"""Rotating the household-code key (`flask keys rotate`, `flask keys reseal`): issued slips keep their meaning,
stored codes move to the new key in batches, codes sealed by the code before the keyring still work."""
from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from survey_app import keys
from survey_app.extensions import db
from survey_app.models import AuditEntry, HouseholdCode, Survey
from survey_app.services import audit, household_codes
from survey_app.services.issuing import issue_codes, reprint
from survey_app.services.responses import find_code

from ..factories import make_survey
from ..test_keys import LEGACY_CODE, LEGACY_HASH, LEGACY_SEALED


@pytest.fixture
def file_keys(app, tmp_path):
    """The household-code key in instance/household-code.key instead of SURVEY_CODE_KEY."""
    app.config["SURVEY_CODE_KEY"] = None
    app.instance_path = str(tmp_path / "instance")
    assert keys.create_missing(app) == [tmp_path / "instance" / "household-code.key"]
    return tmp_path / "instance" / "household-code.key"


def _rows(app, survey_id: int) -> dict[int, tuple[str, bytes]]:
    with app.app_context():
        return {row.id: (row.lookup_hash, row.sealed_code) for row in db.session.execute(
            select(HouseholdCode).where(HouseholdCode.survey_id == survey_id)).scalars()}


def _found(app, survey_id: int, codes: list[str]) -> list[int | None]:
    """The row each code finds (as a resident types it), and check that the slips reprint unchanged."""
    with app.app_context():
        assert sorted(slip.code for slip in reprint(db.session.get(Survey, survey_id))) == sorted(codes)
        return [getattr(find_code(household_codes.display(code)), "id", None) for code in codes]


def _primary_kid(app) -> bytes:
    with app.app_context():
        return keys.keyring(keys.HOUSEHOLD_CODES).primary.kid


def test_rotate_keeps_issued_codes_and_reseals_them_in_batches(app, runner, client, file_keys):
    survey_id, issued = make_survey(app)
    codes = [slip.code for slip in issued]
    with app.app_context():
        sealed_before = household_codes.seal(codes[0])
    before, ids = _rows(app, survey_id), _found(app, survey_id, codes)
    old_key = file_keys.read_text()

    result = runner.invoke(args=["keys", "rotate", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "Re-sealed 5 of 5 household codes" in result.output and "4 codes read" in result.output
    lines = file_keys.read_text().splitlines()
    assert len(lines) == 2 and lines[1] == old_key.strip() and lines[0] != lines[1]
    with app.app_context():
        assert household_codes.unseal(sealed_before) == codes[0]  # sealed before the rotation, opened after
    after = _rows(app, survey_id)
    assert all(after[i][0] != before[i][0] and after[i][1][1:5] == _primary_kid(app) for i in before)
    assert _found(app, survey_id, codes) == ids
    assert client.get(f"/s/{household_codes.display(codes[1])}").status_code == 200

    again = runner.invoke(args=["keys", "reseal"])
    assert again.exit_code == 0 and "Re-sealed 0 of 5" in again.output and _rows(app, survey_id) == after
    file_keys.write_text(lines[0] + "\n")  # the old key retired: nothing needs it any more
    assert _found(app, survey_id, codes) == ids
    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action).where(AuditEntry.action.like("keys.%"))
                                     .order_by(AuditEntry.id)).scalars().all()
        assert actions == ["keys.rotate", "keys.reseal", "keys.reseal"]
        assert audit.verify()[1] == []


def test_rotate_without_reseal_leaves_rows_that_still_open(app, runner, file_keys):
    survey_id, issued = make_survey(app)
    before = _rows(app, survey_id)
    result = runner.invoke(args=["keys", "rotate", "--no-reseal"])
    assert result.exit_code == 0 and "Re-sealed" not in result.output
    assert _rows(app, survey_id) == before
    assert None not in _found(app, survey_id, [slip.code for slip in issued])


def _add_legacy_row(app, survey_id: int) -> int:
    """A row as the code before the keyring stored it (hash and sealed copy under the tests' key)."""
    with app.app_context():
        frame_village_id = db.session.execute(select(HouseholdCode.frame_village_id)
                                              .where(HouseholdCode.survey_id == survey_id)).scalars().first()
        row = HouseholdCode(survey_id=survey_id, frame_village_id=frame_village_id, serial=99,
                            lookup_hash=LEGACY_HASH, sealed_code=LEGACY_SEALED)
        db.session.add(row)
        db.session.commit()
        return row.id


def test_codes_stored_before_the_keyring_are_found_reprinted_and_resealed(app, runner, client):
    survey_id, issued = make_survey(app)
    legacy_id = _add_legacy_row(app, survey_id)
    codes = [slip.code for slip in issued] + [LEGACY_CODE]
    assert _found(app, survey_id, codes)[-1] == legacy_id
    assert client.get("/s/k7px-3mqd-9t").status_code == 200
    result = runner.invoke(args=["keys", "reseal", "--batch-size", "4"])
    assert result.exit_code == 0 and "Re-sealed 1 of 6 household codes (5 already" in result.output
    hashed, sealed = _rows(app, survey_id)[legacy_id]
    assert hashed != LEGACY_HASH and sealed[1:5] == _primary_kid(app)
    assert _found(app, survey_id, codes)[-1] == legacy_id


def test_rotation_through_the_settings(app, runner):
    survey_id, issued = make_survey(app)
    codes = [slip.code for slip in issued]
    refused = runner.invoke(args=["keys", "rotate"])
    assert refused.exit_code == 1 and "SURVEY_CODE_KEY_FALLBACKS" in refused.output
    ids = _found(app, survey_id, codes)
    app.config.update(SURVEY_CODE_KEY="a-new-household-code-key",
                      SURVEY_CODE_KEY_FALLBACKS=["test-household-code-key"])
    assert _found(app, survey_id, codes) == ids  # every server reloaded with the new key first
    result = runner.invoke(args=["keys", "reseal"])
    assert result.exit_code == 0 and "Re-sealed 5 of 5" in result.output
    app.config["SURVEY_CODE_KEY_FALLBACKS"] = []
    assert _found(app, survey_id, codes) == ids


def test_a_code_that_opens_under_no_key_is_reported_and_left_alone(app, runner):
    survey_id, _issued = make_survey(app)
    before = _rows(app, survey_id)
    app.config.update(SURVEY_CODE_KEY="a-new-household-code-key", SURVEY_CODE_KEY_FALLBACKS=[])
    result = runner.invoke(args=["keys", "reseal"])
    assert result.exit_code == 1 and "5 code(s) open under no key" in result.output
    assert _rows(app, survey_id) == before


def test_a_new_code_never_repeats_one_stored_under_an_older_key(app, monkeypatch):
    """The unique index compares hashes under the primary key only; a code stored under an older key (or
    before the keyring) is drawn again rather than issued twice."""
    survey_id, _issued = make_survey(app, villages=(("T01", "Thôn Một", 1),))
    _add_legacy_row(app, survey_id)
    drawn = itertools.chain([LEGACY_CODE], iter(household_codes.generate_code, None))
    monkeypatch.setattr(household_codes, "generate_code", lambda: next(drawn))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        survey.frame[0].households = 4  # one issued, the legacy row, two to issue
        issue_codes(survey, spare_share=0, actor_name="test")
        db.session.commit()
        codes = [household_codes.unseal(blob) for blob in db.session.execute(
            select(HouseholdCode.sealed_code).where(HouseholdCode.survey_id == survey_id)).scalars()]
    assert len(codes) == 4 and codes.count(LEGACY_CODE) == 1
