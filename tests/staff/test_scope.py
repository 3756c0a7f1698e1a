"""The scope matrix: every role, in and out of scope, against every staff route and download."""
from __future__ import annotations

import pytest

from .conftest import ACCOUNTS, HOME_COMMUNE, token

#: Who may do what. ``view``: anyone whose scope holds the survey or commune; ``edit``: staff and admins
#: among them; ``admin``: admins; ``national``: the national admin only; ``any``: anyone logged in.
ALLOWED = {
    "any": set(ACCOUNTS),
    "admin": {"admin"},
    "national": {"admin"},
    "view": {"admin", "staff_commune", "staff_province", "auditor_province"},
    "edit": {"admin", "staff_commune", "staff_province"},
}
S = "/staff/surveys/{sid}"
#: (method, path, who may, form data). Form data is deliberately incomplete: authorisation comes first.
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
    ("GET", "/staff/users/{uid}/password", "admin", None),
    ("POST", "/staff/users/{uid}/password", "admin", {}),
    ("POST", "/staff/users/{uid}/active", "admin", {"active": "1"}),
    ("POST", "/staff/units/import", "national", {}),
    ("GET", f"/staff/units/{HOME_COMMUNE}/villages", "view", None),
    ("POST", f"/staff/units/{HOME_COMMUNE}/villages", "edit", {}),
    ("POST", f"/staff/units/{HOME_COMMUNE}/villages/add", "edit", {}),
    ("POST", f"/staff/units/{HOME_COMMUNE}/villages/frame", "edit", {}),
    ("GET", f"/staff/surveys/new?unit={HOME_COMMUNE}", "edit", None),
    ("POST", f"/staff/surveys/new?unit={HOME_COMMUNE}", "edit", {}),
    ("GET", S, "view", None),
    ("POST", S + "/publish", "edit", {"confirm": "y"}),  # an open survey cannot be published: refused, nothing changes
    ("POST", S + "/delete", "edit", {"confirm": "y"}),  # an open survey cannot be deleted: refused, nothing changes
    ("POST", S + "/reopen", "edit", {"confirm": "y"}),  # an open survey cannot be reopened: refused, nothing changes
    ("GET", S + "/rules", "edit", None),
    ("POST", S + "/rules", "edit", {}),
    ("GET", S + "/codes", "view", None),
    ("POST", S + "/codes/issue", "edit", {"spare_percent": "0"}),
    ("POST", S + "/codes/void", "edit", {}),
    ("GET", S + "/codes.csv", "edit", None),
    ("GET", S + "/slips.pdf", "edit", None),
    ("GET", S + "/paper-forms.pdf", "edit", None),
    ("GET", S + "/coverage", "view", None),
    ("GET", S + "/meetings", "view", None),
    ("POST", S + "/meetings", "edit", {}),
    ("POST", S + "/meetings/1/withdraw", "edit", {}),  # no such meeting: refused in words, nothing changes
    ("GET", S + "/paper", "view", None),
    ("POST", S + "/paper", "edit", {}),
    ("GET", S + "/paper/{bid}", "view", None),
    ("POST", S + "/paper/{bid}", "edit", {}),
    ("GET", S + "/paper/{bid}/second", "view", None),
    ("POST", S + "/paper/{bid}/second", "edit", {}),
    ("GET", S + "/paper/{bid}/report", "view", None),
    ("GET", S + "/paper/{bid}/receipts", "view", None),
    ("POST", S + "/paper/{bid}/resolve/{eid}", "edit", {"use": "stored"}),
    ("GET", S + "/responses", "view", None),
    ("GET", S + "/responses/{rid}", "view", None),
    ("POST", S + "/responses/{rid}", "edit", {}),
    ("GET", "/staff/audit?survey={sid}", "view", None),
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
def test_scope_matrix(as_user, scene, who):
    client = as_user(who)
    csrf = token(client)
    wrong = []
    for method, template, kind, data in ROUTES:
        path = template.format(**scene)
        response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": csrf, **data})
        outcome, expected = _outcome(method, response), _expected(who, kind)
        if outcome != expected:
            wrong.append(f"{method} {path}: expected {expected}, got {outcome}")
    assert not wrong, "\n".join(wrong)


def test_matrix_covers_every_staff_route(app):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, template, _kind, _data in ROUTES:
        path = template.format(sid=1, bid=1, rid=1, eid=1, uid=1).split("?")[0]
        covered.add(adapter.match(path, method=method)[0])
    staff = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("staff.")}
    assert staff - covered == {"staff.static", "staff.login", "staff.logout"}


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
