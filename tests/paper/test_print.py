"""`flask paper print`: one machine-readable A4 phiếu per unused household code, drawn where the layout says."""
from __future__ import annotations

import io

import numpy as np
import pypdf
import pytest

from bench.paper.raster import pdf_pages, qr_text
from survey_app.extensions import db
from survey_app.models import AnswerValue, AuditEntry, Survey
from survey_app.paper_scan import payload

from ..factories import make_survey

DPI = 150
PX = DPI / 25.4  # pixels per millimetre


def _answer_online(app, survey_id: int, slip) -> None:
    from survey_app.services.responses import Submission, find_code, submit

    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        keys = [item["key"] for item in survey.template["items"]]
        submit(survey, find_code(slip.display), Submission(dict.fromkeys(keys, AnswerValue.SATISFIED)))
        db.session.commit()


def _layout(app, survey_id: int):
    from survey_app.services.paper_forms import layout

    with app.app_context():
        return layout(db.session.get(Survey, survey_id))


def test_cli_prints_a_form_per_unused_code_of_the_village_each_page_naming_itself(app, runner, tmp_path):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 3), ("T02", "Thôn Hai", 2)))
    _answer_online(app, survey_id, issued[0])  # answered online: no paper phiếu for it
    out = tmp_path / "phieu.pdf"
    result = runner.invoke(args=["paper", "print", str(survey_id), "--village", "T01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 2 phiếu" in result.output
    layout = _layout(app, survey_id)
    pages = pdf_pages(out.read_bytes(), DPI)
    assert len(pages) == 2 * len(layout.pages)
    read = [payload.parse(qr_text(page)) for page in pages]
    expected = [(slip.display, number, len(layout.pages), layout.fingerprint)
                for slip in issued[1:3] for number in range(1, len(layout.pages) + 1)]
    assert [(p.code, p.page, p.pages, p.fingerprint) for p in read] == expected
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(action="paper.print").one()
        assert entry.details["count"] == 2 and entry.details["village"] == "T01"


def test_cli_prints_every_village_without_village_and_refuses_an_unknown_one(app, runner, tmp_path):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 2), ("T02", "Thôn Hai", 1)))
    out = tmp_path / "all.pdf"
    result = runner.invoke(args=["paper", "print", str(survey_id), "--out", str(out)])
    assert result.exit_code == 0 and "Wrote 3 phiếu" in result.output
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages)
    for slip in issued:
        assert f"Phiếu số {slip.serial} · Mã hộ: {slip.display}" in text
    missing = tmp_path / "none.pdf"
    result = runner.invoke(args=["paper", "print", str(survey_id), "--village", "T99", "--out", str(missing)])
    assert result.exit_code != 0 and "No village T99" in result.output and not missing.exists()


@pytest.mark.parametrize("template", ["xa-ntm-2026", "xa-ntm-2021"])
def test_the_form_has_the_web_wording_two_labelled_boxes_per_item_and_the_instructions(app, runner, tmp_path,
                                                                                       template):
    survey_id, issued = make_survey(app, template=template, villages=(("T01", "Thôn Một", 1),))
    out = tmp_path / "phieu.pdf"
    assert runner.invoke(args=["paper", "print", str(survey_id), "--out", str(out)]).exit_code == 0
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    with app.app_context():
        tpl = db.session.get(Survey, survey_id).template
    for item in tpl["items"]:
        assert " ".join(item["question"].split()) in text
    assert text.count("Không hài lòng") == len(tpl["items"])
    assert text.count("Lý do:") == len(tpl["items"])
    for words in ("Đánh dấu X hoặc ✓ vào một ô cho mỗi câu.", "Ý kiến khác (không bắt buộc):", "Thôn Một",
                  "Xã Bình Sơn", issued[0].display, "survey.test", tpl["title"]):
        assert words in text, words


def _pixels(image: np.ndarray, rect, inset: float = 0.0) -> np.ndarray:
    x0, y0 = round((rect.x + inset) * PX), round((rect.y + inset) * PX)
    x1, y1 = round((rect.right - inset) * PX), round((rect.bottom - inset) * PX)
    return image[y0:y1, x0:x1]


def test_marks_boxes_and_qr_are_printed_exactly_where_the_layout_says(app, runner, tmp_path):
    """The reader measures the layout's numbers: the printed page must match them to a fraction of a mm."""
    survey_id, _ = make_survey(app, villages=(("T01", "Thôn Một", 1),))
    out = tmp_path / "phieu.pdf"
    assert runner.invoke(args=["paper", "print", str(survey_id), "--out", str(out)]).exit_code == 0
    layout = _layout(app, survey_id)
    for page, image in zip(layout.pages, pdf_pages(out.read_bytes(), DPI), strict=True):
        for mark in layout.marks:
            assert _pixels(image, mark, 0.3).mean() < 20  # solid black
            assert _pixels(image, mark.grow(1.2)).mean() > _pixels(image, mark).mean()  # white around it
        for item in page.items:
            for box, label in zip(item.boxes, item.labels, strict=True):
                assert box.right < label.box.x  # the box is left of its label
                assert _pixels(image, box, 0.8).min() > 200  # empty inside
                border = np.concatenate([_pixels(image, box, -0.1)[:, :2].ravel(),
                                         _pixels(image, box, -0.1)[:2, :].ravel()])
                assert border.mean() < 140  # the drawn border is on the rectangle's edge
                assert _pixels(image, label.box).min() < 100  # the label's text is in its box
        import zxingcpp

        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)[0].position
        corners = np.array([[p.x, p.y] for p in (found.top_left, found.top_right, found.bottom_right,
                                                 found.bottom_left)]) / PX
        qr = layout.qr
        expected = np.array([[qr.x, qr.y], [qr.right, qr.y], [qr.right, qr.bottom], [qr.x, qr.bottom]])
        assert np.abs(corners - expected).max() < 0.5


@pytest.mark.parametrize("key", ["xa-ntm-2021", "xa-ntm-nang-cao-2021", "xa-ntm-kieu-mau-2021", "huyen-ntm-2021",
                                 "huyen-ntm-nang-cao-2021", "thi-xa-thanh-pho-2021", "tinh-2021", "xa-ntm-2026"])
def test_every_shipped_template_fits_two_pages_in_large_print(app, key):
    from flask_babel import force_locale  # noqa: F401 - the wording is forced to Vietnamese by the service

    from survey_app.services.paper_forms import layout
    from survey_app.survey_templates import load_template

    with app.app_context():
        survey = Survey(template=load_template(key).to_snapshot())
        form = layout(survey)
    assert len(form.pages) <= 2 and form.size >= 11
    assert [item.key for item in form.items] == [item.key for item in load_template(key).items]
