"""Published results, frozen: the results document stored at publication and served as it was published.

Publishing stores the whole document (rules with sources, template version, coverage, per-village and
per-item counts, intervals, integrity indicators, and per village the fingerprints of the receipts it
counted) as canonical JSON bytes with their SHA-256 (``Publication``). From then on every page, download
and API answer of that survey reads the snapshot, never the live tables: the JSON download is the same
bytes at every request, whatever changes in code, catalogs, templates or rules afterwards. A correction
after publication reopens the survey with a written reason and publishes version N + 1, which supersedes
version N; every version stays downloadable. ``verify`` recounts the stored responses against the current
snapshot.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from cachetools import LRUCache, cached
from sqlalchemy import func, select

from analysis import Indicator

from ..errors import InputError, StateError
from ..extensions import db
from ..i18n import _
from ..models import AuditEntry, FrameVillage, Publication, Response, Survey, SurveyStatus, Village
from ..models._types import utcnow
from . import audit, lifecycle
from .integrity import integrity_indicators
from .live_results import live_results
from .results import results_document

#: A reason shorter than this is not a reason (the same bar as a rules change).
MIN_REASON = 15


def canonical(document: dict) -> bytes:
    """The one byte form of a document: UTF-8 JSON, sorted keys, no spaces, no NaN."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode()


def fingerprint(receipt: str) -> str:
    """What a publication lists for a counted phiếu: the first 16 hex digits (upper case) of SHA-256 of the
    receipt number as printed (``7KQ4-M2XD``)."""
    return hashlib.sha256(receipt.strip().upper().encode()).hexdigest()[:16].upper()


def _indicator_json(indicator: Indicator) -> dict:
    """An indicator as JSON (times in its evidence as ISO 8601 text)."""
    evidence = json.loads(json.dumps(dict(indicator.evidence), default=_json_value))
    return {"kind": indicator.kind, "severity": indicator.severity, "subject": indicator.subject,
            "evidence": evidence}


def _json_value(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} in an integrity indicator's evidence")


def snapshot_document(survey: Survey) -> dict:
    """The document a publication freezes: the results document, its integrity indicators, and per village
    the sorted fingerprints of the receipts it counted (as many as its respondents)."""
    document = _counted(survey)
    document["integrity"] = [_indicator_json(i) for i in integrity_indicators(survey, document)]
    return document


def _counted(survey: Survey) -> dict:
    """The live results document with each village's receipt fingerprints."""
    document = results_document(survey)
    prints: dict[tuple[str, str], list[str]] = {}
    rows = db.session.execute(
        select(Village.commune_code, Village.code, Response.receipt)
        .join(FrameVillage, FrameVillage.id == Response.frame_village_id)
        .join(Village, Village.id == FrameVillage.village_id)
        .where(Response.survey_id == survey.id))
    for commune_code, code, receipt in rows:
        prints.setdefault((commune_code, code), []).append(fingerprint(receipt))
    for village in document["villages"]:
        village["receipt_fingerprints"] = sorted(prints.get((village["commune_code"], village["code"]), []))
    return document


def _counts_of(document: dict) -> dict[str, object]:
    """What a recount must reproduce: verdict, coverage, counts per item and per village, fingerprints."""
    def items(rows):
        return {row["key"]: (row["satisfied"], row["not_satisfied"], row["blank"]) for row in rows}

    facts: dict[str, object] = {
        "verdict": document["verdict"],
        "coverage": (document["coverage"]["households"], document["coverage"]["respondents"]),
        "items": items(document["items"]),
        "rules": [(rule["kind"], rule["threshold_text"], rule["met"]) for rule in document["rules"]],
        "overall": {key: (document.get("overall") or {}).get(key) for key in ("item", "satisfied", "respondents")},
    }
    for village in document["villages"]:
        name = f"{village['commune_code']}/{village['code']}"
        facts[f"village {name}"] = (village["households"], village["respondents"])
        facts[f"village {name} items"] = items(village["items"])
        facts[f"village {name} receipts"] = village["receipt_fingerprints"]
    return facts


def verify(survey: Survey) -> list[str]:
    """Recount the stored responses and compare with the current publication: the differences, named
    (an empty list when they agree). Raises StateError for a survey never published."""
    publication = current(survey)
    if publication is None:
        raise StateError(_("Đợt khảo sát chưa công bố nên không có gì để đối chiếu."))
    data = _stored_bytes(publication.id)
    problems = []
    if hashlib.sha256(data).hexdigest() != publication.sha256:
        problems.append(f"stored document: its SHA-256 is {hashlib.sha256(data).hexdigest()}, "
                        f"not the {publication.sha256} it was stored with")
    audited = db.session.execute(
        select(AuditEntry.details).where(AuditEntry.survey_id == survey.id, AuditEntry.action == "results.publish")
        .order_by(AuditEntry.id)).scalars().all()
    sealed = [details.get("sha256") for details in audited if details.get("version") == publication.version]
    if sealed != [publication.sha256]:
        problems.append(f"audit log: publication {publication.version} was recorded with SHA-256 {sealed or 'none'}, "
                        f"the stored one is {publication.sha256}")
    published = _counts_of(json.loads(data))
    recount = _counts_of(_counted(survey))
    return problems + [line for name in sorted(set(published) | set(recount))
                       for line in _differences(name, published.get(name), recount.get(name))]


def _differences(name: str, published, recount) -> list[str]:
    """What differs between a published fact and its recount (of two mappings, the keys that differ)."""
    if published == recount:
        return []
    if isinstance(published, dict) and isinstance(recount, dict):
        return [f"{name} {key}: published {published.get(key)!r}, recounted {recount.get(key)!r}"
                for key in sorted(set(published) | set(recount)) if published.get(key) != recount.get(key)]
    return [f"{name}: published {published!r}, recounted {recount!r}"]


def prepare(survey: Survey, *, reason: str = "") -> Publication:
    """Build the next version of the survey's published results, not yet stored (the slow part of publishing).

    Publishing again (version 2 on) needs a reason of at least MIN_REASON characters.
    """
    version = (db.session.execute(select(func.max(Publication.version))
                                  .where(Publication.survey_id == survey.id)).scalar() or 0) + 1
    if version > 1 and len(reason.strip()) < MIN_REASON:
        raise InputError(_("Công bố lại cần ghi rõ lý do (ít nhất %(n)s ký tự).", n=MIN_REASON))
    data = canonical(snapshot_document(survey))
    return Publication(survey_id=survey.id, version=version, document=data, sha256=hashlib.sha256(data).hexdigest(),
                       reason=reason.strip(), created_at=utcnow())


def record(survey: Survey, publication: Publication, *, actor=None, actor_name: str | None = None) -> Publication:
    """Store a prepared publication (flushes) and record its SHA-256 in the audit log."""
    publication.created_by_id = getattr(actor, "id", None)
    db.session.add(publication)
    db.session.flush()
    audit.record("results.publish", actor=actor, actor_name=actor_name, survey_id=survey.id,
                 version=publication.version, sha256=publication.sha256, bytes=len(publication.document),
                 reason=publication.reason)
    return publication


def reopen(survey: Survey, reason: str, *, actor=None, actor_name: str | None = None) -> Survey:
    """Reopen a published survey for a correction (flushes): it goes back to ``closed`` (paper keying and
    corrections only), the published versions stay as they are and are still served until the next one."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise InputError(_("Hãy ghi rõ lý do đính chính (ít nhất %(n)s ký tự).", n=MIN_REASON))
    if lifecycle.current_status(survey, for_update=True) is not SurveyStatus.PUBLISHED:
        raise StateError(_("Chỉ đính chính được đợt khảo sát đã công bố."))
    survey.status = SurveyStatus.CLOSED
    db.session.flush()
    audit.record("survey.reopen", actor=actor, actor_name=actor_name, survey_id=survey.id, reason=reason)
    return survey


@dataclass(frozen=True)
class Published:
    """A publication's facts, without its document (cheap to load)."""

    id: int
    version: int
    sha256: str
    at: datetime
    reason: str

    @property
    def block(self) -> dict:
        """The ``published`` object of the served JSON."""
        return {"version": self.version, "sha256": self.sha256, "at": self.at.isoformat(timespec="seconds"),
                "reason": self.reason}


def _published(row) -> Published:
    return Published(row.id, row.version, row.sha256, row.created_at, row.reason)


def versions(survey: Survey) -> list[Published]:
    """Every publication of the survey, newest first."""
    rows = db.session.execute(
        select(Publication.id, Publication.version, Publication.sha256, Publication.created_at, Publication.reason)
        .where(Publication.survey_id == survey.id).order_by(Publication.version.desc()))
    return [_published(row) for row in rows]


def current(survey: Survey) -> Published | None:
    """The newest publication of the survey, or None if it was never published."""
    found = versions(survey)
    return found[0] if found else None


class Download(NamedTuple):
    """The JSON download of a publication and the SHA-256 of those bytes (what the audit log records)."""

    data: bytes
    sha256: str


#: Most bytes of JSON downloads kept per process (two publications of a 1,000,000-phiếu province).
DOWNLOAD_CACHE_BYTES = 64_000_000


@cached(LRUCache(maxsize=DOWNLOAD_CACHE_BYTES, getsizeof=lambda download: len(download.data)),
        lock=threading.Lock())
def published_download(publication: Published) -> Download:
    """The JSON download of a publication: its canonical bytes with the ``published`` object first.

    Spliced, not re-serialised, so the bytes are the same at every download whatever the code does; read
    and checked against the stored SHA-256 once per process (a publication never changes), so a download
    costs the same whatever the survey's size.
    """
    stored = _stored_bytes(publication.id)
    if hashlib.sha256(stored).hexdigest() != publication.sha256:
        raise RuntimeError(f"publication {publication.id} does not match its SHA-256")
    data = b'{"published":' + canonical(publication.block) + b"," + stored[1:]
    return Download(data, hashlib.sha256(data).hexdigest())


def published_json(publication: Published) -> bytes:
    """The JSON download's bytes (``published_download``)."""
    return published_download(publication).data


def _stored_bytes(publication_id: int) -> bytes:
    return db.session.execute(select(Publication.document).where(Publication.id == publication_id)).scalar_one()


@lru_cache(maxsize=16)
def published_document(publication: Published) -> dict:
    """A publication's document for pages and table downloads, parsed once per process (publications never
    change), with its ``published`` object and without the receipt fingerprints (the JSON download and the
    receipt check read those from the stored bytes). Shared between requests: read it, never change it."""
    data = _stored_bytes(publication.id)
    if hashlib.sha256(data).hexdigest() != publication.sha256:
        raise RuntimeError(f"publication {publication.id} does not match its SHA-256")
    document = json.loads(data)
    for village in document["villages"]:
        village.pop("receipt_fingerprints", None)
    document["published"] = publication.block
    return document


@lru_cache(maxsize=4)
def fingerprints(publication: Published) -> dict[tuple[str, str], tuple[str, ...]]:
    """The receipt fingerprints a publication lists, by (commune code, village code); parsed once per process
    and publication (a public CSV reads it at every request)."""
    document = json.loads(_stored_bytes(publication.id))
    return {(v["commune_code"], v["code"]): tuple(v["receipt_fingerprints"]) for v in document["villages"]}


def as_of(survey: Survey, publication: Published | None) -> datetime | None:
    """When to read a publication's phiếu (opinions, raw responses) for its downloads: None (as they are)
    while nothing can have changed since, i.e. for the current publication of a survey still published;
    else the publication's time, as they were then."""
    if publication is None or (survey.status is SurveyStatus.PUBLISHED and publication == current(survey)):
        return None
    return publication.at


def document_for(survey: Survey) -> tuple[dict, list[Indicator], Published | None]:
    """What a page, download or API answer shows: the current publication if there is one, else the live
    results, built once per data version (``live_results``) (document, integrity indicators, publication or
    None). Shared between requests: read them, never change them."""
    publication = current(survey)
    if publication is None:
        document, indicators = live_results(survey)
        return document, indicators, None
    document = published_document(publication)
    return document, indicators_of(document), publication


def indicators_of(document: dict) -> list[Indicator]:
    """The integrity indicators a publication froze."""
    return [Indicator(i["kind"], i["severity"], i["subject"], i["evidence"]) for i in document.get("integrity", [])]
