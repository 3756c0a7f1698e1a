"""The frame of a new survey as the console form gives it: an attached CSV file, or the villages ticked in the
commune's table.

A browser never sends a file again: once attached, the file is carried in the page (compressed, in a hidden
field) so that "Tính lại" keeps it, and "Tạo" reads exactly the file that was previewed. It stays the frame
until another file is attached or the user drops it.
"""
from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass

from werkzeug.utils import secure_filename

from ..errors import InputError
from ..i18n import _
from ..models import Village
from ..services.units import FrameRow, read_frame
from ._common import problems

#: The largest frame file read (a province's frame of thousands of villages is well under this).
MAX_FRAME_BYTES = 5_000_000
#: The largest carried file, in characters of the hidden field (Werkzeug keeps form fields to 500 kB).
MAX_CARRIED = 400_000


@dataclass(frozen=True)
class FrameChoice:
    """The villages a new survey would be created with, where they come from, and what the page carries."""

    rows: list[FrameRow]
    errors: list[str]
    #: The attached file in use, or None when the ticked villages of the table are the frame.
    file_name: str | None = None
    #: The file as the hidden field carries it ("" when none, or too large to carry).
    carried: str = ""


def pack(data: bytes) -> str:
    """A file as a hidden field's value."""
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def unpack(value: str) -> bytes | None:
    """The file a hidden field carries, or None if the value is not one ``pack`` made (or is too large)."""
    try:
        packed = base64.b64decode(value, validate=True)
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, MAX_FRAME_BYTES + 1)
    except (binascii.Error, ValueError, zlib.error):
        return None
    if len(data) > MAX_FRAME_BYTES or not inflater.eof or inflater.unconsumed_tail:
        return None
    return data


def frame_choice(form, villages: list[Village], *, drop: bool = False) -> FrameChoice:
    """The frame of the submitted form: a newly attached file, else the carried one (unless ``drop``), else
    the ticked villages of the table."""
    upload = form.frame.data
    if upload and getattr(upload, "filename", ""):
        name = secure_filename(upload.filename) or "frame.csv"
        data = upload.read(MAX_FRAME_BYTES + 1)
    elif drop or not (form.frame_name.data or form.frame_data.data):
        return _ticked(form, villages, quiet=drop)
    else:
        name = secure_filename(form.frame_name.data or "") or "frame.csv"
        if not form.frame_data.data:  # too large to carry: the user was told to attach it again
            return FrameChoice([], [_("Hãy chọn lại tệp “%(name)s” rồi bấm lại: tệp lớn nên không được giữ "
                                      "giữa hai lần bấm.", name=name)], name)
        data = unpack(form.frame_data.data)
        if data is None:
            return FrameChoice([], [_("Không đọc lại được tệp “%(name)s” đã chọn; hãy chọn lại tệp.", name=name)],
                               name)
    if len(data) > MAX_FRAME_BYTES:
        return FrameChoice([], [_("Tệp “%(name)s” lớn quá %(n)s MB.", name=name, n=MAX_FRAME_BYTES // 1_000_000)],
                           name)
    packed = pack(data)
    carried = packed if len(packed) <= MAX_CARRIED else ""
    try:
        return FrameChoice(read_frame(data, source=name), [], name, carried)
    except InputError as exc:
        return FrameChoice([], problems(exc), name, carried)


def _ticked(form, villages: list[Village], *, quiet: bool) -> FrameChoice:
    """The ticked villages of the table with their household counts (``quiet``: no error for none ticked)."""
    by_id = {str(v.id): v for v in villages}
    rows, errors = [], []
    for number, entry in enumerate(form.villages, 1):
        village = by_id.get(entry.village_id.data or "")
        if village is None or not entry.include.data:
            continue
        households = entry.households.data
        if not households or households < 1:
            errors.append(_("%(village)s: số hộ phải lớn hơn 0.", village=village.name))
            continue
        rows.append(FrameRow(number, village.code, village.name, households))
    if not rows and not errors and not quiet:
        errors.append(_("Hãy chọn ít nhất một thôn, hoặc tải tệp danh sách thôn."))
    return FrameChoice(rows, [] if quiet else errors)
