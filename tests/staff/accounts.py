"""Staff test helpers: units, accounts of every role in and out of scope, logging in, answers."""
from __future__ import annotations

import re

from survey_app.extensions import db

PASSWORD = "Mat-khau-2026"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
#: Commune 21040 of province 51 is "in scope"; commune 00004 of province 01 is elsewhere.
HOME_COMMUNE, HOME_PROVINCE = "21040", "51"
OTHER_COMMUNE, OTHER_PROVINCE = "00004", "01"
#: Who logs in for the scope matrix: name -> (role, unit); None = anonymous.
ACCOUNTS = {
    "admin": ("admin", None),
    "staff_commune": ("staff", HOME_COMMUNE),
    "staff_province": ("staff", HOME_PROVINCE),
    "staff_elsewhere": ("staff", OTHER_COMMUNE),
    "auditor_province": ("auditor", HOME_PROVINCE),
    "auditor_elsewhere": ("auditor", OTHER_PROVINCE),
}


def add_units(app) -> None:
    """Two provinces, each with communes, without importing the national lists."""
    from survey_app.models import Commune, Province

    with app.app_context():
        for code, name in ((HOME_PROVINCE, "Quảng Ngãi"), (OTHER_PROVINCE, "Hà Nội")):
            if db.session.get(Province, code) is None:
                db.session.add(Province(code=code, name=name, full_name=f"Tỉnh {name}", type="Tỉnh"))
        db.session.flush()
        for code, name, province in ((HOME_COMMUNE, "Bình Sơn", HOME_PROVINCE),
                                     ("21043", "Bình Chánh", HOME_PROVINCE),
                                     (OTHER_COMMUNE, "Ba Đình", OTHER_PROVINCE)):
            if db.session.get(Commune, code) is None:
                db.session.add(Commune(code=code, name=name, full_name=f"Xã {name}", type="Xã",
                                       province_code=province))
        db.session.commit()


def add_user(app, username: str, role: str, unit: str | None, password: str = PASSWORD) -> int:
    """Create an account directly through the service; return its id."""
    from survey_app.models import Role
    from survey_app.services.accounts import create_user

    with app.app_context():
        user = create_user(username, password, Role(role), unit, actor_name="test")
        db.session.commit()
        return user.id


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def token(client, path: str = "/staff/login") -> str:
    """A CSRF token of the client's session (any form page will do)."""
    page = client.get(path)
    if page.status_code == 302:  # logged in: the login page redirects
        page = client.get("/staff/password")
    return csrf_token(page.get_data(as_text=True))


def login(client, username: str, password: str = PASSWORD):
    """Log in through the form, as a user would."""
    return client.post("/staff/login", data={"csrf_token": token(client, "/staff/login"),
                                             "username": username, "password": password})


def answers(app, survey_id: int, value: int = 1, **overrides):
    """A Submission answering every item with ``value``; ``q3=2`` overrides the third item."""
    from survey_app.models import AnswerValue, Survey
    from survey_app.services.responses import Submission

    with app.app_context():
        keys = [item["key"] for item in db.session.get(Survey, survey_id).template["items"]]
    chosen = {key: AnswerValue(overrides.get(f"q{n}", value)) for n, key in enumerate(keys, 1)}
    return Submission(chosen)


def new_survey_form(client, villages, **fields):
    """The new-survey form of commune 21040 as posted with ``villages`` (ids) included, changed by ``fields``."""
    data = {"csrf_token": token(client), "unit_code": "21040", "template": "xa-ntm-2026",
            "start": "2026-03-02", "margin": "0.05", "create": "1"}
    for n, village_id in enumerate(villages):
        data |= {f"villages-{n}-village_id": str(village_id), f"villages-{n}-include": "y",
                 f"villages-{n}-households": "300"}
    return data | fields
