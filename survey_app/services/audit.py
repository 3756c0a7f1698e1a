"""Append to and verify the hash-chained audit log."""
from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, text

from ..extensions import db
from ..models import AuditEntry
from ..models._types import utcnow

GENESIS = "0" * 64


def _digest(entry: AuditEntry) -> str:
    payload = json.dumps(
        {
            "id": entry.id,
            "created_at": entry.created_at.isoformat(timespec="microseconds"),
            "actor_id": entry.actor_id,
            "actor_name": entry.actor_name,
            "action": entry.action,
            "survey_id": entry.survey_id,
            "details": entry.details,
            "prev_hash": entry.prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(action: str, *, actor=None, actor_name: str | None = None, survey_id: int | None = None,
           **details) -> AuditEntry:
    """Append one entry to the chain (flushes; the caller commits with its unit of work)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so that the chain never forks.
        session.execute(text("SELECT pg_advisory_xact_lock(727274)"))
    last = session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one_or_none()
    entry = AuditEntry(
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=actor_name or getattr(actor, "username", None) or "system",
        action=action,
        survey_id=survey_id,
        details=details,
        prev_hash=last.entry_hash if last else GENESIS,
        entry_hash="pending:" + secrets.token_hex(24),  # unique placeholder until the id is known
    )
    session.add(entry)
    session.flush()  # assigns the id, which the hash covers
    entry.entry_hash = _digest(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    """One place where the chain does not hold."""

    entry_id: int
    message: str


def verify(known_heads: Iterable[str] = ()) -> tuple[int, list[ChainProblem]]:
    """Walk the whole chain; return the number of entries and every problem found.

    A chain cannot show by itself that its newest entries were cut off: ``known_heads`` are heads quoted
    earlier (an export manifest's ``audit_head``), and each must still be in the chain.
    """
    problems: list[ChainProblem] = []
    prev, count = GENESIS, 0
    missing = {h.strip().lower() for h in known_heads if h.strip()} - {GENESIS}
    rows = db.session.execute(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000))
    for entry in rows.scalars():
        count += 1
        missing.discard(entry.entry_hash)
        if entry.prev_hash != prev:
            problems.append(ChainProblem(entry.id, "previous-hash link broken (entry removed or reordered)"))
        if _digest(entry) != entry.entry_hash:
            problems.append(ChainProblem(entry.id, "content does not match its hash (entry altered)"))
        prev = entry.entry_hash
    problems += [ChainProblem(0, f"head {h[:16]}… quoted earlier is missing (newest entries removed)")
                 for h in sorted(missing)]
    return count, problems


def head() -> str:
    """Hash of the latest entry: quoted in export manifests."""
    last = db.session.execute(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    return last or GENESIS
