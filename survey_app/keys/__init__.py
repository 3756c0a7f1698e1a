"""Keys: the one place where the app keeps its keys, makes them, rotates them and seals with them.

The sealing itself (one framing with key ids, HKDF per purpose, keyed hashes, the legacy format of household
codes) is in ``survey_app/keys/ring.py``; this module says where each keyring comes from.

Where keys come from (``KeySource``): a setting (``SURVEY_CODE_KEY``, with older keys in
``SURVEY_CODE_KEY_FALLBACKS``), else a file in the instance folder holding one key per line, primary first.
Key files are created only by ``create_missing`` (the app factory's start-up step and ``flask keys create``)
and changed only by ``rotate`` (``flask keys rotate``): never while a request is served. A request that needs
a key nobody created fails with ``KeyUnavailable``, which says what to run. Values that ride in the session
cookie are sealed under ``SECRET_KEY`` and Flask's ``SECRET_KEY_FALLBACKS`` (``session_keyring``).
"""
from __future__ import annotations

import fcntl
import functools
import logging
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

# The sealing API, used as keys.Keyring, keys.Unreadable, keys.seal_text… by the rest of the app.
from .ring import VERSION, Key, Keyring, KeyringError, Unreadable, open_text, seal_text  # noqa: F401

log = logging.getLogger(__name__)


class KeyUnavailable(RuntimeError):
    """A key the request needs was never created (or its file was removed): an operator must act."""


@dataclass(frozen=True)
class KeySource:
    """Where one kind of key lives: a setting (primary) and its fallbacks, else a file in instance/."""

    name: str
    setting: str
    file_name: str

    @property
    def fallbacks_setting(self) -> str:
        return f"{self.setting}_FALLBACKS"


#: The household codes' lookup hashes and sealed copies (docs/codes.md); rotated by ``flask keys rotate``.
HOUSEHOLD_CODES = KeySource("household-code", "SURVEY_CODE_KEY", "household-code.key")
#: The audit chain's HMAC key (services/audit.py keeps its own derivation: the chain records it).
AUDIT_CHAIN = KeySource("audit", "SURVEY_AUDIT_KEY", "audit-chain.key")
SOURCES = (HOUSEHOLD_CODES, AUDIT_CHAIN)


def _as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


@functools.lru_cache(maxsize=32)
def _ring_of(secret_list: tuple[bytes, ...]) -> Keyring:
    try:
        return Keyring(secret_list)
    except KeyringError as error:
        raise KeyUnavailable(str(error)) from None


def configured(source: KeySource, config=None) -> tuple[bytes, ...] | None:
    """The source's keys given by settings, primary first, or None when its setting is unset."""
    config = current_app.config if config is None else config
    primary = config.get(source.setting)
    if not primary:
        return None
    fallbacks = config.get(source.fallbacks_setting) or ()
    if isinstance(fallbacks, str | bytes):
        fallbacks = (fallbacks,)
    if not isinstance(fallbacks, list | tuple):
        raise KeyUnavailable(f'{source.fallbacks_setting} must be a list of keys, e.g. ["old key"]')
    return tuple(_as_bytes(k) for k in (primary, *fallbacks) if k)


def config_problems(config) -> list[str]:
    """Why the key settings cannot be used (checked when a production worker starts)."""
    problems = []
    for source in SOURCES:
        if config.get(source.fallbacks_setting) and not config.get(source.setting):
            problems.append(f"{source.fallbacks_setting} is set without {source.setting}: the older keys "
                            f"open nothing until the new one is in {source.setting}")
        try:
            given = configured(source, config)
            if given:
                _ring_of(given)
        except KeyUnavailable as error:
            problems.append(f"{source.setting}: {error}")
    return problems


def key_file(source: KeySource, app: Flask | None = None) -> Path:
    """The instance file holding the source's keys when its setting is unset."""
    return Path((app or current_app).instance_path) / source.file_name


def _missing(path: Path) -> str:
    return (f"{path} does not exist and its setting is unset: run `flask keys create` (or restore the key "
            "from its backup); keys are never made while a request is served")


def _read_file(path: Path) -> tuple[bytes, ...]:
    try:
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    except FileNotFoundError:
        raise KeyUnavailable(_missing(path)) from None
    if not lines:
        raise KeyUnavailable(f"{path} is empty: restore it from the backup of the key")
    return tuple(line.encode() for line in lines)


def keyring(source: KeySource) -> Keyring:
    """The source's keyring: from its settings, else from its file (read again when the file changes)."""
    given = configured(source)
    if given:
        return _ring_of(given)
    path = key_file(source)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise KeyUnavailable(_missing(path)) from None
    identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cache = current_app.extensions.setdefault("survey_keys", {})
    cached = cache.get(path)
    if cached is None or cached[0] != identity:
        cached = cache[path] = (identity, _ring_of(_read_file(path)))
    return cached[1]


def session_keyring() -> Keyring:
    """Keys for values that travel in the session cookie: SECRET_KEY, then SECRET_KEY_FALLBACKS (Flask's)."""
    config = current_app.config
    return _ring_of(tuple(_as_bytes(k) for k in (config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ()))))


def new_secret() -> str:
    """A new random key as written to key files: 32 random bytes in hex."""
    return secrets.token_hex(32)


def _write_new(path: Path, lines: Sequence[str], *, replace: bool) -> bool:
    """Write a key file (mode 0600) through a file of its own, linked or renamed into place, so no reader
    ever sees half a key. Without ``replace``, an existing file wins (another process made it first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write("".join(f"{line}\n" for line in lines))
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(draft, path)
            return True
        try:
            os.link(draft, path)
        except FileExistsError:
            return False
        return True
    finally:
        draft.unlink(missing_ok=True)


def create_missing(app: Flask) -> list[Path]:
    """Create the key file of every source whose setting is unset and whose file is missing; return them.

    Called when the app starts (the factory) and by ``flask keys create``; safe when several workers start
    at once (the first file linked into place wins).
    """
    made = []
    for source in SOURCES:
        path = key_file(source, app)
        if configured(source, app.config) or path.exists():
            continue
        if _write_new(path, [new_secret()], replace=False):
            log.warning("created %s: back it up apart from the database (docs/deploy.md)", path)
            made.append(path)
    return made


def rotate(source: KeySource) -> Key:
    """Put a new primary key first in the source's file, keeping the older ones for opening; return it.

    Refused (``ValueError``) when the keys come from settings: an operator changes those (docs/deploy.md).
    """
    if configured(source):
        raise ValueError(f"{source.setting} is set: put a new key in {source.setting} and the current one first "
                         f"in {source.fallbacks_setting} on every server, reload them, then run `flask keys reseal`")
    path = key_file(source)
    with open(path.with_name(f".{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        old = [line.decode() for line in _read_file(path)]
        fresh = new_secret()
        _write_new(path, [fresh, *old], replace=True)
    return Key(fresh.encode())


def init_app(app: Flask) -> None:
    """The start-up step: create missing key files now (not in a request) and answer ``KeyUnavailable``."""
    try:
        create_missing(app)
    except OSError as error:
        log.error("could not create a key file (%s): requests that need it will fail until "
                  "`flask keys create` succeeds", error)

    @app.errorhandler(KeyUnavailable)
    def key_unavailable(error: KeyUnavailable):
        from .errors import render_error
        from .extensions import db

        db.session.rollback()
        log.error("key unavailable: %s", error)
        return render_error(500)
