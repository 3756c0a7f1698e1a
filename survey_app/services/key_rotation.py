"""Re-sealing stored household codes under the primary key after a rotation (``flask keys reseal``).

A rotation (survey_app/keys) puts a new primary key first and keeps the older ones, so every stored code
still opens and is still found. Re-sealing then rewrites each code's lookup hash and sealed copy under the
primary, from the code itself (decrypted from its sealed copy): the code printed on the slip does not change,
only how the database keeps it. Rows go in batches by id, each batch committed; a row already under the
primary is left alone, so the command may be stopped and run again at any time. A row is rewritten only if
its sealed copy is still the one read (a concurrent writer wins and the next run looks again).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update

from .. import keys
from ..extensions import db
from ..models import HouseholdCode
from . import audit, household_codes

#: Rows read and rewritten per transaction.
BATCH_SIZE = 1000


@dataclass
class ResealReport:
    """What a re-seal did: rows read, rewritten, already under the primary, and those it could not rewrite."""

    examined: int = 0
    resealed: int = 0
    current: int = 0
    unreadable: int = 0
    without_copy: int = 0

    @property
    def complete(self) -> bool:
        """Whether every stored code is now under the primary key (older keys could then be retired)."""
        return not (self.unreadable or self.without_copy)


def _reseal_row(row, report: ResealReport) -> None:
    if row.sealed_code is None:
        report.without_copy += 1
        return
    try:
        fresh = household_codes.resealed(row.sealed_code)
    except keys.Unreadable:
        report.unreadable += 1
        return
    if fresh is None:
        report.current += 1
        return
    lookup, sealed = fresh
    done = db.session.execute(
        update(HouseholdCode).where(HouseholdCode.id == row.id, HouseholdCode.sealed_code == row.sealed_code)
        .values(lookup_hash=lookup, sealed_code=sealed).execution_options(synchronize_session=False))
    report.resealed += done.rowcount


def rotate_code_key(*, actor_name: str) -> keys.Key:
    """A new primary household-code key (older ones kept), recorded as ``keys.rotate`` (commits).

    ``ValueError`` when the keys come from settings, which only an operator can change (docs/deploy.md).
    """
    key = keys.rotate(keys.HOUSEHOLD_CODES)
    audit.record("keys.rotate", actor_name=actor_name, key="household-code", key_id=key.kid.hex())
    db.session.commit()
    return key


def reseal_codes(*, actor_name: str, batch_size: int = BATCH_SIZE,
                 progress: Callable[[ResealReport], None] | None = None) -> ResealReport:
    """Rewrite every household code not yet under the primary key, ``batch_size`` rows per commit.

    The last commit records ``keys.reseal`` in the audit log with the counts and the primary key's id.
    """
    report, last_id = ResealReport(), 0
    while True:
        rows = db.session.execute(select(HouseholdCode.id, HouseholdCode.sealed_code)
                                  .where(HouseholdCode.id > last_id).order_by(HouseholdCode.id)
                                  .limit(batch_size)).all()
        if not rows:
            break
        for row in rows:
            _reseal_row(row, report)
        report.examined += len(rows)
        last_id = rows[-1].id
        db.session.commit()
        if progress:
            progress(report)
    primary = keys.keyring(keys.HOUSEHOLD_CODES).primary.kid.hex()
    audit.record("keys.reseal", actor_name=actor_name, key_id=primary, examined=report.examined,
                 resealed=report.resealed, unreadable=report.unreadable, without_copy=report.without_copy)
    db.session.commit()
    return report
