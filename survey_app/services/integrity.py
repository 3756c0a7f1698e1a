"""Integrity indicators of a survey: grouped SQL feeds the pure functions of ``analysis.integrity``.

Every query is grouped or bounded, so a province-wide survey is checked without loading its phiếu.
Indicators tell an auditor where to look; they are not proof of anything. Each is calibrated to stay
silent on honest surveys (docs/integrity.md): a burst is judged against its address's share of the
traffic and the meetings staff declared, fast keying against the keyer's own pace, identical opinions
against ordinary phrases and coincidence.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Integer, and_, cast, func, select

import analysis
from analysis import Indicator
from analysis.integrity import Traffic, bursts, fast_keying, repeated_opinions

from ..extensions import db
from ..models import (
    AuditEntry,
    Channel,
    DeclaredMeeting,
    FrameVillage,
    Response,
    ResponseVersion,
    Survey,
    User,
    Village,
)
from ..models.surveys import VIETNAM
from .surveys import stored_threshold

#: Addresses sending at least this many web phiếu are looked at more closely (bounded look-up).
BURST_MIN_ANSWERS = 5
#: Answers of one address at most this far apart belong to one session.
BURST_GAP = timedelta(minutes=10)
MAX_BURST_CLIENTS = 200
#: Web answers are counted per village in buckets this long to compare an address with the traffic.
TRAFFIC_BUCKET_SECONDS = 60
KEYING_BUCKET_SECONDS = 3600
_SEVERITY_ORDER = {"alert": 0, "warning": 1, "info": 2}


def unit_key(survey: Survey, village: Mapping) -> str:
    """The code a village has in tallies and rules: its own code, prefixed by its commune's in a province."""
    if survey.unit_level == "commune":
        return village["code"]
    return f"{village['commune_code']}/{village['code']}"


def _unit_keys(survey: Survey) -> dict[int, str]:
    """Unit key of every village of the frame, by frame village id."""
    return {frame_id: unit_key(survey, {"code": code, "commune_code": commune}) for frame_id, code, commune in
            db.session.execute(select(FrameVillage.id, Village.code, Village.commune_code)
                               .join(Village, Village.id == FrameVillage.village_id)
                               .where(FrameVillage.survey_id == survey.id))}


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


def _bucket_start(bucket, seconds: int) -> datetime:
    return datetime.fromtimestamp(int(bucket) * seconds, UTC)


def _web_traffic(survey: Survey, frame_ids: set[int], keys: Mapping[int, str]) -> Traffic:
    """Web answers per village: per minute for the villages of the addresses looked at, totals for all."""
    web = (Response.survey_id == survey.id, Response.channel == Channel.WEB)
    totals = {keys.get(frame_id, str(frame_id)): n for frame_id, n in db.session.execute(
        select(Response.frame_village_id, func.count()).where(*web).group_by(Response.frame_village_id))}
    bucket = _epoch_bucket(Response.submitted_at, TRAFFIC_BUCKET_SECONDS).label("bucket")
    rows = db.session.execute(
        select(Response.frame_village_id, bucket, func.count())
        .where(*web, Response.frame_village_id.in_(frame_ids))
        .group_by(Response.frame_village_id, bucket)).all()
    return Traffic.from_buckets(
        ((keys.get(frame_id, str(frame_id)), _bucket_start(b, TRAFFIC_BUCKET_SECONDS), n) for frame_id, b, n in rows),
        timedelta(seconds=TRAFFIC_BUCKET_SECONDS), totals=totals)


def declared_meetings(survey: Survey) -> list[DeclaredMeeting]:
    """The meetings declared for the survey, in time order."""
    return list(db.session.execute(
        select(DeclaredMeeting).where(DeclaredMeeting.survey_id == survey.id)
        .order_by(DeclaredMeeting.starts_at, DeclaredMeeting.id)).scalars())


def burst_indicators(survey: Survey) -> tuple[Indicator, ...]:
    """Web phiếu from one network address (hashed) that its share of the traffic and random arrival do not
    explain, and the declared meetings that covered web answers."""
    keys = _unit_keys(survey)
    meetings = declared_meetings(survey)
    windows = [(keys.get(m.frame_village_id), m.starts_at, m.ends_at) for m in meetings]
    candidates = db.session.execute(
        select(Response.client_hash)
        .where(Response.survey_id == survey.id, Response.channel == Channel.WEB,
               Response.client_hash.is_not(None))
        .group_by(Response.client_hash)
        .having(func.count() >= BURST_MIN_ANSWERS)
        .order_by(func.count().desc(), Response.client_hash)
        .limit(MAX_BURST_CLIENTS)
    ).scalars().all()
    rows = db.session.execute(
        select(Response.submitted_at, Response.client_hash, Response.frame_village_id)
        .where(Response.survey_id == survey.id, Response.channel == Channel.WEB,
               Response.client_hash.in_(candidates))
    ).all() if candidates else []
    if meetings:  # a meeting's answers over other addresses count in what it covered
        covered = db.session.execute(
            select(Response.submitted_at, Response.client_hash, Response.frame_village_id)
            .where(Response.survey_id == survey.id, Response.channel == Channel.WEB,
                   Response.frame_village_id.in_({m.frame_village_id for m in meetings}),
                   Response.client_hash.not_in(candidates) | Response.client_hash.is_(None),
                   Response.submitted_at >= min(m.starts_at for m in meetings) - timedelta(hours=1),
                   Response.submitted_at <= max(m.ends_at for m in meetings) + timedelta(hours=1))
        ).all()
        rows = [*rows, *covered]
    if not rows:
        return ()
    traffic = _web_traffic(survey, {r[2] for r in rows}, keys)
    found = bursts([r[0] for r in rows], [r[1] for r in rows], [keys.get(r[2], str(r[2])) for r in rows],
                   meetings=windows, traffic=traffic, gap=BURST_GAP, min_answers=BURST_MIN_ANSWERS)
    return tuple(_with_declaration(i, meetings, keys) for i in found)


def _with_declaration(indicator: Indicator, meetings: list[DeclaredMeeting], keys: Mapping[int, str]) -> Indicator:
    """A declared meeting's note with who declared it, when, and what they wrote."""
    if indicator.kind != "declared_meeting":
        return indicator
    evidence = indicator.evidence
    meeting = next((m for m in meetings if keys.get(m.frame_village_id) == indicator.subject
                    and m.starts_at == evidence["start"] and m.ends_at == evidence["end"]), None)
    if meeting is None:
        return indicator
    name = db.session.get(User, meeting.created_by_id).username if meeting.created_by_id else None
    return Indicator(indicator.kind, indicator.severity, indicator.subject, dict(evidence) | {
        "declared_at": meeting.created_at, "declared_by": name or "?", "note": meeting.note,
        "declared_after": meeting.created_at > meeting.ends_at})


def keying_indicators(survey: Survey) -> tuple[Indicator, ...]:
    """Paper phiếu keyed implausibly fast for their keyer: batches are one keyer's phiếu within one clock hour."""
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
    batches, hours = [], {}
    for keyer, hour, forms, first, last in rows:
        batch_id = f"{keyer}/{hour}"
        # n phiếu keyed between first and last span n - 1 gaps: scale the span to n phiếu.
        seconds = (last - first).total_seconds() * forms / (forms - 1) if forms > 1 else 0.0
        batches.append((str(keyer), batch_id, forms, seconds))
        hours[batch_id] = _bucket_start(hour, KEYING_BUCKET_SECONDS)
    found = fast_keying(batches)
    if not found:
        return ()
    names = {str(user_id): name for user_id, name in db.session.execute(
        select(User.id, User.username).where(User.id.in_({int(i.evidence["keyer"]) for i in found})))}
    return tuple(
        Indicator(i.kind, i.severity, i.subject, dict(i.evidence) | {
            "keyer": names.get(i.evidence["keyer"], "?"), "hour": hours[i.subject]})
        for i in found
    )


def opinion_indicators(survey: Survey) -> tuple[Indicator, ...]:
    """Unusual free-text opinions repeated in a village more than coincidence or their popularity explains."""
    keys = _unit_keys(survey)
    rows = db.session.execute(
        select(ResponseVersion.opinion, Response.frame_village_id, func.count())
        .join(Response, _current_version())
        .where(Response.survey_id == survey.id, ResponseVersion.opinion != "")
        .group_by(ResponseVersion.opinion, Response.frame_village_id)
    ).all()
    found = repeated_opinions((text, keys.get(frame_id, str(frame_id)), count) for text, frame_id, count in rows)
    return tuple(Indicator(i.kind, i.severity, i.subject, {k: v for k, v in i.evidence.items() if k != "key"})
                 for i in found)


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
    overall = survey.form.overall_item
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
