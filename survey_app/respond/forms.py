"""Forms residents fill in, built from the survey's template snapshot."""
from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..i18n import _l
from ..models import AnswerValue
from ..survey_templates import SurveyTemplate

REASON_MAX = 500
OPINION_MAX = 2000
SATISFIED, NOT_SATISFIED = "satisfied", "not_satisfied"
VALUES = {SATISFIED: AnswerValue.SATISFIED, NOT_SATISFIED: AnswerValue.NOT_SATISFIED}


class CodeForm(FlaskForm):
    """The code printed on the household's slip."""

    class Meta:
        csrf = False  # a GET look-up that changes nothing

    code = StringField(_l("Mã hộ gia đình"), validators=[InputRequired(_l("Vui lòng nhập mã in trên phiếu."))])


class PhieuForm(FlaskForm):
    """Base class: the opinion box; the item fields are added per survey by ``phieu_form``."""

    opinion = TextAreaField(
        _l("Ý kiến khác (không bắt buộc)"),
        validators=[Optional(), Length(max=OPINION_MAX, message=_l("Ý kiến dài quá %(max)d ký tự."))],
    )


def phieu_form(template: SurveyTemplate, formdata=None) -> PhieuForm:
    """Build the phiếu form of a template: one radio group and one optional reason per item."""
    items = tuple((item.key, item.question) for item in template.items)
    return _phieu_form_class(items)(formdata=formdata)


@lru_cache(maxsize=64)
def _phieu_form_class(items: tuple[tuple[str, str], ...]) -> type[PhieuForm]:
    """The form class of a list of (key, question) items, built once per distinct list."""

    class Form(PhieuForm):
        pass

    for key, question in items:
        setattr(
            Form,
            f"item_{key}",
            RadioField(
                question,
                choices=[SelectChoice(SATISFIED, _l("Hài lòng")), SelectChoice(NOT_SATISFIED, _l("Không hài lòng"))],
                validators=[InputRequired(_l("Vui lòng chọn “Hài lòng” hoặc “Không hài lòng”."))],
            ),
        )
        setattr(
            Form,
            f"reason_{key}",
            TextAreaField(
                _l("Lý do chưa hài lòng (không bắt buộc)"),
                validators=[Optional(), Length(max=REASON_MAX, message=_l("Lý do dài quá %(max)d ký tự."))],
            ),
        )
    return Form


def valid_answers(keys: tuple[str, ...], formdata) -> tuple[dict, dict, str] | None:
    """(answers, reasons, opinion) of a posted phiếu when the phiếu form would accept it, else None.

    The same checks as ``phieu_form`` (every item answered with one of its two choices, each non-blank
    reason at most REASON_MAX characters, a non-blank opinion at most OPINION_MAX), without building 2n + 1
    fields per request; when it answers None the view builds the form, which says what is wrong.
    """
    answers, reasons = {}, {}
    for key in keys:
        value = formdata.get(f"item_{key}")
        if value not in VALUES:
            return None
        answers[key] = VALUES[value]
        reason = formdata.get(f"reason_{key}") or ""
        if len(reason) > REASON_MAX and reason.strip():
            return None
        reasons[key] = reason
    opinion = formdata.get("opinion") or ""
    if len(opinion) > OPINION_MAX and opinion.strip():
        return None
    return answers, reasons, opinion

