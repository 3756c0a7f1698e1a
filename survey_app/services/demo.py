"""Demo data: a real commune of Quảng Ngãi with six villages, an open survey and some answers."""
from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import AnswerValue, Channel, Role, Survey, User
from ..models.surveys import vietnam_today
from . import issuing
from .accounts import create_user
from .responses import Submission, submit
from .surveys import create_survey, transition
from .units import FrameRow, import_unit_files

UNITS_DIR = Path(__file__).resolve().parent.parent / "data" / "vn-units"
COMMUNE = "21040"  # Xã Bình Sơn, Quảng Ngãi
PROVINCE = "51"
TEMPLATE = "xa-ntm-2026"
VILLAGES = [("T01", "Thôn An Lộc", 312), ("T02", "Thôn Bình Trung", 268), ("T03", "Thôn Phú Long", 405),
            ("T04", "Thôn Tân Hòa", 187), ("T05", "Thôn Đông Yên", 236), ("T06", "Thôn Mỹ Thạnh", 151)]
#: Demo logins (demo only: never use these passwords on a real deployment).
USERS = [("admin", "QuanTri#2026", Role.ADMIN, None, "Quản trị hệ thống"),
         ("canbo", "MatTran#2026x", Role.STAFF, COMMUNE, "Ban Thường trực UBMTTQ xã Bình Sơn"),
         ("kiemtra", "ThamTra#2026", Role.AUDITOR, PROVINCE, "Đoàn thẩm tra tỉnh Quảng Ngãi")]
REASONS = ["Đường liên thôn còn xuống cấp vào mùa mưa.", "Thu gom rác chưa thường xuyên.",
           "Chưa có nhiều việc làm cho thanh niên.", ""]
OPINIONS = ["Đề nghị xã tiếp tục nâng cấp đường giao thông nội đồng.", "Cần thêm đèn chiếu sáng ở các ngõ xóm.",
            "Mong có thêm lớp dạy nghề cho lao động nông thôn."]


def load_demo(seed: int = 2026) -> Survey:
    """Create the demo data if it is not there yet (idempotent); return the demo survey."""
    existing = db.session.execute(
        select(Survey).where(Survey.unit_code == COMMUNE, Survey.template_key == TEMPLATE)
    ).scalars().first()
    if existing is not None:
        return existing
    import_unit_files([UNITS_DIR / "provinces.csv", UNITS_DIR / "communes.csv"])
    for username, password, role, unit, name in USERS:
        if db.session.execute(select(User.id).where(User.username == username)).first() is None:
            create_user(username, password, role, unit, full_name=name, actor_name="demo")
    frame = [FrameRow(i, code, name, households) for i, (code, name, households) in enumerate(VILLAGES, 2)]
    survey = create_survey(TEMPLATE, COMMUNE, frame, start=vietnam_today() - timedelta(days=6), actor_name="demo")
    transition(survey, "open", actor_name="demo")
    issued = issuing.issue_codes(survey, actor_name="demo")
    rng = random.Random(seed)
    from .responses import find_code

    items = [item.key for item in survey.form.items]
    for slip in issued:
        if rng.random() > 0.55:
            continue
        answers, reasons = {}, {}
        for key in items:
            happy = rng.random() < 0.965
            answers[key] = AnswerValue.SATISFIED if happy else AnswerValue.NOT_SATISFIED
            if not happy:
                reasons[key] = rng.choice(REASONS)
        channel = Channel.WEB if rng.random() < 0.6 else Channel.PAPER
        opinion = rng.choice(OPINIONS) if rng.random() < 0.05 else ""
        submit(survey, find_code(slip.code), Submission(answers, reasons, opinion, channel))
    db.session.flush()
    return survey
