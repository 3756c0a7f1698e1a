"""survey_app/keys: one framing for every sealed value, key ids, rotation, the legacy household-code format,
and key files made at start-up, never while a request is served."""
from __future__ import annotations

import base64
import logging
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_app import create_app, keys
from survey_app.extensions import db
from survey_app.services import household_codes

OLD, NEW = b"old-secret", b"new-secret"
PURPOSE = "household-code:seal"
#: Sealed by the code before survey_app/keys (household_codes.seal with SURVEY_CODE_KEY =
#: "test-household-code-key", the tests' key), with its lookup hash: a deployment's existing rows.
LEGACY_CODE = "K7PX3MQD9T"
LEGACY_HASH = "5c749c0325e3b538511afe149678d0fd5a1a611dba22918dc3d2c0b1ff6565c1"
LEGACY_SEALED = bytes.fromhex("746790f2dfbd26f3ac67b957c5aca91697f7906086dd6b0ab4524188662672cbd2b481e65180")


def test_a_value_sealed_before_a_rotation_opens_after_it():
    before = keys.Keyring([OLD]).seal(PURPOSE, b"K7PX3MQD9T")
    rotated = keys.Keyring([NEW, OLD])
    assert rotated.open(PURPOSE, before) == b"K7PX3MQD9T"
    assert rotated.needs_reseal(PURPOSE, before)
    again = rotated.seal(PURPOSE, b"K7PX3MQD9T")
    assert again[:5] == keys.VERSION + rotated.primary.kid and not rotated.needs_reseal(PURPOSE, again)
    with pytest.raises(keys.Unreadable):  # the old key dropped: what it sealed no longer opens
        keys.Keyring([NEW]).open(PURPOSE, before)


def test_each_purpose_has_its_own_key_and_hashes_are_found_under_every_key():
    ring = keys.Keyring([NEW, OLD])
    with pytest.raises(keys.Unreadable):
        ring.open("api-token-shown-once", ring.seal(PURPOSE, b"x"))
    old_hash = keys.Keyring([OLD]).mac("household-code:lookup", b"K7PX3MQD9T")
    assert ring.mac("household-code:lookup", b"K7PX3MQD9T") != old_hash
    assert old_hash in ring.macs("household-code:lookup", b"K7PX3MQD9T")


def test_the_same_key_twice_is_refused():
    with pytest.raises(keys.KeyringError):
        keys.Keyring([OLD, OLD])


def test_codes_sealed_by_the_old_code_still_open_and_are_found():
    ring = keys.Keyring([b"test-household-code-key"])
    assert ring.open(PURPOSE, LEGACY_SEALED, legacy_aad=household_codes.LEGACY_AAD).decode() == LEGACY_CODE
    assert ring.needs_reseal(PURPOSE, LEGACY_SEALED, legacy_aad=household_codes.LEGACY_AAD)
    assert LEGACY_HASH in ring.macs("household-code:lookup", LEGACY_CODE.encode(), legacy=True)
    assert LEGACY_HASH not in ring.macs("household-code:lookup", LEGACY_CODE.encode())
    with pytest.raises(keys.Unreadable):  # only where the caller asks for the legacy format
        ring.open(PURPOSE, LEGACY_SEALED)


RING = keys.Keyring([NEW, b"test-household-code-key"])
SEALED = RING.seal(PURPOSE, b"K7PX3MQD9T")


@given(blob=st.sampled_from([SEALED, LEGACY_SEALED]), position=st.integers(0, 200), bit=st.integers(0, 7))
def test_a_tampered_sealed_value_is_refused(blob, position, bit):
    altered = bytearray(blob)
    altered[position % len(blob)] ^= 1 << bit
    with pytest.raises(keys.Unreadable):
        RING.open(PURPOSE, bytes(altered), legacy_aad=household_codes.LEGACY_AAD)


@given(blob=st.sampled_from([SEALED, LEGACY_SEALED]), cut=st.integers(1, 60), junk=st.binary(max_size=80))
def test_a_truncated_extended_or_made_up_value_is_refused(blob, cut, junk):
    for candidate in [blob[:-cut], junk] + ([blob + junk] if junk else []):
        with pytest.raises(keys.Unreadable):
            RING.open(PURPOSE, candidate, legacy_aad=household_codes.LEGACY_AAD)


@given(text=st.one_of(st.none(), st.text(max_size=60), st.binary(max_size=60).map(
    lambda b: base64.urlsafe_b64encode(b).decode())))
def test_a_made_up_session_value_opens_to_nothing(text):
    assert keys.open_text(RING, "api-token-shown-once", text) is None


def test_aes_gcm_is_written_once():
    """The framing lives in survey_app/keys/ring.py only (it was written twice, in results/tokens.py and
    services/household_codes.py)."""
    root = Path(keys.__file__).parent.parent
    users = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                   if "migrations" not in p.parts and re.search(r"\bAESGCM\b|\bhazmat\b", p.read_text()))
    assert users == ["keys/ring.py"]


# Key files: made when the app starts or by `flask keys create`, never while a request is served.

def _production(database_url: str) -> dict:
    """A production configuration without the household-code and audit keys (they live in instance/)."""
    return {"SECRET_KEY": "s" * 64, "SQLALCHEMY_DATABASE_URI": database_url, "SURVEY_CODE_KEY": None,
            "SURVEY_AUDIT_KEY": None, "SURVEY_LOG_REQUESTS": False}


def test_the_app_makes_missing_key_files_when_it_starts(database_url, tmp_path):
    instance = tmp_path / "instance"
    app = create_app(_production(database_url), instance_path=str(instance))
    files = {name: (instance / name) for name in ("household-code.key", "audit-chain.key")}
    assert all(path.exists() for path in files.values())
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files.values())
    made = {name: path.read_text() for name, path in files.items()}
    create_app(_production(database_url), instance_path=str(instance))  # a second worker keeps the keys
    assert {name: path.read_text() for name, path in files.items()} == made
    with app.app_context():
        assert household_codes.lookup_hash(LEGACY_CODE) == keys.Keyring(
            [made["household-code.key"].strip().encode()]).mac("household-code:lookup", LEGACY_CODE.encode())
    result = app.test_cli_runner().invoke(args=["keys", "create"])
    assert result.exit_code == 0 and "Created" not in result.output
    assert all(value.strip() not in result.output for value in made.values())  # ids only, never a key
    assert keys.Keyring([made["audit-chain.key"].strip().encode()]).primary.kid.hex() in result.output


@pytest.mark.parametrize("missing", ["household-code.key", "audit-chain.key"])
def test_a_request_without_its_key_fails_clearly_and_writes_none(database_url, tmp_path, missing, caplog):
    instance = tmp_path / "instance"
    app = create_app(_production(database_url), instance_path=str(instance))
    with app.app_context():
        db.create_all()
    (instance / missing).unlink()  # removed after start-up (or never restored from the backup)
    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        if missing == "household-code.key":  # a resident opens a slip: the code's hash needs the key
            response = client.get("/s/K7PX-3MQD-9T")
        else:  # a failed login is recorded in the audit chain, whose hash needs the key
            page = client.get("/staff/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            response = client.post("/staff/login", data={"csrf_token": token, "username": "nobody",
                                                          "password": "wrong-password-1"})
    assert response.status_code == 500
    assert not (instance / missing).exists()
    assert f"{missing} does not exist" in caplog.text and "flask keys create" in caplog.text
    result = app.test_cli_runner().invoke(args=["keys", "create"])
    assert result.exit_code == 0 and f"Created {instance / missing}" in result.output
    assert (instance / missing).exists()
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.mark.parametrize(("config", "expected"), [
    ({"SURVEY_CODE_KEY": "k" * 64, "SURVEY_CODE_KEY_FALLBACKS": ["o" * 64]}, None),
    ({"SURVEY_CODE_KEY_FALLBACKS": ["o" * 64]}, "SURVEY_CODE_KEY_FALLBACKS is set without SURVEY_CODE_KEY"),
    ({"SURVEY_CODE_KEY": "k" * 64, "SURVEY_CODE_KEY_FALLBACKS": {"o": 1}}, "must be a list of keys"),
    ({"SURVEY_CODE_KEY": "k" * 64, "SURVEY_CODE_KEY_FALLBACKS": ["k" * 64]}, "the same key appears twice"),
    ({"SURVEY_AUDIT_KEY_FALLBACKS": ["o" * 64]}, "SURVEY_AUDIT_KEY_FALLBACKS is set without SURVEY_AUDIT_KEY"),
])
def test_a_production_worker_refuses_unusable_key_settings(config, expected):
    from survey_app.ops.checks import production_problems

    fatal, _warnings = production_problems({"SECRET_KEY": "s" * 64} | config)
    assert [p for p in fatal if "KEY" in p and "SECRET" not in p] == ([] if expected is None else [
        next(p for p in fatal if expected in p)])
