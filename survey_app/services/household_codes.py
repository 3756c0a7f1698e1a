"""Household codes: generation, normalisation, and how they are kept (see docs/codes.md).

A code is 10 symbols from an alphabet without look-alikes (no 0/O, 1/I/L): 31^10 ≈ 2^49.5.
The database keeps only an HMAC of the code (for look-up) and the code sealed with AES-GCM (for
re-printing a slip), both under the household-code key, which never enters the database: it comes from
SURVEY_CODE_KEY or, failing that, from ``instance/household-code.key`` (created on first use, mode 0600).
Someone who reads the database but does not hold that key can neither find nor use a household's code.
The key is separate from SURVEY_SECRET_KEY so that rotating the session secret never invalidates slips.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
GROUPS = (4, 4, 2)
KEY_FILE = "household-code.key"
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


def _master_key() -> bytes:
    """The household-code key: SURVEY_CODE_KEY, else the instance key file (created once)."""
    key = current_app.config.get("SURVEY_CODE_KEY")
    if not key:
        path = Path(current_app.instance_path) / KEY_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
        key = path.read_text().strip()
        if not key:
            raise RuntimeError(f"{path} is empty: restore it from the backup of the household-code key")
        current_app.config["SURVEY_CODE_KEY"] = key
    return key.encode() if isinstance(key, str) else key


def _key(purpose: bytes) -> bytes:
    return hmac.new(_master_key(), b"household-code:" + purpose, hashlib.sha256).digest()


def lookup_hash(code: str) -> str:
    """Keyed hash of a canonical code, the only form in which codes are searchable."""
    return hmac.new(_key(b"lookup"), code.encode(), hashlib.sha256).hexdigest()


def seal(code: str) -> bytes:
    """Encrypt a code so that staff can print its slip again."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_key(b"seal")).encrypt(nonce, code.encode(), b"household-code")


def unseal(blob: bytes) -> str:
    """Decrypt a sealed code."""
    return AESGCM(_key(b"seal")).decrypt(blob[:12], blob[12:], b"household-code").decode()


def household_url(code: str) -> str:
    """The link printed as a QR code on the slip."""
    return f"{current_app.config['SURVEY_PUBLIC_URL'].rstrip('/')}/s/{display(code)}"
