"""Create a survey from a template and move it through draft → open → closed → published."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal

import analysis

from ..errors import InputError, StateError
from ..extensions import db
from ..formatting import date as format_date
from ..i18n import _
from ..models import Commune, FrameVillage, Province, Survey, SurveyStatus
from ..models._types import utcnow
from ..models.surveys import vietnam_today
from ..survey_templates import SurveyTemplate, TemplateError, load_template
from . import audit, lifecycle, pending_work
from .units import FrameRow, frame_problems, upsert_village
from .window import default_window_end

#: How far from today the console lets a new survey start: a collection begun on paper a few weeks ago
#: can be registered, and a survey prepared a year ahead; anything else is a mistyped year.
START_DAYS_BEFORE_TODAY = 30
START_DAYS_AFTER_TODAY = 366


def start_problem(start: date, today: date | None = None) -> str | None:
    """Why a survey typed in the console cannot start on that day, or None."""
    today = today or vietnam_today()
    earliest, latest = today - timedelta(days=START_DAYS_BEFORE_TODAY), today + timedelta(days=START_DAYS_AFTER_TODAY)
    if earliest <= start <= latest:
        return None
    return _("Ngày bắt đầu phải từ %(earliest)s đến %(latest)s (không sớm hơn hôm nay quá %(before)s ngày, "
             "không muộn hơn quá một năm).", earliest=format_date(earliest), latest=format_date(latest),
             before=START_DAYS_BEFORE_TODAY)


def create_survey(template_key: str, unit_code: str, frame: list[FrameRow], *, start: date | None = None,
                  skip_holidays: bool = False, actor=None, actor_name: str | None = None) -> Survey:
    """Create a draft survey of a commune or a province with its frame of villages (flushes).

    Its window counts the configured number of days leaving out Saturdays and Sundays, and also public
    holidays when ``skip_holidays`` (services/window.py).
    """
    template = _template(template_key)
    level, unit_name = _unit(unit_code)
    if (template.level == "commune") != (level == "commune"):
        raise InputError(_("Mẫu phiếu “%(key)s” dành cho cấp %(wanted)s, không dùng cho %(unit)s.", key=template_key,
                           wanted=_("xã") if template.level == "commune" else _("huyện, thị xã hoặc tỉnh"),
                           unit=unit_name))
    if not frame:
        raise InputError(_("Danh sách thôn không có dòng nào."))
    if errors := frame_problems(frame, unit_code, level):
        raise InputError(_("Danh sách thôn có lỗi; chưa tạo đợt khảo sát."), errors)
    start = start or vietnam_today()
    if (problem := start_problem(start)) is not None:  # the console's rule, for the command line too
        raise InputError(problem)
    snapshot = template.to_snapshot()
    survey = Survey(
        template_key=template.key,
        template_version=template.version,
        template=snapshot,
        rules=snapshot["rules"],
        title=f"{template.short_title} – {unit_name}",
        unit_code=unit_code,
        unit_level=level,
        start_date=start,
        end_date=default_window_end(start, skip_holidays),
        skip_holidays=skip_holidays,
        status=SurveyStatus.DRAFT,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(survey)
    for row in frame:
        village = upsert_village(row.commune_code or unit_code, row.village_code, row.village_name,
                                 row.households)
        survey.frame.append(FrameVillage(village=village, households=row.households))
    db.session.flush()
    audit.record("survey.create", actor=actor, actor_name=actor_name, survey_id=survey.id,
                 template=template.key, unit=unit_code, villages=len(frame),
                 households=sum(r.households for r in frame), start=start.isoformat(),
                 end=survey.end_date.isoformat(), skip_holidays=skip_holidays)
    return survey


def _template(template_key: str) -> SurveyTemplate:
    try:
        return load_template(template_key)
    except TemplateError as exc:
        raise InputError(_("Không dùng được mẫu phiếu “%(key)s”: %(error)s", key=template_key,
                           error=str(exc))) from exc


def _unit(unit_code: str) -> tuple[str, str]:
    """The level ("commune" or "province") and full name of the surveyed unit; InputError if unknown."""
    if len(unit_code) == 5:
        commune = db.session.get(Commune, unit_code)
        if commune is None:
            raise InputError(_("Không có xã mã %(code)s. Hãy nhập danh mục đơn vị hành chính trước.",
                               code=unit_code))
        return "commune", commune.full_name
    province = db.session.get(Province, unit_code)
    if province is None:
        raise InputError(_("Không có tỉnh mã %(code)s.", code=unit_code))
    return "province", province.full_name


def survey_plan(rows: list[FrameRow], template: SurveyTemplate | None, margin: float) -> dict:
    """The sample sizes and quorum of a new survey's frame, for its preview: per village (row, sample size,
    households the coverage rule needs), the totals, the coverage rule (``quorum``) and the ``margin``."""
    rule = next((r for r in template.rules if r.kind == "coverage_min"), None) if template else None
    per_row = [(row, analysis.sample_size(row.households, margin=margin) if row.households else 0,
                math.ceil(rule.threshold * row.households) if rule else None) for row in rows]
    total = sum(row.households for row in rows)
    return {"rows": per_row, "households": total, "quorum": rule, "margin": margin,
            "sample": analysis.sample_size(total, margin=margin) if total else 0,
            "quorum_total": math.ceil(rule.threshold * total) if rule and total else None}


_TRANSITIONS = {
    "open": ({SurveyStatus.DRAFT}, SurveyStatus.OPEN, "opened_at"),
    "close": ({SurveyStatus.OPEN}, SurveyStatus.CLOSED, "closed_at"),
    "publish": ({SurveyStatus.CLOSED}, SurveyStatus.PUBLISHED, "published_at"),
}


def transition(survey: Survey, action: str, *, actor=None, actor_name: str | None = None,
               waiver: str | None = None, reason: str = "") -> Survey:
    """Open, close or publish a survey (flushes); raise StateError when its state does not allow it.

    The survey row is locked first (``lifecycle``), so no write checked against the old state is still
    running when the new one is committed. Publishing refuses while paper work is pending
    (``pending_work.waiver_details``) unless ``waiver`` explains, in at least MIN_JUSTIFICATION characters,
    why it is published anyway; the waived work and the reason go to the audit log. Publishing stores the
    results as published (``snapshots.prepare`` then ``record``); publishing again after a reopening needs ``reason``.
    """
    allowed, target, stamp = _TRANSITIONS[action]
    status = lifecycle.current_status(survey, for_update=True)
    if status not in allowed:
        raise StateError(_("Không thể thực hiện: đợt khảo sát đang ở trạng thái “%(status)s”.",
                           status=SurveyStatus(status).label))
    today = vietnam_today()
    if action == "open" and survey.end_date < today:
        raise StateError(_("Thời gian lấy ý kiến đã hết từ %(day)s: không mở được đợt khảo sát này. Hãy tạo "
                           "đợt mới với ngày bắt đầu đúng.", day=format_date(survey.end_date)))
    if action == "close" and today < survey.start_date:
        raise StateError(_("Chưa đến ngày bắt đầu lấy ý kiến (%(day)s) nên chưa thể kết thúc đợt khảo sát.",
                           day=format_date(survey.start_date)))
    details, snapshot = {}, None
    if action == "publish":
        details = pending_work.waiver_details(survey, waiver, MIN_JUSTIFICATION)
    survey.status = target
    setattr(survey, stamp, utcnow())
    db.session.flush()
    if action == "publish":  # built before any audit entry, whose lock is server-wide: a big survey takes seconds
        from . import snapshots  # imports this module's neighbours (results, integrity): import at call time

        snapshot = snapshots.prepare(survey, reason=reason)
    audit.record(f"survey.{action}", actor=actor, actor_name=actor_name, survey_id=survey.id, **details)
    if snapshot is not None:
        snapshots.record(survey, snapshot, actor=actor, actor_name=actor_name)
    return survey


#: A justification shorter than this is not a justification.
MIN_JUSTIFICATION = 15


#: A threshold as typed: a plain number (digits, at most one decimal point) and an optional percent sign, read
#: after NFKC (full-width digits and "％" become ASCII). No sign, no exponent, no other script's digits, and
#: short enough that no arithmetic on it can overflow: "9E+99" is refused with a message, not a server error.
_TYPED_THRESHOLD = re.compile(r"(?P<number>[0-9]{1,12}(?:\.[0-9]{0,12})?|\.[0-9]{1,12})\s*(?P<percent>%?)")
#: A threshold as stored: a share written with digits and an optional decimal point ("0.805", "1.0", "1").
_STORED_THRESHOLD = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,12})?")


def _typed_threshold(text) -> tuple[str, Decimal, bool] | None:
    """The number typed (as text and value) and whether a percent sign followed; None if it is not one."""
    text = unicodedata.normalize("NFKC", str(text)).strip().replace(",", ".")
    match = _TYPED_THRESHOLD.fullmatch(text)
    if match is None:
        return None
    return match["number"], Decimal(match["number"]), bool(match["percent"])


def ambiguous_threshold(text) -> bool:
    """A bare number from 1 to 10 ("8", "1"): 8 % or a mistyped 0,8? 1 % or 100 %? Too ambiguous to guess."""
    typed = _typed_threshold(text)
    if typed is None:
        return False
    number, value, percent = typed
    return not percent and (1 < value < 10 or number == "1")


def share_text(value: Decimal) -> str:
    """How a threshold is stored: a share with a decimal point ("0.805", "1.0"), never a bare "1"."""
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


def stored_threshold(text) -> Decimal | None:
    """A stored threshold (a share, as in the survey templates and ``share_text``), or None if unreadable."""
    text = str(text).strip()
    return Decimal(text) if _STORED_THRESHOLD.fullmatch(text) else None


def parse_threshold(text) -> Decimal | None:
    """Read a threshold typed as a share (0,80 or 1,0) or a percentage (80 %, 80); None if it is not one.

    A bare number from 10 to 100 is a percentage; one from 1 to 10 needs its % sign (``ambiguous_threshold``).
    """
    typed = _typed_threshold(text)
    if typed is None or ambiguous_threshold(text):
        return None
    _number, value, percent = typed
    if percent or value > 1:
        value = value / 100
    if not 0 < value <= 1:
        return None
    if value != value.quantize(Decimal("0.000001")):
        return None  # more precise than four decimals of a percentage: a typing slip
    return value


def change_rules(survey: Survey, rules: list[dict], justification: str, *, actor=None,
                 actor_name: str | None = None) -> Survey:
    """Replace the survey's rules, with a written justification (flushes); the audit keeps old and new."""
    justification = (justification or "").strip()
    errors = []
    if len(justification) < MIN_JUSTIFICATION:
        errors.append((0, _("Hãy ghi rõ lý do thay đổi (ít nhất %(n)s ký tự).", n=MIN_JUSTIFICATION)))
    lifecycle.require(survey, lifecycle.Write.RULES_CHANGE)
    if survey.published_at is not None:  # reopened for a correction: the rules were published with the results
        raise StateError(_("Quy tắc đã được công bố cùng kết quả: khi đính chính chỉ sửa phiếu, không đổi quy tắc."))
    for number, rule in enumerate(rules, 1):
        typed = str(rule.get("threshold", "")).strip()
        previous = survey.rules[number - 1].get("threshold") if number <= len(survey.rules) else None
        if previous is not None and typed == str(previous):
            continue  # shown as stored (a share such as "0.80") and left alone
        value = parse_threshold(typed)
        if value is None and ambiguous_threshold(typed):
            errors.append((0, _("Quy tắc %(n)s: chưa rõ “%(v)s” là phần trăm hay tỷ lệ; hãy ghi kèm dấu %% "
                                "(ví dụ 80 %%) hoặc ghi tỷ lệ (ví dụ 0,80).", n=number, v=typed)))
            continue
        if value is None:
            errors.append((0, _("Quy tắc %(n)s: ngưỡng “%(v)s” phải là một tỷ lệ lớn hơn 0 và không quá 100 %% "
                                "(ví dụ 80 %% hoặc 0,80), với tối đa bốn chữ số thập phân của phần trăm.",
                                n=number, v=typed)))
            continue
        same = previous is not None and stored_threshold(previous) == value
        rule["threshold"] = previous if same else share_text(value)
    if errors:
        raise InputError(_("Chưa đổi quy tắc."), errors)
    old = survey.rules
    if rules == old:
        raise InputError(_("Quy tắc không thay đổi."))
    survey.rules = [dict(rule) for rule in rules]
    db.session.flush()
    audit.record("survey.rules_change", actor=actor, actor_name=actor_name, survey_id=survey.id, old=old,
                 new=survey.rules, justification=justification)
    return survey
