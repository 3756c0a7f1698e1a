"""A household checks its receipt: was its phiếu counted in the published results?

The answer comes from the publication snapshot, not from the live tables alone: a phiếu is counted in
publication N when its receipt's fingerprint (``snapshots.fingerprint``) is in the list that publication
froze for the phiếu's village. Nothing here reads, or returns, what the household answered: a receipt proves
that a household answered, never how, so nobody can demand it as proof of a vote.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select

from ..extensions import db
from ..models import FrameVillage, HouseholdCode, KeyedEntry, KeyingBatch, Response, Survey, SurveyStatus, Village
from . import household_codes, snapshots
from .paper import PAPER_CHANNELS
from .snapshots import Published

RECEIPT_LENGTH = 8
#: Digits of the publication's SHA-256 a receipt check and the notice print: enough to tell versions apart.
HASH_PREFIX = 12
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalize(text: str | None) -> str | None:
    """The receipt number as printed (``7KQ4-M2XD``) of a typed one (any case, with or without the dash or
    spaces), or None when the text cannot be a receipt number."""
    cleaned = "".join(ch for ch in (text or "")[:40].upper() if ch not in " -_.–").translate(_LOOKALIKES)
    if len(cleaned) != RECEIPT_LENGTH or any(ch not in household_codes.ALPHABET for ch in cleaned):
        return None
    return f"{cleaned[:4]}-{cleaned[4:]}"


@dataclass(frozen=True)
class ReceiptCheck:
    """What the receipt page may say about one phiếu: when it was received, where, and whether the current
    publication counted it. ``counted`` is None before publication."""

    receipt: str
    fingerprint: str
    submitted_at: datetime
    survey: Survey
    village: str
    publication: Published | None
    counted: bool | None
    #: The survey was reopened after this publication for a correction: a new version will follow.
    correcting: bool

    @property
    def state(self) -> str:
        """``received`` (not published yet), ``counted`` or ``not_counted``."""
        if self.counted is None:
            return "received"
        return "counted" if self.counted else "not_counted"

    @property
    def hash_prefix(self) -> str:
        return self.publication.sha256[:HASH_PREFIX] if self.publication else ""


def check(typed: str | None) -> ReceiptCheck | None:
    """Check a typed receipt number against the survey's current publication; None for an unknown one."""
    receipt = normalize(typed)
    if receipt is None:
        return None
    row = db.session.execute(
        select(Response.submitted_at, Response.survey_id, Village.commune_code, Village.code, Village.name)
        .join(FrameVillage, FrameVillage.id == Response.frame_village_id)
        .join(Village, Village.id == FrameVillage.village_id)
        .where(Response.receipt == receipt)).one_or_none()
    if row is None:
        return None
    survey = db.session.get(Survey, row.survey_id)
    publication = snapshots.current(survey)
    village_key = (row.commune_code, row.code)
    counted, village = None, row.name
    if publication is not None:
        index = _index(publication)
        counted = index.lists(village_key, snapshots.fingerprint(receipt))
        village = index.names.get(village_key, village)
    return ReceiptCheck(receipt=receipt, fingerprint=snapshots.fingerprint(receipt), submitted_at=row.submitted_at,
                        survey=survey, village=village, publication=publication, counted=counted,
                        correcting=publication is not None and survey.status is not SurveyStatus.PUBLISHED)


def batch_receipts(batch: KeyingBatch) -> list[tuple[int, str]]:
    """(slip serial, receipt number) of each phiếu a batch of paper phiếu stored (by its first keying, or by
    settling a second keying), by serial: what the village team hands back to the households."""
    rows = db.session.execute(
        select(HouseholdCode.serial, Response.receipt).distinct().select_from(KeyedEntry)
        .join(Response, Response.id == KeyedEntry.response_id)
        .join(HouseholdCode, HouseholdCode.id == Response.household_code_id)
        .where(KeyedEntry.batch_id == batch.id, Response.channel.in_(PAPER_CHANNELS))
        .order_by(HouseholdCode.serial))
    return [(serial, receipt) for serial, receipt in rows]


@dataclass(frozen=True)
class _Index:
    """A publication's fingerprints per village as sorted 64-bit integers (8 bytes each, searched by bisection),
    and its village names as published (with the commune's when the survey spans several)."""

    prints: dict[tuple[str, str], array]
    names: dict[tuple[str, str], str]

    def lists(self, village: tuple[str, str], fingerprint: str) -> bool:
        """Whether the village's list holds the fingerprint."""
        values = self.prints.get(village)
        if not values:
            return False
        value = int(fingerprint, 16)
        at = bisect_left(values, value)
        return at < len(values) and values[at] == value


@lru_cache(maxsize=4)
def _index(publication: Published) -> _Index:
    """Built once per process and publication (publications never change): a check is then a bisection,
    whatever the survey's size. ``published_document`` checks the stored bytes against their SHA-256."""
    document = snapshots.published_document(publication)
    communes = {c["code"]: c["name"] for c in document["communes"]}
    names = {(v["commune_code"], v["code"]): v["name"] if len(communes) < 2
             else f"{v['name']}, {communes.get(v['commune_code'], v['commune_code'])}" for v in document["villages"]}
    prints = {key: array("Q", sorted(int(fp, 16) for fp in listed))
              for key, listed in snapshots.fingerprints(publication).items()}
    return _Index(prints, names)
