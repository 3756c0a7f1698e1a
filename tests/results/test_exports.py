"""Downloads: XLSX and CSV read as a spreadsheet would, the PDF's text, raw responses, bundle, audit log."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.exports.tables import Rate
from survey_app.extensions import db
from survey_app.models import AuditEntry, Survey
from survey_app.services.results import results_document

from .factories import FIRST, HYPERLINK, OTHER, OVERALL

FORMULA_TEXTS = (HYPERLINK, "-2", "@SUM(A1:A2)", "+1")


def download(client, survey_id: int, fmt: str) -> bytes:
    response = client.get(f"/results/{survey_id}/tai-ve/{fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    response.close()
    return data


def read_csv_as_excel(data: bytes) -> list[dict]:
    """Excel reads a UTF-8 CSV correctly only with a BOM; it splits on commas and honours quotes."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline=""), dialect="excel"))


def export_entries(app) -> list[AuditEntry]:
    with app.app_context():
        return db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "results.export").order_by(AuditEntry.id)
        ).scalars().all()


def test_xlsx_holds_the_right_numbers_as_numbers(app, auditor_client, hand_counted):
    book = load_workbook(io.BytesIO(download(auditor_client, hand_counted.survey_id, "xlsx")))
    assert book.sheetnames == ["Tổng hợp", "Theo nội dung", "Theo thôn", "Ý kiến", "Quy định", "Ghi chú"]
    items = book["Theo nội dung"]
    assert items.freeze_panes == "C2"
    header = [cell.value for cell in items[1]]
    assert header[:7] == ["Mã nội dung", "Nội dung", "Hài lòng", "Không hài lòng", "Không xác định",
                          "Số phiếu", "Tỷ lệ hài lòng"]
    rows = {row[0].value: row for row in items.iter_rows(min_row=2)}
    first = rows[FIRST]
    assert [c.value for c in first[2:6]] == [2, 2, 1, 5]
    assert first[6].value == 0.4 and first[6].number_format == "0.00%"
    assert rows[OVERALL][6].value == 0.6 and rows[OTHER][2].value == 4
    assert items.column_dimensions["B"].width > items.column_dimensions["A"].width
    villages = book["Theo thôn"]
    assert villages.freeze_panes == "D2"
    by_code = {row[1].value: [c.value for c in row] for row in villages.iter_rows(min_row=2)}
    assert by_code["T01"][3:8] == [4, 4, 3, 1, 0.75]
    assert by_code["T02"][2] == "'@Thôn Hai"  # a village name that looks like a formula is inert too
    summary = {row[0].value: row[1].value for row in book["Tổng hợp"].iter_rows(min_row=2)}
    assert summary["Số hộ trong danh sách"] == 7 and summary["Số phiếu thu về"] == 5
    assert summary["Tỷ lệ hài lòng chung"] == 0.6 and summary["Kết luận"] == "Không đạt"
    rules = {row[0].value: [c.value for c in row] for row in book["Quy định"].iter_rows(min_row=2)}
    assert rules["Tỷ lệ hài lòng từng nội dung"][1:6] == [0.8, "Không đạt", 2, 5, 0.4]
    assert rules["Tỷ lệ hộ tham gia ý kiến"][2] == "Đạt"


def test_spreadsheet_rates_are_truncated_never_rounded_up():
    assert Rate.of(1808, 2009).truncated(4) == Decimal("0.8999")  # 89.995 % must not show as 90.00 %
    assert Rate.of(1808, 2009).percent_text() == "89.99"
    assert Rate.of(29, 100).truncated(4) == Decimal("0.29") and Rate.of(0, 0).truncated(4) is None


def test_formula_looking_text_is_inert_in_xlsx(auditor_client, hand_counted):
    book = load_workbook(io.BytesIO(download(auditor_client, hand_counted.survey_id, "xlsx")))
    texts = [row[6] for row in book["Ý kiến"].iter_rows(min_row=2)]
    values = {cell.value for cell in texts}
    for text in FORMULA_TEXTS:
        assert "'" + text in values
    assert all(cell.data_type == "s" for cell in texts)
    assert "Đường xấu" in values  # reasons for dissatisfaction are there too


def test_csv_is_read_by_excel_with_the_right_numbers(auditor_client, hand_counted):
    response = auditor_client.get(f"/results/{hand_counted.survey_id}/tai-ve/csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    rows = read_csv_as_excel(download(auditor_client, hand_counted.survey_id, "csv"))
    whole = {r["Mã nội dung"]: r for r in rows if r["Cấp"] == "Toàn xã"}
    assert (whole[FIRST]["Hài lòng"], whole[FIRST]["Không hài lòng"], whole[FIRST]["Không xác định"]) == (
        "2", "2", "1")
    assert whole[OVERALL]["Tỷ lệ hài lòng (%)"] == "60.00" and whole[FIRST]["Tỷ lệ hài lòng (%)"] == "40.00"
    assert whole[OVERALL]["Số hộ"] == "7" and whole[OVERALL]["Số phiếu thu về"] == "5"
    village = {(r["Mã đơn vị"], r["Mã nội dung"]): r for r in rows if r["Cấp"] == "Thôn"}
    assert village[("T01", OVERALL)]["Hài lòng"] == "2" and village[("T02", OVERALL)]["Hài lòng"] == "1"
    assert village[("T02", OVERALL)]["Tên đơn vị"] == "'@Thôn Hai"
    assert len(rows) == 11 * 3


def test_raw_responses_stream_without_codes_and_with_inert_text(app, auditor_client, hand_counted):
    response = auditor_client.get(f"/results/{hand_counted.survey_id}/tai-ve/raw")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    data = response.get_data()
    response.close()
    rows = read_csv_as_excel(data)
    assert len(rows) == 5
    assert {r["Mã thôn"] for r in rows} == {"T01", "T02"}
    opinions = {r["Ý kiến khác"] for r in rows}
    assert {"'" + HYPERLINK, "'-2", "'@SUM(A1:A2)", ""} == opinions
    assert any(r["Tiêu chí 1: lý do chưa hài lòng"] == "'+1" for r in rows)
    first = next(k for k in rows[0] if k.startswith("Tiêu chí 1:"))
    assert first == "Tiêu chí 1: Quy hoạch"  # numbered once, as the form numbers it
    assert sorted(r[first] for r in rows) == ["0", "1", "1", "2", "2"]
    text = data.decode("utf-8-sig")
    assert "receipt" not in text.lower() and "client" not in text.lower()


def test_pdf_report_text_has_vietnamese_headings(auditor_client, hand_counted, tmp_path):
    data = download(auditor_client, hand_counted.survey_id, "pdf")
    assert data.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in ("BÁO CÁO", "Kết quả lấy ý kiến sự hài lòng của người dân về kết quả xây dựng nông thôn",
                    "I. QUÁ TRÌNH TỔ CHỨC LẤY Ý KIẾN", "II. KẾT QUẢ LẤY Ý KIẾN", "1. Số hộ và số phiếu",
                    "2. Kết quả theo từng nội dung", "III. ĐỐI CHIẾU QUY ĐỊNH VÀ KẾT LUẬN",
                    "IV. Ý KIẾN, KIẾN NGHỊ CỦA NGƯỜI DÂN", "V. DẤU HIỆU CẦN KIỂM TRA",
                    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập – Tự do – Hạnh phúc"):
        assert heading in text, heading
    assert ("Số hộ trong danh sách: 7; số phiếu thu về: 5; số hộ chưa trả lời: 2; tỷ lệ hộ tham gia: 71,42 %. "
            "Số phiếu phát ra: 7; số phiếu phát ra chưa thu về: 2.") in " ".join(text.split())
    assert "Kết luận: Không đạt." in text
    assert "Tiêu chí 1: Quy hoạch" in text and "40,00 %" in text


def test_json_download_is_the_results_document(app, auditor_client, hand_counted):
    data = json.loads(download(auditor_client, hand_counted.survey_id, "json"))
    with app.app_context():
        expected = results_document(db.session.get(Survey, hand_counted.survey_id))
    data.pop("generated_at"), expected.pop("generated_at")
    assert data == json.loads(json.dumps(expected))


def test_bundle_manifest_hashes_every_file_and_quotes_the_audit_head(app, auditor_client, hand_counted):
    response = auditor_client.get(f"/results/{hand_counted.survey_id}/tai-ve/bundle")
    assert response.status_code == 200 and response.is_streamed
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    response.close()
    manifest_bytes = archive.read("manifest.json")
    manifest = json.loads(manifest_bytes)
    names = {entry["name"] for entry in manifest["files"]}
    assert names == {"ket-qua.json", "ket-qua.csv", "ket-qua.xlsx", "bao-cao.pdf", "phieu-tra-loi.csv"}
    for entry in manifest["files"]:
        content = archive.read(entry["name"])
        assert hashlib.sha256(content).hexdigest() == entry["sha256"] and len(content) == entry["bytes"]
    assert manifest["survey"]["id"] == hand_counted.survey_id and manifest["generated_at"]
    assert read_csv_as_excel(archive.read("phieu-tra-loi.csv"))[0]["STT"] == "1"
    with app.app_context():
        started, finished = db.session.execute(
            select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2)).scalars().all()[::-1]
        assert (started.action, started.details["format"]) == ("results.export", "bundle")
        assert finished.action == "results.manifest" and finished.actor_name == "kiemtra"
        assert manifest["audit_head"] == started.entry_hash == finished.prev_hash
        assert finished.details["manifest_sha256"] == hashlib.sha256(manifest_bytes).hexdigest()
        assert finished.details["files"]["ket-qua.xlsx"] == next(
            e["sha256"] for e in manifest["files"] if e["name"] == "ket-qua.xlsx")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf", "json", "raw"])
def test_every_download_is_in_the_audit_log(app, auditor_client, hand_counted, fmt):
    data = download(auditor_client, hand_counted.survey_id, fmt)
    entry = export_entries(app)[-1]
    assert entry.details["format"] == fmt and entry.survey_id == hand_counted.survey_id
    assert entry.actor_name == "kiemtra"
    if fmt != "raw":
        assert entry.details["sha256"] == hashlib.sha256(data).hexdigest()


def test_unknown_format_is_404(auditor_client, hand_counted):
    assert auditor_client.get(f"/results/{hand_counted.survey_id}/tai-ve/docx").status_code == 404


def test_cli_writes_csv_and_xlsx(app, runner, hand_counted, tmp_path):
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"r.{fmt}"
        with app.app_context():  # the `flask` command pushes one; the test runner does not
            result = runner.invoke(args=["results", str(hand_counted.survey_id), "--format", fmt,
                                         "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    rows = read_csv_as_excel((tmp_path / "r.csv").read_bytes())
    assert any(r["Mã nội dung"] == OVERALL and r["Hài lòng"] == "3" for r in rows)
    book = load_workbook(tmp_path / "r.xlsx")
    assert "Theo nội dung" in book.sheetnames
