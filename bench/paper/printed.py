"""A printed phiếu without a database: the xa-ntm-2021 template's layout and one household's PDF pages."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from survey_app.exports.paper_form import Household, SlotTexts, form_layout, render_paper_forms
from survey_app.paper_scan.layout import FormLayout, Wording
from survey_app.services.slips import DEFAULT_FONT, DEFAULT_FONT_BOLD
from survey_app.survey_templates import load_template

from .raster import pdf_pages

FONTS = (DEFAULT_FONT, DEFAULT_FONT_BOLD)
CODE = "K7PX-3MQD-9T"


@lru_cache(maxsize=4)
def layout(key: str = "xa-ntm-2021") -> FormLayout:
    template = load_template(key).to_snapshot()
    wording = Wording(title=template["title"], purpose=template["purpose"], online="Trả lời qua mạng: survey.test",
                      instruction="Đánh dấu X hoặc ✓ vào một ô cho mỗi câu.", satisfied="Hài lòng",
                      not_satisfied="Không hài lòng", reason="Lý do:", opinion="Ý kiến khác (không bắt buộc):",
                      continued="(tiếp theo)", items=tuple((i["key"], i["question"]) for i in template["items"]))
    return form_layout(wording, FONTS)


def pdf(key: str = "xa-ntm-2021", code: str = CODE) -> bytes:
    home = Household(7, code, f"http://survey.test/s/{code}", "Thôn Một", "Xã Bình Sơn")
    texts = SlotTexts("Phiếu số %(serial)s · Mã hộ: %(code)s", "%(village)s · %(commune)s",
                      "Trang %(page)s/%(pages)s", "Phiếu")
    return render_paper_forms(layout(key), [home], texts, FONTS, "")


@lru_cache(maxsize=8)
def _pages(key: str, dpi: int) -> tuple[np.ndarray, ...]:
    return tuple(pdf_pages(pdf(key), dpi))


def page_image(number: int = 1, dpi: int = 200, key: str = "xa-ntm-2021") -> np.ndarray:
    """A fresh copy of a rendered page (grey), to draw on."""
    return _pages(key, dpi)[number - 1].copy()
