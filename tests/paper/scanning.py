"""Helpers of the console scanning tests: printed and marked sheets as files, staff clients, a sending."""
from __future__ import annotations

import io
import re

import cv2
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from survey_app.extensions import db
from survey_app.models import ScanPage, ScanStatus, Survey

from ..staff.accounts import add_units, add_user, login, token
from .test_scan import DPI, _mark, _printed

__all__ = ["DPI", "_mark", "_printed", "checked_choices", "client_of", "pdf_bytes", "png_bytes", "send",
           "statuses", "survey_keys"]


def client_of(app, name: str, role: str = "staff", unit: str | None = "21040"):
    """A test client logged in as a new account ``name``."""
    add_units(app)
    add_user(app, name, role, unit)
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def png_bytes(image) -> bytes:
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def tiff_bytes(images) -> bytes:
    """The pages as one multi-page TIFF, as an office scanner saves a stack."""
    ok, data = cv2.imencodemulti(".tiff", list(images))
    assert ok
    return data.tobytes()


def pdf_bytes(images) -> bytes:
    out = io.BytesIO()
    pages = [Image.fromarray(image) for image in images]
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    return out.getvalue()


def send(client, survey_id: int, files: list[tuple[str, bytes]]):
    """POST files to the upload form as a browser would (the body built in memory: the test client's own
    encoder leaves a temporary file open for bodies over 500 kB)."""
    fields = MultiDict([("csrf_token", token(client, "/staff/password"))])
    for name, content in files:
        fields.add("files", FileStorage(io.BytesIO(content), filename=name))
    boundary, body = encode_multipart(fields)
    return client.post(f"/staff/surveys/{survey_id}/scans", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def statuses(app, survey_id: int) -> dict[str, int]:
    """Pages of the survey by status."""
    with app.app_context():
        rows = db.session.query(ScanPage.status).filter_by(survey_id=survey_id).all()
    counts: dict[str, int] = {}
    for (status,) in rows:
        counts[ScanStatus(status).value] = counts.get(ScanStatus(status).value, 0) + 1
    return counts


def survey_keys(app, survey_id: int) -> list[str]:
    with app.app_context():
        return [item["key"] for item in db.session.get(Survey, survey_id).template["items"]]


CHECKED = re.compile(r'name="item-([^"]+)" value="(\d)" checked')


def checked_choices(html: str) -> dict[str, str]:
    """The radio buttons the review page checks (the machine's sure readings)."""
    return {f"item-{key}": value for key, value in CHECKED.findall(html)}
