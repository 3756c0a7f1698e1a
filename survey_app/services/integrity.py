"""Integrity indicators of a survey: grouped SQL feeds the pure functions of ``analysis.integrity``.

Every query is grouped or bounded, so a province-wide survey is checked without loading its phiếu.
Indicators tell an auditor where to look; they are not proof of anything.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Integer, and_, cast, func, select

import analysis
from analysis import Indicator
from analysis.integrity import normalise_opinion

from ..extensions import db
from ..models import AuditEntry, Channel, FrameVillage, Response, ResponseVersion, Survey, User, Village
from ..models.surveys import VIETNAM
from .surveys import stored_threshold

#: Clients sending at least this many web phiếu are looked at more closely (bounded look-up).
BURST_MIN_ANSWERS = 5
BURST_WINDOW = timedelta(minutes=10)
MAX_BURST_CLIENTS = 200
#: Paper phiếu keyed faster than this (mean seconds per phiếu within an hour) are flagged.
MIN_SECONDS_PER_FORM = 15.0
MIN_IDENTICAL_COPIES = 5
KEYING_BUCKET_SECONDS = 3600
_SEVERITY_ORDER = {"alert": 0, "warning": 1, "info": 2}


def unit_key(survey: Survey, village: Mapping) -> str:
    """The code a village has in tallies and rules: its own code, prefixed by its commune's in a province."""
    if survey.unit_level == "commune":
        return village["code"]
    return f"{village['commune_code']}/{village['code']}"


def _epoch_bucket(column, seconds: int):
    """Integer bucket number of a timestamp column, the same on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        epoch = cast(func.strftime("%s", column), Integer)
    else:
        epoch = cast(func.floor(func.extract("epoch", column)), Integer)
    return epoch // seconds


def _current_version():
    return and_(ResponseVersion.response_id == Response.id,
                ResponseVersion.version == Response.current_version)


def burst_indicators(survey: Survey) -> tuple[Indicator, ...]:
    """Web phiếu sent in bursts from one client (hashed address)."""
    candidates = db.session.execute(
        select(Response.client_hash)
        .where(Response.survey_id == survey.id, Response.channel == Channel.WEB,
               Response.client_hash.is_not(None))
        .group_by(Response.client_hash)
        .having(func.count() >= BURST_MIN_ANSWERS)
        .order_by(func.count().desc())
        .limit(MAX_BURST_CLIENTS)
    ).scalars().all()
    if not candidates:
        return ()
    rows = db.session.execute(
        select(Response.submitted_at, Response.client_hash)
        .where(Response.survey_id == survey.id, Response.channel == Channel.WEB,
               Response.client_hash.in_(candidates))
    ).all()
    return analysis.bursts([r[0] for r in rows], [r[1] for r in rows], window=BURST_WINDOW,
                           min_answers=BURST_MIN_ANSWERS)


def keying_indicators(survey: Survey) -> tuple[Indicator, ...]:
    """Paper phiếu keyed implausibly fast: batches are one keyer's phiếu within one clock hour."""
    bucket = _epoch_bucket(Response.submitted_at, KEYING_BUCKET_SECONDS).label("bucket")
    rows = db.session.execute(
        select(ResponseVersion.created_by_id, bucket, func.count(), func.min(Response.submitted_at),
               func.max(Response.submitted_at))
        .select_from(Response)
        .join(ResponseVersion, and_(ResponseVersion.response_id == Response.id, ResponseVersion.version == 1))
        .where(Response.survey_id == survey.id, Response.channel != Channel.WEB,
               ResponseVersion.created_by_id.is_not(None))
        .group_by(ResponseVersion.created_by_id, bucket)
    ).all()
    batches, context = [], {}
    for keyer, hour, forms, first, last in rows:
        batch_id = f"{keyer}/{hour}"
        # n phiếu keyed between first and last span n - 1 gaps: scale the span to n phiếu.
        seconds = (last - first).total_seconds() * forms / (forms - 1) if forms > 1 else 0.0
        batches.append((batch_id, forms, seconds))
        context[batch_id] = (keyer, datetime.fromtimestamp(int(hour) * KEYING_BUCKET_SECONDS, UTC))
    found = analysis.fast_keying(batches, min_seconds_per_form=MIN_SECONDS_PER_FORM)
    if not found:
        return ()
    names = dict(db.session.execute(
        select(User.id, User.username).where(User.id.in_({context[i.subject][0] for i in found}))
    ).all())
    return tuple(
        Indicator(i.kind, i.severity, i.subject, dict(i.evidence) | {
            "keyer": names.get(context[i.subject][0], "?"), "hour": context[i.subject][1]})
        for i in found
    )


def opinion_indicators(survey: Survey) -> tuple[Indicator, ...]:
    """Free-text opinions repeated word for word across phiếu."""
    rows = db.session.execute(
        select(ResponseVersion.opinion, func.count())
        .join(Response, _current_version())
        .where(Response.survey_id == survey.id, ResponseVersion.opinion != "")
        .group_by(ResponseVersion.opinion)
    ).all()
    totals: dict[str, int] = {}
    variants: dict[str, list[tuple[int, str]]] = {}
    for text, count in rows:
        key = normalise_opinion(text)
        totals[key] = totals.get(key, 0) + count
        variants.setdefault(key, []).append((count, text))
    texts = [key for key, count in totals.items() if count >= MIN_IDENTICAL_COPIES for _copy in range(count)]
    found = analysis.identical_opinions(texts, min_copies=MIN_IDENTICAL_COPIES)
    result = []
    for indicator in found:
        raw = [text for _count, text in variants[indicator.evidence["text"]]]
        villages = db.session.execute(
            select(Village.commune_code, Village.code)
            .join(FrameVillage, FrameVillage.village_id == Village.id)
            .join(Response, Response.frame_village_id == FrameVillage.id)
            .join(ResponseVersion, _current_version())
            .where(Response.survey_id == survey.id, ResponseVersion.opinion.in_(raw))
            .group_by(Village.commune_code, Village.code)
            .order_by(Village.commune_code, Village.code)
        ).all()
        keys = [unit_key(survey, {"code": code, "commune_code": commune}) for commune, code in villages]
        evidence = {k: v for k, v in indicator.evidence.items() if k != "positions"}
        evidence["villages"] = tuple(keys)
        evidence["text"] = max(variants[indicator.evidence["text"]])[1].strip()  # as most residents wrote it
        result.append(Indicator(indicator.kind, indicator.severity, None, evidence))
    return tuple(result)


def window_indicators(survey: Survey) -> tuple[Indicator, ...]:
    """Phiếu stamped before the first day or after the last day of the survey window (Vietnam time)."""
    start = datetime.combine(survey.start_date, time(0), VIETNAM)
    end = datetime.combine(survey.end_date + timedelta(days=1), time(0), VIETNAM)
    stamps = Response.submitted_at
    early, first_early, last_early = db.session.execute(
        select(func.count(), func.min(stamps), func.max(stamps))
        .where(Response.survey_id == survey.id, stamps < start)).one()
    late, first_late, last_late = db.session.execute(
        select(func.count(), func.min(stamps), func.max(stamps))
        .where(Response.survey_id == survey.id, stamps >= end)).one()
    if not early and not late:
        return ()
    return (Indicator("outside_window", "alert", None, {
        "before": early, "after": late,
        "earliest": first_early or first_late, "latest": last_late or last_early,
        "start": start, "end": end - timedelta(microseconds=1),
    }),)


def _lowered(old_rules: list[dict], new_rules: list[dict]) -> int:
    """How many thresholds a change of rules lowered."""
    count = 0
    for old, new in zip(old_rules, new_rules, strict=False):
        before, after = stored_threshold(old.get("threshold", "")), stored_threshold(new.get("threshold", ""))
        count += before is not None and after is not None and after < before
    return count


def rules_indicators(survey: Survey) -> tuple[Indicator, ...]:
    """Recognition rules changed once answers could come in: the yardstick moved after the results began."""
    if survey.opened_at is None:
        return ()
    changes = db.session.execute(
        select(AuditEntry.created_at, AuditEntry.actor_name, AuditEntry.details)
        .where(AuditEntry.survey_id == survey.id, AuditEntry.action == "survey.rules_change",
               AuditEntry.created_at >= survey.opened_at)
        .order_by(AuditEntry.id)).all()
    if not changes:
        return ()
    lowered = sum(_lowered(details.get("old", []), details.get("new", [])) for _at, _by, details in changes)
    return (Indicator("rules_changed", "alert" if lowered else "warning", None, {
        "changes": len(changes), "lowered": lowered, "last": changes[-1].created_at,
        "by": tuple(sorted({by for _at, by, _details in changes})),
        "justification": changes[-1].details.get("justification", ""),
    }),)


def tally_indicators(survey: Survey, document: Mapping) -> tuple[Indicator, ...]:
    """Full coverage, and villages departing from the rest of their commune, from the document's counts."""
    villages = document["villages"]
    found = analysis.full_coverage(
        (unit_key(survey, v), v["households"], v["respondents"]) for v in villages)
    overall = survey.template.get("overall_item")
    if overall:
        communes: dict[str, list[tuple[str, int, int]]] = {}
        for village in villages:  # each village is compared with the rest of its own commune
            counts = next(i for i in village["items"] if i["key"] == overall)
            communes.setdefault(village["commune_code"], []).append(
                (unit_key(survey, village), village["respondents"], counts["satisfied"]))
        for rows in communes.values():
            found += analysis.outlier_villages(rows)
    return found


def integrity_indicators(survey: Survey, document: Mapping) -> list[Indicator]:
    """Every triggered indicator of a survey, most urgent first."""
    found = [*burst_indicators(survey), *keying_indicators(survey), *opinion_indicators(survey),
             *window_indicators(survey), *rules_indicators(survey), *tally_indicators(survey, document)]
    return sorted(found, key=lambda i: _SEVERITY_ORDER.get(i.severity, 3))
