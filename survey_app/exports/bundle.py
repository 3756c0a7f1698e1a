"""A ZIP of every export with a manifest: the SHA-256 of each file, the survey, the time, the audit head."""
from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import BinaryIO

from ..i18n import _
from ..models import Survey
from ..services import audit
from . import labels
from .csvfile import render_csv
from .pdf import render_pdf
from .raw import prepare_raw, raw_chunks
from .xlsx import render_xlsx

MANIFEST_FORMAT = 1
MANIFEST_NAME = "manifest.json"


def sha256(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def _entry(name: str, digest: str, size: int, media_type: str, description: str) -> dict:
    return {"name": name, "sha256": digest, "bytes": size, "media_type": media_type,
            "description": description}


def _write_stream(archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes]) -> tuple[str, int]:
    """Write chunks into the archive, hashing them on the way: constant memory."""
    digest, size = hashlib.sha256(), 0
    with archive.open(name, "w", force_zip64=True) as member:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            member.write(chunk)
    return digest.hexdigest(), size


def write_bundle(survey: Survey, document: Mapping, indicators: Sequence, target: BinaryIO) -> dict:
    """Write every export and the manifest into ``target`` as a ZIP; return the manifest."""
    files = [
        ("ket-qua.json", json.dumps(document, ensure_ascii=False, indent=2).encode(), "application/json",
         _("Kết quả (JSON, cùng nội dung với API)")),
        ("ket-qua.csv", render_csv(survey, document), "text/csv", _("Kết quả theo đơn vị và nội dung (CSV)")),
        ("ket-qua.xlsx", render_xlsx(survey, document),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _("Bảng tính kết quả (XLSX)")),
        ("bao-cao.pdf", render_pdf(survey, document, indicators), "application/pdf", _("Báo cáo (PDF)")),
    ]
    entries = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data, media_type, description in files:
            archive.writestr(name, data)
            entries.append(_entry(name, sha256(data), len(data), media_type, description))
        digest, size = _write_stream(archive, "phieu-tra-loi.csv", raw_chunks(prepare_raw(survey)))
        entries.append(_entry("phieu-tra-loi.csv", digest, size, "text/csv",
                              _("Phiếu trả lời, mỗi dòng một phiếu, không có mã hộ hay thông tin thiết bị")))
        manifest = manifest_for(survey, document, entries)
        archive.writestr(MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    return manifest


def manifest_for(survey: Survey, document: Mapping, entries: list[dict]) -> dict:
    """The manifest of a set of exported files."""
    return {
        "format": MANIFEST_FORMAT,
        "survey": {key: document["survey"][key] for key in
                   ("id", "title", "unit_code", "unit_name", "status", "template_key", "template_version")},
        "generated_at": document["generated_at"],
        "verdict": document["verdict"],
        "audit_head": audit.head(),
        "files": entries,
        "answer_codes": {str(value): labels.answer_label(value) for value in (1, 2, 0)},
        "note": _("Đối chiếu mã SHA-256 của từng tệp với bảng kê này; mã của bảng kê được ghi trong nhật ký "
                  "kiểm tra (hành động results.export)."),
    }
