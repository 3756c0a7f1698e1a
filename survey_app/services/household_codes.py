"""Household codes: generation, normalisation, and how they are kept (see docs/codes.md).

A code is 10 symbols from an alphabet without look-alikes (no 0/O, 1/I/L): 31^10 ≈ 2^49.5.
The database keeps only an HMAC of the code (for look-up) and the code sealed with AES-GCM (for
re-printing a slip), both under the household-code keyring (survey_app/keys), which never enters the
database: SURVEY_CODE_KEY (older keys in SURVEY_CODE_KEY_FALLBACKS) or, failing that,
``instance/household-code.key`` (made at start-up or by ``flask keys create``, mode 0600, primary first).
Someone who reads the database but does not hold that key can neither find nor use a household's code.
The key is separate from SURVEY_SECRET_KEY so that rotating the session secret never invalidates slips, and
rotating the code key (``flask keys rotate``) keeps the old keys, so issued codes keep working.
"""
from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import select

from .. import keys
from ..extensions import db
from ..models import HouseholdCode

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
GROUPS = (4, 4, 2)
#: Purposes of the household-code key (survey_app/keys derives one key per purpose).
LOOKUP, SEAL = "household-code:lookup", "household-code:seal"
#: Associated data of codes sealed before the keyring (read only: survey_app/keys/ring.py, "Legacy format").
LEGACY_AAD = b"household-code"
#: Hashes per query when looking for codes stored under older keys (under SQLite's bound-parameter limit).
QUERY_CHUNK = 5000
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def generate_code() -> str:
    """Return a new random code in canonical form (upper case, no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(text: str) -> str | None:
    """Return the canonical form of a typed code, or None if it cannot be a code."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -_.").translate(_LOOKALIKES)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def display(code: str) -> str:
    """Group a canonical code for reading: ``K7PX-3MQD-9T``."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(code[start : start + size])
        start += size
    return "-".join(parts)


def _ring() -> keys.Keyring:
    return keys.keyring(keys.HOUSEHOLD_CODES)


def lookup_hash(code: str) -> str:
    """Keyed hash of a canonical code under the primary key: the form in which a new code is searchable."""
    return _ring().mac(LOOKUP, code.encode())


def lookup_hashes(code: str) -> list[str]:
    """The keyed hashes a stored code may have: under every key of the ring, in the current and the legacy
    derivation (rows issued before a rotation, or before the keyring, until ``flask keys reseal``)."""
    return _ring().macs(LOOKUP, code.encode(), legacy=True)


def lookup_clause(code: str):
    """The WHERE clause that finds a canonical code's row, whichever key its hash was made under."""
    return HouseholdCode.lookup_hash.in_(lookup_hashes(code))


def stored_under_older_keys(codes: list[str]) -> set[str]:
    """The codes among ``codes`` already stored with a hash under an older key or the legacy derivation:
    clashes that the unique index on the primary key's hash cannot see (until ``flask keys reseal``)."""
    ring = _ring()
    owner = {digest: code for code in codes for digest in ring.macs(LOOKUP, code.encode(), legacy=True)[1:]}
    digests, found = list(owner), set()
    for start in range(0, len(digests), QUERY_CHUNK):
        found.update(db.session.execute(select(HouseholdCode.lookup_hash).where(
            HouseholdCode.lookup_hash.in_(digests[start:start + QUERY_CHUNK]))).scalars())
    return {owner[digest] for digest in found}


def seal(code: str) -> bytes:
    """Encrypt a code under the primary key so that staff can print its slip again."""
    return _ring().seal(SEAL, code.encode())


def unseal(blob: bytes) -> str:
    """Decrypt a sealed code (any key of the ring; the legacy format too): ``keys.Unreadable`` if altered."""
    return _ring().open(SEAL, blob, legacy_aad=LEGACY_AAD).decode()


def resealed(blob: bytes) -> tuple[str, bytes] | None:
    """The lookup hash and sealed copy of a stored code under the primary key, or None when it is already
    there (``keys.Unreadable`` when it does not open). The code itself, printed on the slip, never changes."""
    if not _ring().needs_reseal(SEAL, blob, legacy_aad=LEGACY_AAD):
        return None
    code = unseal(blob)
    return lookup_hash(code), seal(code)


def household_url(code: str) -> str:
    """The link printed as a QR code on the slip."""
    return f"{current_app.config['SURVEY_PUBLIC_URL'].rstrip('/')}/s/{display(code)}"
