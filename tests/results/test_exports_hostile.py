"""Whatever residents typed, every document is produced whole: PDF report, XLSX, CSV, raw CSV, bundle.

Web answers cannot be corrected, so one opinion that broke a document would break it for good. The texts
are stored through the normal write path (``services.responses.submit``); village, commune and survey names
and the rules' notes are hostile too (they come from frame CSVs, unit imports and staff forms).
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from survey_app.exports import (
    BundleJob,
    explain,
    prepare_raw,
    raw_chunks,
    render_csv,
    render_pdf,
    render_xlsx,
    sha256,
    stream_bundle,
)
from survey_app.exports.safe import FORMULA_START, neutralise
from survey_app.extensions import db
from survey_app.models import AnswerValue, Commune, FrameVillage, Survey
from survey_app.services.household_codes import generate_code
from survey_app.services.integrity import integrity_indicators
from survey_app.services.issuing import IssuedCode
from survey_app.services.opinions import opinion_rows, summarise
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.results import results_document
from survey_app.services.slips import render_slips_pdf
from survey_app.services.surveys import transition

from ..factories import make_survey
from .factories import add_user, log_in

S, N = AnswerValue.SATISFIED, AnswerValue.NOT_SATISFIED
#: The texts of issue 13, item 8: each made the PDF answer 500 and cut the bundle mid-file.
ISSUE_TEXTS = ("Ý kiến" + "\r\n." * 300, "Đường" + "x" * 2000, "Ý kiến" + "\n" * 100 + "hết")
#: Excel refuses a cell longer than this.
EXCEL_CELL_MAX = 32767
ODD = ["\x00", "\r\n", "\n", "\r", "\t", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\u202e",
       "\u200f", "\u0301", "\ufeff", "\ufffe", "\uffff", "😀", "👨‍👩‍👧", "ệ", "中文", "ﷺ", "مرحبا", "=", "+",
       "-", "@", "'", '"', ",", ";", "%", "\u00a0", "=HYPERLINK(\"http://evil.example\",\"x\")"]
#: Arbitrary unicode (no lone surrogates: no database can store them), odd characters, huge runs.
PIECE = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(ODD),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["x", "ệ", "\n", "\r\n.", "😀", "\u0301", " ", "\x00"]),
              st.integers(50, 2500)),
)
TEXT = st.lists(PIECE, max_size=5).map("".join)
FUZZ = settings(max_examples=20)


def storable(text: str, limit: int | None = None) -> str:
    """The text as the database can hold it: PostgreSQL stores no NUL; names have a column length."""
    if db.session.get_bind().dialect.name == "postgresql":
        text = text.replace("\x00", "")
    return text[:limit] if limit else text


# --- what "well-formed" means for each document -------------------------------------------------


def check_pdf(data: bytes, folder: Path) -> str:
    """The PDF parses (poppler) and holds the whole report, down to its last section; return its text."""
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    text = pdf_text(data, folder)
    assert "BÁO CÁO" in text and "V. DẤU HIỆU CẦN KIỂM TRA" in text and "TM. BAN THƯỜNG TRỰC" in text
    return text


def check_xlsx(data: bytes) -> None:
    """The workbook opens; no cell is a formula, holds a character XML forbids, or is longer than Excel takes."""
    book = load_workbook(io.BytesIO(data))
    assert "Ý kiến" in book.sheetnames
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert len(value) <= EXCEL_CELL_MAX
                    assert not value.startswith(FORMULA_START)


def read_csv(data: bytes) -> list[list[str]]:
    """The rows of a UTF-8 CSV with a byte-order mark, each as long as the header."""
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), dialect="excel", strict=True))
    assert rows and all(len(row) == len(rows[0]) for row in rows)
    for row in rows:
        assert not any(cell.startswith(FORMULA_START) for cell in row)
    return rows


def check_bundle(data: bytes, folder: Path) -> dict[str, bytes]:
    """The ZIP is complete (manifest last, every hash right) and every file in it is well-formed."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))
    files = {entry["name"]: archive.read(entry["name"]) for entry in manifest["files"]}
    assert set(files) == {"ket-qua.json", "ket-qua.csv", "ket-qua.xlsx", "bao-cao.pdf", "phieu-tra-loi.csv"}
    json.loads(files["ket-qua.json"])
    read_csv(files["ket-qua.csv"])
    read_csv(files["phieu-tra-loi.csv"])
    check_xlsx(files["ket-qua.xlsx"])
    check_pdf(files["bao-cao.pdf"], folder)
    return files


def raw_opinions(data: bytes) -> list[str]:
    """The opinion column of the raw responses, sorted."""
    rows = read_csv(data)
    column = rows[0].index("Ý kiến khác")
    return sorted(row[column] for row in rows[1:] if row[column])


def as_recorded(opinions) -> list[str]:
    """Opinions as the raw responses must hold them: exactly as stored, only made inert for a spreadsheet."""
    return sorted(neutralise(text.strip()) for text in opinions if text.strip())


# --- the texts of the issue, through the downloads --------------------------------------------


@pytest.fixture
def auditor(app, client):
    log_in(app, client, add_user(app, "kiemtra"))
    return client


def test_texts_from_the_issue_leave_every_download_whole(app, auditor, tmp_path):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 8), ("T02", "=cmd|' /C calc'!A0\r\nHai", 4)))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = [item["key"] for item in survey.template["items"]]
        texts = ISSUE_TEXTS + (ISSUE_TEXTS[0],) * 4  # five copies: an integrity indicator quotes it too
        for slip, text in zip(issued, texts, strict=False):
            reasons = {key: text for key in items[:3]}
            submit(survey, find_code(slip.code), Submission({k: N for k in items}, reasons=reasons, opinion=text))
        transition(survey, "close", actor_name="test")
        db.session.commit()
    downloads = {}
    for fmt in ("pdf", "xlsx", "csv", "raw", "json", "bundle"):
        response = auditor.get(f"/results/{survey_id}/tai-ve/{fmt}")
        assert response.status_code == 200, fmt
        downloads[fmt] = response.get_data()
        response.close()
    text = check_pdf(downloads["pdf"], tmp_path)
    assert "Ý kiến . . ." in text and "…" in text  # line breaks collapsed, a long text cut visibly
    check_xlsx(downloads["xlsx"])
    read_csv(downloads["csv"])
    assert raw_opinions(downloads["raw"]) == as_recorded(texts)  # the record keeps every byte
    json.loads(downloads["json"])
    files = check_bundle(downloads["bundle"], tmp_path)
    assert raw_opinions(files["phieu-tra-loi.csv"]) == raw_opinions(downloads["raw"])


# --- any text, through every generator -------------------------------------------------------


@pytest.fixture
def fuzz_survey(app):
    """An open survey of two villages with enough codes for one example's phiếu (each example is undone)."""
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 6), ("T02", "Thôn Hai", 4)))
    return survey_id, [slip.code for slip in issued]


def _hostile_names(survey: Survey, data) -> None:
    """Give the villages, the commune, the survey and its first rule hostile names (flushed, undone later)."""
    for frame in db.session.query(FrameVillage).filter_by(survey_id=survey.id):
        frame.village.name = storable(data.draw(TEXT, label="village name"), 120)
    commune = db.session.get(Commune, survey.unit_code)
    commune.name = storable(data.draw(TEXT, label="commune name"), 120)
    survey.title = storable(data.draw(TEXT, label="title"), 300)
    rules = [dict(rule) for rule in survey.rules]
    rules[0] |= {"source": storable(data.draw(TEXT, label="source")), "note": storable(data.draw(TEXT, label="note"))}
    survey.rules = rules
    db.session.flush()


def _hostile_answers(survey: Survey, codes: list[str], data) -> list[str]:
    """Five phiếu with one repeated opinion (an integrity indicator quotes it), three with others; return them."""
    items = [item["key"] for item in survey.template["items"]]
    repeated = storable(data.draw(TEXT, label="repeated opinion"))
    opinions = [repeated] * 5 + [storable(data.draw(TEXT, label="opinion")) for _ in range(3)]
    for code, opinion in zip(codes, opinions, strict=False):
        reasons = {key: storable(data.draw(TEXT, label="reason")) for key in items[:2]}
        values = {key: N if key in reasons else S for key in items}
        submit(survey, find_code(code), Submission(values, reasons=reasons, opinion=opinion))
    return as_recorded(opinions)


@FUZZ
@given(data=st.data())
def test_no_text_breaks_a_document(app, fuzz_survey, tmp_path, data):
    survey_id, codes = fuzz_survey
    with app.test_request_context():
        survey = db.session.get(Survey, survey_id)
        try:
            _hostile_names(survey, data)
            opinions = _hostile_answers(survey, codes, data)
            document = results_document(survey)
            indicators = integrity_indicators(survey, document)
            check_pdf(render_pdf(document, summarise(survey.id), indicators), tmp_path)
            check_xlsx(render_xlsx(document, opinion_rows(survey.id)))
            read_csv(render_csv(document))
            assert raw_opinions(b"".join(raw_chunks(prepare_raw(survey)))) == opinions
            for indicator in indicators:
                sentence = explain.indicator_sentence(indicator.kind, indicator.subject, indicator.evidence, {})
                assert "\n" not in sentence and len(sentence) < 1000
        finally:
            db.session.rollback()


@settings(FUZZ, max_examples=8)
@given(data=st.data())
def test_no_text_cuts_the_bundle(app, fuzz_survey, tmp_path, data):
    survey_id, codes = fuzz_survey
    with app.test_request_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(db.session, "commit", db.session.flush)  # the stream's audit entry is undone with the rest
        survey = db.session.get(Survey, survey_id)
        try:
            _hostile_names(survey, data)
            opinions = _hostile_answers(survey, codes, data)
            document = results_document(survey)
            job = BundleJob(survey.id, document, tuple(integrity_indicators(survey, document)), prepare_raw(survey),
                            "vi", partial(opinion_rows, survey.id), partial(summarise, survey.id))
            completed = []  # the stream writes nothing itself: it hands the manifest to its caller
            files = check_bundle(b"".join(stream_bundle(job, lambda *done: completed.append(done))), tmp_path)
            assert len(completed) == 1 and completed[0][1] == {name: sha256(data) for name, data in files.items()}
            assert raw_opinions(files["phieu-tra-loi.csv"]) == opinions
        finally:
            db.session.rollback()


def pdf_text(data: bytes, folder: Path) -> str:
    """The text of a PDF as poppler reads it (which also proves that it parses)."""
    path = folder / "document.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no database work: one backend suffices
def test_slip_names_typed_over_several_lines_print_as_words(app, tmp_path):
    with app.app_context():
        slip = IssuedCode("T01", "Thôn\r\nMột\x1b", "Xã\nBình Sơn", 1, generate_code())
        text = pdf_text(render_slips_pdf([slip]), tmp_path)
    assert "Thôn Một\n" in text and "Xã Bình Sơn" in text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no database work: one backend suffices
@FUZZ
@given(villages=st.lists(TEXT, min_size=1, max_size=3), commune=TEXT)
def test_no_name_breaks_the_slips(app, tmp_path, villages, commune):
    with app.app_context():
        slips = [IssuedCode(f"T{n}", name, commune, n, generate_code()) for n, name in enumerate(villages, 1)]
        data = render_slips_pdf(slips, deadline=date(2026, 12, 25))
    text = pdf_text(data, tmp_path)
    assert all(slip.display in text and f"Phiếu số: {slip.serial}" in text for slip in slips)
