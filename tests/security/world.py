"""The scope world: two provinces, three communes, a survey in each unit, and an account of every role
at every level, each with an API token. ``SEES`` says, independently of the application, which units each
account's scope holds; the matrix tests compare every entry point with it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from sqlalchemy import select

from survey_app.extensions import db

PASSWORD = "Mat-khau-2026"
#: Province 51 holds communes 21040 (home) and 21043 (neighbour); province 01 holds commune 00004.
PROVINCES = {"51": ("Quảng Ngãi", ("21040", "21043")), "01": ("Hà Nội", ("00004",))}
COMMUNE_OF = {"21040": "51", "21043": "51", "00004": "01"}
ALL_UNITS = frozenset({"51", "01", *COMMUNE_OF})
#: Who acts: name -> (role, unit). "bi_khoa" is deactivated; None in the tests means anonymous.
ACCOUNTS = {
    "admin": ("admin", None),
    "admin_tinh": ("admin", "51"),
    "admin_xa": ("admin", "21040"),
    "staff_xa": ("staff", "21040"),
    "staff_xa_ben": ("staff", "21043"),
    "staff_tinh": ("staff", "51"),
    "staff_tinh_khac": ("staff", "00004"),
    "auditor_xa": ("auditor", "21040"),
    "auditor_tinh": ("auditor", "51"),
    "auditor_tinh_khac": ("auditor", "01"),
    "bi_khoa": ("staff", "21040"),
}
INACTIVE = {"bi_khoa"}
#: The surveys of the matrix, by the unit they survey (each open, with codes, a keyed batch and a meeting).
SURVEY_UNITS = ("21040", "21043", "00004", "51")


def units_seen(unit: str | None, national: bool) -> frozenset[str]:
    """The units a scope holds, by the product's rule: a province and its communes, a commune itself."""
    if national:
        return ALL_UNITS
    if unit in PROVINCES:
        return frozenset({unit, *PROVINCES[unit][1]})
    return frozenset({unit} if unit else ())


def seen_by(name: str | None) -> frozenset[str]:
    """Units an account (active, signed in) sees; nothing for the anonymous or a deactivated account."""
    if name is None or name in INACTIVE:
        return frozenset()
    role, unit = ACCOUNTS[name]
    return units_seen(unit, role == "admin" and unit is None)


def edits(name: str | None) -> bool:
    return name is not None and name not in INACTIVE and ACCOUNTS[name][0] in ("admin", "staff")


def manages(name: str | None, role: str, unit: str | None) -> bool:
    """Whether an admin manages an account of this role and unit (national: all; scoped: non-admins inside)."""
    if name is None or name in INACTIVE or ACCOUNTS[name][0] != "admin":
        return False
    if ACCOUNTS[name][1] is None:
        return True
    return role != "admin" and unit is not None and unit in seen_by(name)


@dataclass
class World:
    """Ids of everything the matrix asks about."""

    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, tuple[int, str]] = field(default_factory=dict)
    surveys: dict[str, dict[str, int]] = field(default_factory=dict)  # unit -> sid, bid, rid, eid, mid, fid, serial
    codes: dict[str, str] = field(default_factory=dict)  # unit -> an unused household code of its survey
    #: The published survey of commune 21043 (public notice): sid and a receipt it counted.
    published: dict[str, int | str] = field(default_factory=dict)


def _units() -> None:
    from survey_app.models import Commune, Province, Village

    for code, (name, communes) in PROVINCES.items():
        db.session.add(Province(code=code, name=name, full_name=f"Tỉnh {name}", type="Tỉnh"))
        db.session.flush()
        for commune in communes:
            db.session.add(Commune(code=commune, name=f"Xã {commune}", full_name=f"Xã {commune}", type="Xã",
                                   province_code=code))
            db.session.flush()
            for village in ("T01", "T02"):
                db.session.add(Village(commune_code=commune, code=village, name=f"Thôn {village}", households=2))
    db.session.flush()


def _survey(unit: str, actor, checker, *, publish: bool = False) -> dict[str, int]:
    """An open survey of a unit with codes, a batch keyed twice differently, a declared meeting."""
    from survey_app.models import Channel, Response
    from survey_app.services import double_entry, paper
    from survey_app.services.issuing import issue_codes
    from survey_app.services.meetings import declare_meeting
    from survey_app.services.responses import Submission
    from survey_app.services.surveys import create_survey, transition
    from survey_app.services.units import FrameRow

    communes = PROVINCES[unit][1] if unit in PROVINCES else (unit,)
    frame = [FrameRow(n, village, f"Thôn {village}", 2, commune if unit in PROVINCES else None)
             for n, (commune, village) in enumerate(((c, v) for c in communes for v in ("T01", "T02")), 2)]
    survey = create_survey("tinh-2021" if unit in PROVINCES else "xa-ntm-2026", unit, frame, actor_name="test")
    transition(survey, "open", actor_name="test")
    issued = issue_codes(survey, spare_share=0.0, actor_name="test")
    keys = [item["key"] for item in survey.template["items"]]
    first = Submission({key: 1 for key in keys})
    second = Submission({key: 2 if n == 2 else 1 for n, key in enumerate(keys)})
    batch = paper.create_batch(survey, survey.frame[0].id, Channel.PAPER, "Tổ 1", actor=actor)
    code = paper.find_slip(survey, "1")
    entry, _created = paper.enter_first(survey, batch, code, first, actor=actor)
    recheck = double_entry.enter_second(survey, batch, code, second, actor=checker)
    meeting = declare_meeting(survey, survey.frame[0].id, survey.start_date, time(8), time(10), actor=actor)
    if publish:
        transition(survey, "close", actor_name="test")
        transition(survey, "publish", actor_name="test", waiver="Bản công bố của phép thử phạm vi")
    scan = _scanned_page(survey, paper.find_slip(survey, "2"))
    db.session.flush()
    receipt = db.session.get(Response, entry.response_id).receipt
    return {"sid": survey.id, "bid": batch.id, "rid": entry.response_id, "eid": recheck.id, "mid": meeting.id,
            "fid": survey.frame[0].id, "serial": issued[-1].serial, "code": issued[-1].code, "receipt": receipt,
            "cid": scan.household_code_id, "pid": scan.id}


def _scanned_page(survey, code):
    """A scanned page of slip 2 left for a person (its image: a small grey PNG)."""
    import cv2
    import numpy as np

    from survey_app.models import ScanPage, ScanStatus

    image = cv2.imencode(".png", np.full((60, 40), 200, np.uint8))[1].tobytes()
    page = ScanPage(survey_id=survey.id, household_code_id=code.id, page=1, pages=1, source="to-2.png#1",
                    file_sha256="0" * 64, file_page=1, status=ScanStatus.REVIEW, problem="marks", image=image,
                    image_type="image/png")
    db.session.add(page)
    db.session.flush()
    return page


def build_world(app) -> World:
    from survey_app.models import Role, User
    from survey_app.services import api_tokens
    from survey_app.services.accounts import create_user

    world = World()
    with app.app_context():
        _units()
        for name, (role, unit) in ACCOUNTS.items():
            user = create_user(name, PASSWORD, Role(role), unit, actor_name="test")
            world.users[name] = user.id
            row, clear = api_tokens.create_token(user, f"công cụ của {name}")
            world.tokens[name] = (row.id, clear)
        keyer, checker = (db.session.execute(select(User).where(User.username == name)).scalar_one()
                          for name in ("admin", "admin_tinh"))
        for unit in SURVEY_UNITS:
            made = _survey(unit, keyer, checker)
            world.codes[unit] = made.pop("code")
            made.pop("receipt")
            world.surveys[unit] = made
        world.published = _survey("21043", keyer, checker, publish=True)
        db.session.get(User, world.users["bi_khoa"]).active = False
        db.session.commit()
    return world
