"""Deleting a draft created by mistake: only a draft with no household code, audited, from the console or the CLI;
and on PostgreSQL, a deletion racing with the issue of codes ends one way or the other, never half."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEntry, FrameVillage, HouseholdCode, Survey, Village

from ..factories import make_survey
from .accounts import token

pytestmark = pytest.mark.usefixtures("planning_day")


def _draft(app, world) -> int:
    """A draft of the home commune with two villages and no code."""
    from survey_app.services.surveys import create_survey
    from survey_app.services.units import FrameRow

    with app.app_context():
        survey = create_survey("xa-ntm-2026", "21040", [FrameRow(2, "T01", "Thôn Một", 30),
                                                        FrameRow(3, "T02", "Thôn Hai", 20)], actor_name="test")
        db.session.commit()
        return survey.id


def _count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.execute(query).scalar_one()


def _delete(client, survey_id: int, confirm: bool = True):
    data = {"csrf_token": token(client)} | ({"confirm": "y"} if confirm else {})
    return client.post(f"/staff/surveys/{survey_id}/delete", data=data, follow_redirects=True)


def test_a_draft_without_codes_is_deleted_from_its_page(app, as_user, world):
    from survey_app.services import audit

    survey_id = _draft(app, world)
    client = as_user("staff_commune")
    page = client.get(f"/staff/surveys/{survey_id}").get_data(as_text=True)
    assert "Xóa bản nháp" in page and f'action="/staff/surveys/{survey_id}/delete"' in page
    unconfirmed = _delete(client, survey_id, confirm=False)
    assert "Hãy đánh dấu ô xác nhận" in unconfirmed.get_data(as_text=True)
    assert _count(app, Survey) == 1
    deleted = _delete(client, survey_id)
    assert deleted.status_code == 200 and "Đã xóa bản nháp" in deleted.get_data(as_text=True)
    assert _count(app, Survey) == 0 and _count(app, FrameVillage) == 0
    assert _count(app, Village) == 2  # the commune's own list of villages stays
    assert client.get(f"/staff/surveys/{survey_id}").status_code == 404
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "survey.delete")).scalar_one()
        assert entry.survey_id == survey_id and entry.actor_name == "staff_commune"
        assert entry.details["villages"] == 2 and entry.details["households"] == 50
        assert entry.details["unit"] == "21040" and entry.details["template"] == "xa-ntm-2026"
        assert audit.verify()[1] == []


def test_a_deleted_drafts_id_is_never_given_again(app, as_user, world):
    first = _draft(app, world)
    _delete(as_user("staff_commune"), first)
    assert _count(app, Survey) == 0
    assert _draft(app, world) > first  # its audit entries keep pointing at the deleted draft alone


def test_a_draft_with_codes_is_not_deleted(app, as_user, world):
    from survey_app.services.issuing import issue_codes

    survey_id = _draft(app, world)
    with app.app_context():
        issue_codes(db.session.get(Survey, survey_id), spare_share=0, actor_name="test")
        db.session.commit()
    client = as_user("staff_commune")
    page = client.get(f"/staff/surveys/{survey_id}").get_data(as_text=True)
    assert "đã phát 50 mã hộ" in page and f"/staff/surveys/{survey_id}/delete" not in page
    refused = _delete(client, survey_id).get_data(as_text=True)
    assert "Bản nháp đã phát 50 mã hộ" in refused and "không xóa được" in refused
    assert _count(app, Survey) == 1 and _count(app, HouseholdCode) == 50
    assert _count(app, AuditEntry, action="survey.delete") == 0


@pytest.mark.parametrize(("status", "message"), [
    ("open", "Chỉ xóa được đợt khảo sát còn là bản nháp."),
    ("closed", "Chỉ xóa được đợt khảo sát còn là bản nháp."),
    ("published", "Đợt khảo sát đã công bố kết quả"),
])
def test_only_a_draft_is_deleted(app, as_user, world, status, message):
    survey_id, _issued = make_survey(app, status=status, start=None)
    client = as_user("admin")
    page = client.get(f"/staff/surveys/{survey_id}").get_data(as_text=True)
    assert f"/staff/surveys/{survey_id}/delete" not in page
    assert message in _delete(client, survey_id).get_data(as_text=True)
    assert _count(app, Survey) == 1


@pytest.mark.parametrize(("account", "status"), [("auditor_province", 403), ("staff_elsewhere", 403), (None, 302)])
def test_no_one_out_of_scope_deletes(app, as_user, world, account, status):
    survey_id = _draft(app, world)
    client = as_user(account)
    answer = client.post(f"/staff/surveys/{survey_id}/delete", data={"csrf_token": token(client), "confirm": "y"})
    assert answer.status_code == status
    assert _count(app, Survey) == 1


def test_the_command_line_deletes_a_draft_after_asking(app, runner, world):
    survey_id = _draft(app, world)
    kept = runner.invoke(args=["survey", "delete", str(survey_id)], input="n\n")
    assert kept.exit_code == 1 and "Aborted" in kept.output and _count(app, Survey) == 1
    done = runner.invoke(args=["survey", "delete", str(survey_id)], input="y\n")
    assert done.exit_code == 0 and f"Deleted draft survey {survey_id}" in done.output
    assert _count(app, Survey) == 0 and _count(app, AuditEntry, action="survey.delete", actor_name="cli") == 1


def test_the_command_line_refuses_what_is_not_a_deletable_draft(app, runner, world):
    open_id, _issued = make_survey(app, status="open")
    refused = runner.invoke(args=["survey", "delete", str(open_id), "--yes"])
    assert refused.exit_code == 1 and "Chỉ xóa được đợt khảo sát còn là bản nháp." in refused.output
    missing = runner.invoke(args=["survey", "delete", "999", "--yes"])
    assert missing.exit_code != 0 and "No survey with id 999" in missing.output
    assert _count(app, Survey) == 1


TRIES = 12


@pytest.mark.postgres
def test_deleting_while_codes_are_issued_ends_one_way_or_the_other(app, world):
    """Staff A deletes a draft while staff B issues its codes, again and again: either the draft is gone and no
    code exists, or the codes exist and the deletion was refused; each loser gets a clear refusal, not a 500."""
    from survey_app.errors import StateError
    from survey_app.services.drafts import delete_draft
    from survey_app.services.issuing import issue_codes

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite lets one writer at a time")
    outcomes = []
    for _try in range(TRIES):
        survey_id = _draft(app, world)
        barrier = threading.Barrier(2, timeout=30)
        results: dict[str, str] = {}

        def run(name: str, action) -> None:
            with app.app_context():
                try:
                    survey = db.session.get(Survey, survey_id)
                    barrier.wait()
                    action(survey)
                    db.session.commit()
                    results[name] = "done"
                except StateError as exc:
                    db.session.rollback()
                    results[name] = f"refused: {exc}"
                except Exception as exc:  # noqa: BLE001 - reported by the assertions below
                    db.session.rollback()
                    results[name] = f"{type(exc).__name__}: {exc}"
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=run, args=("delete", lambda s: delete_draft(s, actor_name="a"))),
                   threading.Thread(target=run, args=("issue", lambda s: issue_codes(s, spare_share=0,
                                                                                     actor_name="b")))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        exists, codes = _count(app, Survey, id=survey_id), _count(app, HouseholdCode, survey_id=survey_id)
        assert (results["delete"], results["issue"]).count("done") == 1, results
        assert all(r == "done" or r.startswith("refused") for r in results.values()), results
        assert (exists, codes) == ((0, 0) if results["delete"] == "done" else (1, 50)), (results, exists, codes)
        outcomes.append("deleted" if results["delete"] == "done" else "issued")
    assert len(outcomes) == TRIES
