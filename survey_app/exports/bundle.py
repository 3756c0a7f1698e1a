"""Every export in one ZIP with a manifest: the SHA-256 of each file, the survey, the time, the audit head.

The ZIP is streamed: the small files first, then the raw responses chunk by chunk (constant memory, first
bytes at once), then the manifest. Once it is complete, the caller's ``on_complete`` is given the manifest and
each file's hash, to record them in the audit log (the write is the caller's).
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from flask_babel import force_locale

from ..i18n import _
from ..services import audit
from ..services.opinions import OpinionSummary
from . import labels
from .csvfile import render_csv
from .pdf import render_pdf
from .raw import RawExport, raw_chunks
from .xlsx import render_xlsx

MANIFEST_FORMAT = 1
MANIFEST_NAME = "manifest.json"
RAW_NAME = "phieu-tra-loi.csv"


def sha256(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def to_json(value: object) -> bytes:
    """The JSON bytes of a document or manifest, as written in the bundle and hashed."""
    return json.dumps(value, ensure_ascii=False, indent=2).encode()


@dataclass(frozen=True)
class BundleJob:
    """What the stream needs, prepared in the request. The opinions are read when their files are written:
    ``opinions`` returns the rows of ``services.opinions.opinion_rows``, ``opinion_summary`` their counts."""

    survey_id: int
    document: Mapping
    indicators: tuple
    raw: RawExport
    locale: str
    opinions: Callable[[], Iterable[Sequence[str]]]
    opinion_summary: Callable[[], OpinionSummary]
    #: The published JSON bytes (``snapshots.published_json``) of a published survey, written as they are.
    published_json: bytes | None = None


class _Sink(io.RawIOBase):
    """A write-only, unseekable file that hands over what was written (the ZIP then uses data descriptors)."""

    def __init__(self):
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _entry(name: str, digest: str, size: int, media_type: str, description: str) -> dict:
    return {"name": name, "sha256": digest, "bytes": size, "media_type": media_type,
            "description": description}


def _small_files(job: BundleJob):
    """(name, render, media type, description) of the files built whole in memory."""
    document = job.document
    return [
        ("ket-qua.json", lambda: job.published_json or to_json(document), "application/json",
         _("Kết quả (JSON, cùng nội dung với API)")),
        ("ket-qua.csv", lambda: render_csv(document), "text/csv",
         _("Kết quả theo đơn vị và nội dung (CSV)")),
        ("ket-qua.xlsx", lambda: render_xlsx(document, job.opinions()),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _("Bảng tính kết quả (XLSX)")),
        ("bao-cao.pdf", lambda: render_pdf(document, job.opinion_summary(), job.indicators), "application/pdf",
         _("Báo cáo (PDF)")),
    ]


def stream_bundle(job: BundleJob, on_complete: Callable[[bytes, dict[str, str]], None]) -> Iterator[bytes]:
    """Yield the ZIP; when it is complete, call ``on_complete(manifest bytes, {file name: SHA-256})`` before
    the last bytes (the caller records them in the audit log)."""
    sink, entries = _Sink(), []
    with force_locale(job.locale):
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, render, media_type, description in _small_files(job):
                data = render()
                archive.writestr(name, data)
                entries.append(_entry(name, sha256(data), len(data), media_type, description))
                yield sink.take()
            digest, size = hashlib.sha256(), 0
            with archive.open(RAW_NAME, "w", force_zip64=True) as member:
                for chunk in raw_chunks(job.raw):
                    digest.update(chunk)
                    size += len(chunk)
                    member.write(chunk)
                    if written := sink.take():
                        yield written
            description = _("Phiếu trả lời, mỗi dòng một phiếu, không có mã hộ hay thông tin thiết bị")
            entries.append(_entry(RAW_NAME, digest.hexdigest(), size, "text/csv", description))
            manifest = to_json(manifest_for(job.document, entries))
            archive.writestr(MANIFEST_NAME, manifest)
        on_complete(manifest, {e["name"]: e["sha256"] for e in entries})
    yield sink.take()


def manifest_for(document: Mapping, entries: list[dict]) -> dict:
    """The manifest of a set of exported files."""
    return {
        "format": MANIFEST_FORMAT,
        "survey": {key: document["survey"][key] for key in
                   ("id", "title", "unit_code", "unit_name", "status", "template_key", "template_version")},
        "generated_at": document["generated_at"],
        "verdict": document["verdict"],
        "published": document.get("published"),
        "audit_head": audit.head(),
        "files": entries,
        "answer_codes": {str(value): labels.answer_label(value) for value in (1, 2, 0)},
        "note": _("Đối chiếu mã SHA-256 của từng tệp với bảng kê này; mã của bảng kê được ghi trong nhật ký "
                  "kiểm tra (hành động results.manifest)."),
    }
