"""The audit chain is keyed (HMAC-SHA256 under SURVEY_AUDIT_KEY, outside the database): rewriting entries and
recomputing later hashes, or appending a forged entry, is caught; the app's database role may only insert
and read entries (PostgreSQL grants); views of paper phiếu are recorded."""
from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import ProgrammingError

from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.models._types import utcnow

from .accounts import login

LEGACY = "sha256"


def plain_sha256(entry: AuditEntry) -> str:
    """What an attacker without the key can compute: the chain's former plain SHA-256 of an entry."""
    payload = {"id": entry.id, "created_at": entry.created_at.isoformat(timespec="microseconds"),
               "actor_id": entry.actor_id, "actor_name": entry.actor_name, "action": entry.action,
               "survey_id": entry.survey_id, "details": entry.details, "prev_hash": entry.prev_hash}
    text_ = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text_.encode()).hexdigest()


def _has_scheme(app) -> bool:
    with app.app_context():
        return "scheme" in {c["name"] for c in inspect(db.engine).get_columns("audit_entry")}


def _rewrite_from(app, first_id: int, *, mark_legacy: bool) -> None:
    """Recompute every hash from ``first_id`` on with plain SHA-256, relinking the chain, as an attacker would."""
    legacy = mark_legacy and _has_scheme(app)
    with app.app_context():
        entries = db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        prev = None
        for entry in entries:
            if entry.id >= first_id:
                entry.prev_hash = prev if prev is not None else entry.prev_hash
                if legacy:
                    entry.scheme = LEGACY
                entry.entry_hash = plain_sha256(entry)
                db.session.flush()
            prev = entry.entry_hash
        db.session.commit()


def _verify(runner, *heads: str):
    return runner.invoke(args=["audit", "verify", *[arg for head in heads for arg in ("--head", head)]])


@pytest.mark.parametrize("mark_legacy", [False, True])
def test_an_altered_entry_with_every_later_hash_recomputed_is_caught(app, runner, scene, mark_legacy):
    with app.app_context():
        target = db.session.execute(select(AuditEntry).where(AuditEntry.action == "paper.enter")).scalar_one()
        target.details = target.details | {"serial": 99}
        target_id = target.id
        db.session.commit()
    _rewrite_from(app, target_id, mark_legacy=mark_legacy)
    result = _verify(runner)
    assert result.exit_code == 1 and "NOT intact" in result.output


@pytest.mark.parametrize("mark_legacy", [False, True])
def test_a_forged_entry_appended_at_the_end_is_caught(app, runner, scene, mark_legacy):
    assert _verify(runner).exit_code == 0
    with app.app_context():
        last = db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        forged = AuditEntry(id=last.id + 1, created_at=last.created_at, actor_id=None, actor_name="staff_commune",
                            action="survey.publish", survey_id=last.survey_id, details={},
                            prev_hash=last.entry_hash, entry_hash="0" * 64)
        if mark_legacy and _has_scheme(app):
            forged.scheme = LEGACY
        forged.entry_hash = plain_sha256(forged)
        db.session.add(forged)
        db.session.commit()
        forged_id = forged.id
    result = _verify(runner)
    assert result.exit_code == 1 and f"entry {forged_id}:" in result.output


def test_entries_hashed_under_a_guessed_key_are_caught(app, runner, scene):
    import hmac

    from survey_app.services import audit

    with app.app_context():
        entry = db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        entry.details = {"forged": True}
        entry.entry_hash = hmac.new(b"guess", audit.payload(entry).encode(), hashlib.sha256).hexdigest()
        db.session.commit()
        entry_id = entry.id
    result = _verify(runner)
    assert result.exit_code == 1 and f"entry {entry_id}: content does not match its hash" in result.output


def test_a_chain_from_before_the_key_is_sealed_by_the_first_keyed_entry(app, runner, world):
    """The migration story: entries hashed with plain SHA-256 before the upgrade keep their hashes (heads quoted
    in old manifests stay valid); the first keyed entry seals them, so rewriting them afterwards is caught."""
    from survey_app.services import audit

    with app.app_context():
        db.session.execute(text("DELETE FROM audit_entry"))
        prev = audit.GENESIS
        for n in range(1, 4):  # three entries as the former code wrote them
            entry = AuditEntry(id=n, created_at=utcnow(), actor_name="cli", action="survey.create",
                               details={"n": n}, prev_hash=prev, entry_hash="0" * 64, scheme=LEGACY)
            entry.entry_hash = plain_sha256(entry)
            db.session.add(entry)
            db.session.flush()
            prev = entry.entry_hash
        db.session.commit()
    unsealed = _verify(runner)
    assert unsealed.exit_code == 1 and "not sealed" in unsealed.output and "flask audit seal" in unsealed.output
    sealed = runner.invoke(args=["audit", "seal"])
    assert sealed.exit_code == 0 and "Sealed 3 entries" in sealed.output
    assert runner.invoke(args=["audit", "seal"]).output.startswith("Nothing to seal")
    quoted = prev
    intact = _verify(runner, quoted)
    assert intact.exit_code == 0 and "4 entries" in intact.output
    with app.app_context():  # rewrite the second legacy entry and every later legacy hash
        entry = db.session.get(AuditEntry, 2)
        entry.details = {"n": 20}
        db.session.commit()
    _rewrite_from(app, 2, mark_legacy=True)
    result = _verify(runner)
    assert result.exit_code == 1 and "NOT intact" in result.output


def test_an_unkeyed_entry_after_keyed_ones_is_caught(app, runner, scene):
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).order_by(AuditEntry.id).offset(2).limit(1)).scalar_one()
        entry.scheme = LEGACY
        db.session.commit()
        entry_id = entry.id
    result = _verify(runner)
    assert result.exit_code == 1 and f"entry {entry_id}: not keyed" in result.output


def test_another_key_is_named_as_such(app, runner, scene):
    app.config["SURVEY_AUDIT_KEY"] = "another-key-from-another-server-0000000"
    result = _verify(runner)
    assert result.exit_code == 1 and "sealed with another audit key" in result.output
    page = _page(app, "/staff/audit/verify")
    assert "khóa khác" in page


def _page(app, url: str) -> str:
    client = app.test_client()
    assert login(client, "auditor_province").status_code == 302
    return client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("head", ["xyz", "a" * 63, "g" * 64, "a" * 65, "' OR 1=1 --", "０" * 64])
def test_a_malformed_head_is_named_not_reported_as_tampering(app, runner, scene, head):
    result = _verify(runner, head)
    assert result.exit_code == 2 and "NOT intact" not in result.output
    assert "64 hexadecimal digits" in result.output
    page = _page(app, f"/staff/audit/verify?head={head}")
    assert "không phải mã băm" in page and "KHÔNG còn nguyên vẹn" not in page


@settings(max_examples=60)
@given(head=st.one_of(st.text(max_size=90), st.text(alphabet="0123456789abcdefABCDEF \t", min_size=60, max_size=70)))
@example(head="\x00")
def test_whatever_is_typed_as_a_head_is_a_head_or_named_malformed(app, runner, world, head):
    """Generated heads: the chain is intact, so a head is either found, unknown (missing) or malformed;
    never a server error, and a malformed one is never reported as tampering."""
    from survey_app.services import audit

    client = app.test_client()
    assert login(client, "auditor_province").status_code == 302
    page = client.get("/staff/audit/verify", query_string={"head": head})
    if "\x00" in head:  # a NUL in any request is refused app-wide with a 400 page, never a server error
        assert page.status_code == 400
        return
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    result = _verify(runner, head) if head.strip() and "\x00" not in head else None
    if audit.is_head(head):
        assert "không phải mã băm" not in html
        assert result is None or result.exit_code in (0, 1)
    elif head.strip()[:200]:
        assert "không phải mã băm" in html and "KHÔNG còn nguyên vẹn" not in html
        assert result is None or result.exit_code == 2


def test_a_well_formed_head_in_capitals_is_accepted(app, runner, scene):
    with app.app_context():
        head = db.session.execute(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc())).scalars().first()
    assert _verify(runner, head.upper()).exit_code == 0


def test_without_the_key_verification_says_what_is_missing(app, runner, scene, tmp_path):
    app.config["SURVEY_AUDIT_KEY"] = None
    app.instance_path = str(tmp_path / "empty-instance")
    result = _verify(runner)
    assert result.exit_code == 1 and "no audit key" in result.output
    assert not (tmp_path / "empty-instance").exists()  # verifying never makes a key


def test_views_of_paper_phieu_are_recorded(app, as_user, scene):
    client = as_user("auditor_province")
    sid, bid, rid = scene["sid"], scene["bid"], scene["rid"]
    assert client.get(f"/staff/surveys/{sid}/paper/{bid}/report").status_code == 200
    assert client.get(f"/staff/surveys/{sid}/responses/{rid}").status_code == 200
    with app.app_context():
        rows = db.session.execute(select(AuditEntry).where(AuditEntry.action == "paper.view")
                                  .order_by(AuditEntry.id)).scalars().all()
        seen = [(e.actor_name, e.survey_id, e.details) for e in rows]
    assert seen == [("auditor_province", sid, {"batch": bid}), ("auditor_province", sid, {"response": rid})]


@pytest.mark.parametrize(("config", "expected"), [
    ({}, "SURVEY_AUDIT_KEY unset"),
    ({"SURVEY_AUDIT_KEY": "short"}, "shorter than 32"),
    ({"SURVEY_AUDIT_KEY": "c" * 64, "SURVEY_CODE_KEY": "c" * 64}, "same as another key"),
    ({"SURVEY_AUDIT_KEY": "a" * 64, "SURVEY_CODE_KEY": "c" * 64}, None),
])
def test_a_production_worker_warns_about_the_audit_key(config, expected):
    from survey_app.ops.checks import production_problems

    _fatal, warnings = production_problems({"SECRET_KEY": "k" * 64} | config)
    found = [w for w in warnings if "SURVEY_AUDIT_KEY" in w]
    assert (found and expected in found[0]) if expected else not found


# PostgreSQL: the app's role may insert and read audit entries, never change or remove them.

@pytest.fixture
def app_role(app):
    """A throw-away role given the app's grants (``flask audit grants``), dropped afterwards."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    role = f"survey_app_test_{uuid.uuid4().hex[:8]}"
    with app.app_context():
        db.session.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
        # the migrations' table, which db.create_all() does not make
        db.session.execute(text("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)"))
        db.session.commit()
    yield role
    with app.app_context():
        db.session.rollback()
        db.session.execute(text("DROP TABLE alembic_version"))
        db.session.execute(text(f'DROP OWNED BY "{role}"'))
        db.session.execute(text(f'DROP ROLE "{role}"'))
        db.session.commit()


@pytest.mark.postgres
def test_the_app_role_may_insert_and_read_audit_entries_but_never_change_them(app, runner, scene, app_role):
    from survey_app.services import audit

    shown = runner.invoke(args=["audit", "grants", "--role", app_role])
    assert shown.exit_code == 0
    assert f'REVOKE UPDATE, DELETE, TRUNCATE ON TABLE "public"."audit_entry" FROM "{app_role}";' in shown.output
    applied = runner.invoke(args=["audit", "grants", "--role", app_role, "--apply"])
    assert applied.exit_code == 0, applied.output
    assert runner.invoke(args=["audit", "grants", "--role", app_role, "--apply"]).exit_code == 0  # idempotent
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url)
    refused = {}
    try:
        for name, statement in {
            "update": "UPDATE audit_entry SET actor_name = 'x'",
            "delete": "DELETE FROM audit_entry",
            "truncate": "TRUNCATE audit_entry",
            "update_version": "UPDATE alembic_version SET version_num = 'x'",
        }.items():
            with engine.connect() as conn:
                conn.execute(text(f'SET ROLE "{app_role}"'))
                try:
                    conn.execute(text(statement))
                    refused[name] = False
                except ProgrammingError as error:
                    refused[name] = "permission denied" in str(error.orig)
                conn.rollback()
    finally:
        engine.dispose()
    assert refused == {"update": True, "delete": True, "truncate": True, "update_version": True}
    with app.app_context():  # the app's own work goes on under the role: an entry appended, a survey changed
        db.session.execute(text(f'SET LOCAL ROLE "{app_role}"'))
        audit.record("test.entry", actor_name="test")
        db.session.execute(text("UPDATE survey SET title = title"))
        db.session.commit()
    assert _verify(runner).exit_code == 0


def test_grants_refuse_a_role_name_that_is_not_an_identifier(runner, app):
    result = runner.invoke(args=["audit", "grants", "--role", 'x"; DROP TABLE survey; --'])
    assert result.exit_code == 2 and "DROP TABLE" not in result.output.split("Error")[0]
