"""Back up and restore the database: pg_dump/pg_restore for PostgreSQL, the online backup API for SQLite.

The household-code key (SURVEY_CODE_KEY or instance/household-code.key) is deliberately NOT in the
backup: without it the restored codes can neither be looked up nor re-printed, so it must be backed up
too, but kept apart from the database dumps (see docs/deploy.md).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup wrote: its file, its size, and its SHA-256 (to check a copy later)."""

    path: Path
    dialect: str
    size: int
    sha256: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL client tools; the password goes in the environment, not argv."""
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    args += ["--dbname", url.database or "postgres"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools (postgresql-client)")
    return path


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tail = done.stderr.strip()[-2000:]
        raise BackupError(f"{Path(command[0]).name} failed ({done.returncode}): {tail}")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def backup_database(database_url: str | URL, out: Path) -> BackupInfo:
    """Write a consistent copy of the live database to ``out`` (written beside, then renamed)."""
    url = make_url(database_url)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    if url.get_backend_name() == "postgresql":
        args, env = _libpq(url)
        # Custom format: compressed, restorable table by table, one consistent snapshot.
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
              *args], env)
        _run([_tool("pg_restore"), "--list", str(partial)], env)  # the archive reads back
    elif url.get_backend_name() == "sqlite":
        source = sqlite3.connect(f"file:{_sqlite_path(url)}?mode=ro", uri=True)
        target = sqlite3.connect(partial)
        try:
            with target:
                source.backup(target)  # online: writers may go on while it copies
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
            source.close()
        if check != "ok":
            partial.unlink(missing_ok=True)
            raise BackupError(f"the copy failed its integrity check: {check}")
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")
    os.chmod(partial, 0o600)  # the dump holds personal data (opinions): owner only
    partial.replace(out)
    return BackupInfo(out, url.get_backend_name(), out.stat().st_size, _sha256(out))


def backup_dialect(path: Path) -> str:
    """Which database a backup file is for, from its first bytes."""
    with Path(path).open("rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a pg_dump custom archive nor an SQLite database")


def restore_database(database_url: str | URL, source: Path) -> None:
    """Replace the database's content with a backup, all or nothing. Stop the app servers first."""
    url = make_url(database_url)
    source = Path(source)
    kind = backup_dialect(source)
    if kind != url.get_backend_name():
        raise BackupError(f"{source} is a {kind} backup; the configured database is {url.get_backend_name()}")
    if kind == "postgresql":
        args, env = _libpq(url)
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", *args, str(source)], env)
        return
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            check = backup.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:  # e.g. "database disk image is malformed": a truncated copy
            raise BackupError(f"{source} is damaged ({exc}); nothing was restored") from exc
        if check != "ok":
            raise BackupError(f"{source} failed its integrity check; nothing was restored")
        target = sqlite3.connect(_sqlite_path(url))
        try:
            backup.backup(target)  # replaces every page of the target under its lock
        finally:
            target.close()
    finally:
        backup.close()
