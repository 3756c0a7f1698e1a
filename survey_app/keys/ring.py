"""Sealed values and keyed hashes under a keyring (pure: no Flask, no files; survey_app/keys/__init__.py
says where keys come from).

A **keyring** is a list of secrets, the primary (newest) first. Each purpose gets its own key, derived from a
secret with HKDF-SHA256 (``info`` = the purpose). A sealed value is framed as

    0x01 ‖ key id (4 bytes) ‖ nonce (12 bytes) ‖ AES-256-GCM ciphertext and tag

with the version byte, key id and purpose as associated data. The key id (derived from the secret, not
secret itself) names the key that sealed the value, so after a rotation old values still open and
``needs_reseal`` tells which are not yet under the primary. Keyed hashes (HMAC-SHA256) are made with the
primary and searched for under every key.

Legacy format: household codes sealed before the keyring (``nonce ‖ ciphertext`` under
HMAC-SHA256(secret, purpose), associated data given by the caller) still open when the caller passes
``legacy_aad``; nothing is sealed in that format any more, and ``flask keys reseal`` rewrites such values.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"\x01"
KID_BYTES = 4
NONCE_BYTES = 12
TAG_BYTES = 16
_HEADER = len(VERSION) + KID_BYTES


class KeyringError(ValueError):
    """A keyring that cannot be built (no key, or the same key twice)."""


class Unreadable(ValueError):
    """A sealed value that no key of the ring opens: altered, truncated, or sealed under a key not kept."""


@functools.lru_cache(maxsize=256)
def _hkdf(secret: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(secret)


class Key:
    """One secret of a keyring: its id and the keys derived from it per purpose."""

    __slots__ = ("secret", "kid")

    def __init__(self, secret: bytes):
        self.secret = secret
        self.kid = _hkdf(secret, b"key-id", KID_BYTES)

    def derive(self, purpose: str) -> bytes:
        """The key of one purpose (HKDF-SHA256, info = the purpose)."""
        return _hkdf(self.secret, purpose.encode())

    def legacy(self, purpose: str) -> bytes:
        """The key the pre-keyring code derived for a purpose (HMAC-SHA256 of the purpose): reading only."""
        return hmac.new(self.secret, purpose.encode(), hashlib.sha256).digest()


class Keyring:
    """Secrets, primary first: seal and hash with the primary, open and search under every one."""

    def __init__(self, secret_list: Sequence[bytes]):
        if not secret_list:
            raise KeyringError("a keyring needs at least one key")
        self.keys = tuple(Key(s) for s in secret_list)
        self._by_kid = {key.kid: key for key in self.keys}
        if len(self._by_kid) != len(self.keys):
            raise KeyringError("the same key appears twice in a keyring")

    @property
    def primary(self) -> Key:
        return self.keys[0]

    def seal(self, purpose: str, data: bytes) -> bytes:
        """Encrypt and authenticate ``data`` for ``purpose`` under the primary key."""
        header = VERSION + self.primary.kid
        nonce = os.urandom(NONCE_BYTES)
        return header + nonce + AESGCM(self.primary.derive(purpose)).encrypt(nonce, data, header + purpose.encode())

    def _open(self, purpose: str, blob: bytes, legacy_aad: bytes | None) -> tuple[bytes, Key | None]:
        """The plaintext and the key that sealed it in the current format (None: the legacy format)."""
        key = self._by_kid.get(blob[1:_HEADER]) if blob[:1] == VERSION else None
        if key is not None and len(blob) >= _HEADER + NONCE_BYTES + TAG_BYTES:
            body = blob[_HEADER:]
            with contextlib.suppress(InvalidTag):
                aad = blob[:_HEADER] + purpose.encode()
                return AESGCM(key.derive(purpose)).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], aad), key
        if legacy_aad is not None and len(blob) >= NONCE_BYTES + TAG_BYTES:
            for key in self.keys:
                with contextlib.suppress(InvalidTag):
                    nonce, body = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
                    return AESGCM(key.legacy(purpose)).decrypt(nonce, body, legacy_aad), None
        raise Unreadable("no key of the ring opens this value (altered, or sealed under a key not kept)")

    def open(self, purpose: str, blob: bytes, *, legacy_aad: bytes | None = None) -> bytes:
        """Decrypt a value sealed for ``purpose`` by any key of the ring; ``Unreadable`` otherwise.

        ``legacy_aad`` also accepts the pre-keyring format sealed with that associated data.
        """
        return self._open(purpose, bytes(blob), legacy_aad)[0]

    def needs_reseal(self, purpose: str, blob: bytes, *, legacy_aad: bytes | None = None) -> bool:
        """Whether a value opens only under an older key or format (``Unreadable`` if it does not open)."""
        return self._open(purpose, bytes(blob), legacy_aad)[1] is not self.primary

    def mac(self, purpose: str, data: bytes) -> str:
        """Keyed hash (HMAC-SHA256, hex) of ``data`` under the primary key of ``purpose``."""
        return hmac.new(self.primary.derive(purpose), data, hashlib.sha256).hexdigest()

    def macs(self, purpose: str, data: bytes, *, legacy: bool = False) -> list[str]:
        """The keyed hash of ``data`` under every key (and every legacy key when ``legacy``), primary first."""
        found = [hmac.new(key.derive(purpose), data, hashlib.sha256).hexdigest() for key in self.keys]
        if legacy:
            found += [hmac.new(key.legacy(purpose), data, hashlib.sha256).hexdigest() for key in self.keys]
        return found


def seal_text(ring: Keyring, purpose: str, text: str) -> str:
    """Seal a text into URL-safe base64 (for a cookie or a form field)."""
    return base64.urlsafe_b64encode(ring.seal(purpose, text.encode())).decode()


def open_text(ring: Keyring, purpose: str, sealed: str | None) -> str | None:
    """The text ``seal_text`` sealed, or None when there is none or it does not open."""
    if not sealed:
        return None
    try:
        return ring.open(purpose, base64.urlsafe_b64decode(sealed)).decode()
    except (Unreadable, binascii.Error, ValueError):
        return None
