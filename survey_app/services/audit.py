"""Append to and verify the audit log: a chain of entries, each sealed with HMAC-SHA256 under a key kept
outside the database.

Each entry's hash covers its content and the previous entry's hash. A plain hash would let whoever can write
the table change an entry and recompute every later hash, or append an entry of their own; the HMAC needs
the audit key (``SURVEY_AUDIT_KEY``, else ``instance/audit-chain.key``), which is neither in the database
nor in its dumps. The app's database role may only insert and read entries (``flask audit grants``).

Entries written before the key was introduced carry ``scheme = "sha256"`` and keep their plain SHA-256
hashes (heads quoted in earlier export manifests stay valid). They must form the beginning of the chain,
and the first keyed entry after them seals them, since its HMAC covers the last one's hash: a chain of
only such entries is reported as not yet sealed (``flask audit seal``), and an unkeyed entry after a
keyed one is reported as inserted without the key.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from .. import keys
from ..extensions import db
from ..models import AuditEntry
from ..models._types import utcnow

GENESIS = "0" * 64
#: Scheme of the entries hashed before the key: plain SHA-256 of the payload.
LEGACY = "sha256"
#: Scheme of keyed entries, followed by the key's id (which key sealed them, not the key).
KEYED = "hmac-sha256:"
KEY_FILE = keys.AUDIT_CHAIN.file_name
HEAD = re.compile(r"[0-9a-f]{64}", re.ASCII)

#: PostgreSQL advisory lock (one bigint key, the whole chain) that serialises appenders so that the chain never
#: forks. An arbitrary constant, used here only; the per-survey locks (lifecycle.NUMBERING_LOCK,
#: meetings.MEETING_LOCK) take two int keys, a key space PostgreSQL keeps apart from single bigint keys.
AUDIT_CHAIN_LOCK = 727274


def _chain_key(required: bool = True) -> tuple[bytes, str] | None:
    """The HMAC key of the chain (derived from the audit key) and its scheme; without an audit key,
    ``keys.KeyUnavailable`` when ``required``, else None. Never makes a key: the app's start-up and
    ``flask keys create`` do (survey_app/keys)."""
    try:
        master = keys.keyring(keys.AUDIT_CHAIN).primary.secret
    except keys.KeyUnavailable:
        if required:
            raise
        return None
    key = hmac.new(master, b"audit-chain", hashlib.sha256).digest()
    return key, KEYED + hmac.new(key, b"key-id", hashlib.sha256).hexdigest()[:12]


def payload(entry: AuditEntry) -> str:
    """The canonical text an entry's hash covers (a keyed entry's covers its scheme too)."""
    fields = {
        "id": entry.id,
        "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "survey_id": entry.survey_id,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    if entry.scheme != LEGACY:
        fields["scheme"] = entry.scheme
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(entry: AuditEntry, key: bytes | None) -> str:
    if entry.scheme == LEGACY:
        return hashlib.sha256(payload(entry).encode()).hexdigest()
    return hmac.new(key or b"", payload(entry).encode(), hashlib.sha256).hexdigest()


def record(action: str, *, actor=None, actor_name: str | None = None, survey_id: int | None = None,
           **details) -> AuditEntry:
    """Append one keyed entry to the chain (flushes; the caller commits with its unit of work).

    The entry is written once, complete (an INSERT and nothing else): its id is the last one's plus one,
    taken under the chain's lock, so that the app's role needs no right to change entries.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so that the chain never forks.
        session.execute(select(func.pg_advisory_xact_lock(AUDIT_CHAIN_LOCK)))
    key, scheme = _chain_key()
    last = session.execute(select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc())
                           .limit(1)).first()
    entry = AuditEntry(
        id=last.id + 1 if last else 1,
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=actor_name or getattr(actor, "username", None) or "system",
        action=action,
        survey_id=survey_id,
        details=details,
        prev_hash=last.entry_hash if last else GENESIS,
        scheme=scheme,
    )
    entry.entry_hash = _digest(entry, key)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    """One place where the chain does not hold: ``kind`` names it for pages, ``message`` for the CLI."""

    entry_id: int
    message: str
    kind: str = "altered"


def is_head(value: str) -> bool:
    """Whether a text is a chain head as printed (64 hexadecimal digits, either case)."""
    return bool(HEAD.fullmatch(value.strip().lower()))


def verify(known_heads: Iterable[str] = ()) -> tuple[int, list[ChainProblem]]:
    """Walk the whole chain; return the number of entries and every problem found.

    A chain cannot show by itself that its newest entries were cut off: ``known_heads`` are heads quoted
    earlier (an export manifest's ``audit_head``), and each must still be in the chain. Each must be a
    head (``is_head``): a ValueError says which is not. Verifying never creates a key.
    """
    heads = [h.strip().lower() for h in known_heads if h.strip()]
    malformed = [h for h in heads if not is_head(h)]
    if malformed:
        raise ValueError(f"not a head of the audit chain (64 hexadecimal digits): {malformed[0][:80]}")
    chain_key = _chain_key(required=False)
    key, scheme = chain_key if chain_key else (None, None)
    problems: list[ChainProblem] = []
    prev, count, keyed, unchecked = GENESIS, 0, 0, 0
    missing = set(heads) - {GENESIS}
    rows = db.session.execute(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000))
    for entry in rows.scalars():
        count += 1
        missing.discard(entry.entry_hash)
        if entry.prev_hash != prev:
            problems.append(ChainProblem(entry.id, "previous-hash link broken (entry removed or reordered)", "link"))
        if entry.scheme == LEGACY:
            if keyed:
                problems.append(ChainProblem(entry.id, "not keyed, yet written after keyed entries (inserted "
                                                       "without the audit key)", "unkeyed"))
            elif _digest(entry, None) != entry.entry_hash:
                problems.append(ChainProblem(entry.id, "content does not match its hash (entry altered)"))
        else:
            keyed += 1
            if key is None:
                unchecked += 1
            elif entry.scheme != scheme:
                problems.append(ChainProblem(entry.id, f"sealed with another audit key ({entry.scheme[:40]}) "
                                                       f"than the configured one ({scheme})", "other_key"))
            elif not hmac.compare_digest(_digest(entry, key), entry.entry_hash):
                problems.append(ChainProblem(entry.id, "content does not match its hash (entry altered)"))
        prev = entry.entry_hash
    if unchecked:
        problems.append(ChainProblem(0, f"no audit key (SURVEY_AUDIT_KEY or instance/{KEY_FILE}): {unchecked} "
                                        "keyed entries cannot be checked", "no_key"))
    if count and not keyed:
        problems.append(ChainProblem(0, f"not sealed: the {count} entries hashed before the audit key are not "
                                        "protected until a keyed entry follows them; run `flask audit seal`",
                                     "not_sealed"))
    problems += [ChainProblem(0, f"head {h[:16]}… quoted earlier is missing (newest entries removed)", "missing")
                 for h in sorted(missing)]
    return count, problems


def seal(*, actor_name: str) -> int:
    """Append an ``audit.seal`` entry after entries hashed before the key; return how many it seals (flushes).

    Nothing is appended (0) when the chain is empty or already keyed. A chain with problems is refused
    (ValueError): sealing it would vouch for entries that were altered.
    """
    count, problems = verify()
    if not count or not any(p.kind == "not_sealed" for p in problems):
        return 0
    real = [p for p in problems if p.kind != "not_sealed"]
    if real:
        raise ValueError(f"the chain has {len(real)} problem(s): not sealed; see `flask audit verify`")
    record("audit.seal", actor_name=actor_name, entries=count, sealed_head=head())
    return count


def head() -> str:
    """Hash of the latest entry: quoted in export manifests."""
    last = db.session.execute(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    return last or GENESIS
