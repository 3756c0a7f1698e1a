"""The role matrix: every role, in and out of scope, against the staff routes that take no object id."""
from __future__ import annotations

import pytest

from .accounts import ACCOUNTS, token

#: Who may do what. ``admin``: admins; ``national``: the national admin only; ``any``: anyone logged in.
ALLOWED = {
    "any": set(ACCOUNTS),
    "admin": {"admin"},
    "national": {"admin"},
}
#: (method, path, who may, form data) of the staff routes that take no object id; those that do are in
#: the matrix of tests/security (every account against every unit's survey, commune and account).
ROUTES = [
    ("GET", "/staff/", "any", None),
    ("GET", "/staff/units", "any", None),
    ("GET", "/staff/audit", "any", None),
    ("GET", "/staff/audit/verify", "any", None),
    ("GET", "/staff/password", "any", None),
    ("POST", "/staff/password", "any", {}),
    ("GET", "/staff/users", "admin", None),
    ("GET", "/staff/users/new", "admin", None),
    ("POST", "/staff/users/new", "admin", {"username": "x"}),
    ("POST", "/staff/units/import", "national", {}),
]


def _expected(who: str | None, kind: str) -> str:
    if who is None:
        return "login"
    return "ok" if who in ALLOWED[kind] else "forbidden"


def _outcome(method: str, response) -> str:
    if response.status_code == 302 and "/staff/login" in response.headers["Location"]:
        return "login"
    if response.status_code == 403:
        return "forbidden"
    if method == "GET":
        return "ok" if response.status_code == 200 else f"status {response.status_code}"
    return "ok" if response.status_code in (200, 302, 422) else f"status {response.status_code}"


@pytest.mark.parametrize("who", [None, *ACCOUNTS])
def test_scope_matrix(as_user, who):
    client = as_user(who)
    csrf = token(client)
    wrong = []
    for method, path, kind, data in ROUTES:
        response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": csrf, **data})
        outcome, expected = _outcome(method, response), _expected(who, kind)
        if outcome != expected:
            wrong.append(f"{method} {path}: expected {expected}, got {outcome}")
    assert not wrong, "\n".join(wrong)


def test_matrix_covers_every_staff_route_without_an_id(app):
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(path, method=method)[0] for method, path, _kind, _data in ROUTES}
    staff = {rule.endpoint for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("staff.") and not rule.arguments}
    assert staff - covered == {"staff.login", "staff.logout", "staff.new_survey"}  # new_survey: tests/security


@pytest.mark.parametrize("who", ["admin", "staff_commune", "auditor_province"])
def test_login_page_and_logout(as_user, who):
    client = as_user(who)
    assert client.get("/staff/login").status_code == 302  # already logged in
    out = client.post("/staff/logout", data={"csrf_token": token(client)})
    assert out.status_code == 302 and out.headers["Location"].endswith("/staff/login")
    assert client.get("/staff/").status_code == 302


def test_download_is_refused_before_anything_is_decrypted(as_user, scene, app):
    """An auditor in scope reads counts but never gets the household codes themselves."""
    client = as_user("auditor_province")
    page = client.get(f"/staff/surveys/{scene['sid']}/codes").get_data(as_text=True)
    assert "slips.pdf" not in page and "codes.csv" not in page
