"""Printable, machine-readable paper phiếu of a survey: its layout and the PDF of a village's (or all) forms.

The layout is computed from the survey's template snapshot and the fixed Vietnamese wording, so the reader
(``paper_scan``) recomputes exactly what was printed; its fingerprint in each page's QR catches the rare
sheet printed from another geometry.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from ..exports.paper_form import Household, SlotTexts, form_layout, render_paper_forms
from ..i18n import _
from ..models import Survey
from ..paper_scan.layout import FormLayout, Wording
from . import audit, issuing
from .slips import _fonts


def wording(survey: Survey) -> Wording:
    """Every text that shapes the phiếu, in Vietnamese whatever the staff's language (it goes to households)."""
    template = survey.form
    config = current_app.config
    host = urlsplit(config["SURVEY_PUBLIC_URL"]).netloc or config["SURVEY_PUBLIC_URL"]
    with force_locale("vi"):
        return Wording(
            title=template.title,
            purpose=template.purpose,
            online=_("Hộ có thể trả lời qua mạng thay cho phiếu giấy: quét mã QR trên phiếu bằng điện thoại, "
                     "hoặc vào %(host)s và nhập mã hộ. Phiếu nào đến trước thì được tính.", host=host),
            instruction=_("Đánh dấu X hoặc ✓ vào một ô cho mỗi câu."),
            satisfied=template.answer_options["satisfied"],
            not_satisfied=template.answer_options["not_satisfied"],
            reason=_("Lý do:"),
            opinion=_("Ý kiến khác (không bắt buộc):"),
            continued=_("(tiếp theo)"),
            items=tuple((item.key, item.question) for item in template.items),
        )


def layout(survey: Survey) -> FormLayout:
    """The geometry of the survey's printed phiếu (the same for every household)."""
    return form_layout(wording(survey), _fonts())


def _texts() -> SlotTexts:
    with force_locale("vi"):
        return SlotTexts(
            household=_("Phiếu số %(serial)s · Mã hộ: %(code)s"),
            place=_("%(village)s · %(commune)s"),
            footer=_("Trang %(page)s/%(pages)s · Phiếu số %(serial)s · Xin đừng viết lên mã QR và bốn ô đen ở góc."),
            title=_("Phiếu lấy ý kiến (bản giấy)"),
        )


def print_forms(survey: Survey, *, frame_village_id: int | None = None, actor=None,
                actor_name: str | None = None) -> tuple[bytes, int]:
    """The PDF of one phiếu per usable household code (of one village, or all) and how many; logged."""
    slips = issuing.reprint(survey, frame_village_id=frame_village_id)
    homes = [Household(slip.serial, slip.display, slip.url, slip.village_name, slip.commune_name)
             for slip in slips]
    with force_locale("vi"):
        empty = _("Không có mã nào để in.")
    data = render_paper_forms(layout(survey), homes, _texts(), _fonts(), empty)
    village = next((f.village.code for f in survey.frame if f.id == frame_village_id), None)
    audit.record("paper.print", actor=actor, actor_name=actor_name, survey_id=survey.id, count=len(homes),
                 **({"village": village} if village else {}))
    return data, len(homes)
