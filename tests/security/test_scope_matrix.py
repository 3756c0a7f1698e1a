"""The scope matrix: every account (each role at national, province and commune level, a deactivated one,
the anonymous visitor) against the survey, unit, account and token of every unit (own commune, another
commune of the same province, another province, the province itself), through every route that takes an
object's id, the results downloads and the API. The expected answer comes from ``conftest.seen_by``, the
product's rule written out independently of the application."""
from __future__ import annotations

import pytest

from survey_app.extensions import db

from .matrix import client_for, csrf, expected, outcome, send, target_of
from .world import ACCOUNTS, COMMUNE_OF, INACTIVE, PROVINCES, SURVEY_UNITS

S = "/staff/surveys/{sid}"
PAGE, WRITE = (200,), (200, 302, 303, 422)
#: (method, path, kind, form data, statuses meaning "let in"). Form data is deliberately incomplete or
#: refused by the survey's state (authorisation comes first); the survey stays open with its codes.
SURVEY_ROUTES = [
    ("GET", S, "view", None, PAGE),
    ("POST", S + "/open", "edit", {}, WRITE),  # already open: refused in words
    ("POST", S + "/publish", "edit", {"confirm": "y"}, WRITE),  # still open: refused in words
    ("POST", S + "/delete", "edit", {"confirm": "y"}, WRITE),
    ("POST", S + "/reopen", "edit", {"confirm": "y"}, WRITE),
    ("GET", S + "/rules", "edit", None, PAGE),
    ("POST", S + "/rules", "edit", {}, WRITE),
    ("GET", S + "/codes", "view", None, PAGE),
    ("POST", S + "/codes/issue", "edit", {"spare_percent": "x"}, WRITE),
    ("POST", S + "/codes/void", "edit", {}, WRITE),
    ("GET", S + "/codes.csv", "edit", None, PAGE),
    ("GET", S + "/slips.pdf?serial={serial}", "edit", None, PAGE),
    ("GET", S + "/paper-forms.pdf?village=0", "edit", None, (404,)),  # in scope, then: no such village
    ("GET", S + "/coverage", "view", None, PAGE),
    ("GET", S + "/meetings", "view", None, PAGE),
    ("POST", S + "/meetings", "edit", {}, WRITE),
    ("POST", S + "/meetings/{mid}/withdraw", "edit", {}, WRITE),  # withdrawn: the survey's state stays
    ("GET", S + "/paper", "view", None, PAGE),
    ("POST", S + "/paper", "edit", {}, WRITE),
    ("GET", S + "/paper/{bid}", "view", None, PAGE),
    ("POST", S + "/paper/{bid}", "edit", {}, WRITE),
    ("GET", S + "/paper/{bid}/second", "view", None, PAGE),
    ("POST", S + "/paper/{bid}/second", "edit", {}, WRITE),
    ("GET", S + "/paper/{bid}/report", "view", None, PAGE),
    ("GET", S + "/paper/{bid}/receipts", "view", None, PAGE),
    ("POST", S + "/paper/{bid}/resolve/{eid}", "edit", {"use": "stored"}, WRITE),
    ("GET", S + "/scans", "view", None, PAGE),
    ("POST", S + "/scans", "edit", {}, WRITE),  # no file: refused in words
    ("GET", S + "/scans/review", "edit", None, PAGE),
    ("POST", S + "/scans/review/{cid}", "edit", {}, WRITE),  # no answer chosen: refused in words
    ("GET", S + "/scans/image/{pid}/page", "edit", None, PAGE),
    ("GET", S + "/scans/transcribe", "edit", None, PAGE),
    ("POST", S + "/scans/transcribe/{cid}", "edit", {}, WRITE),  # its sheet is not stored: said so
    ("GET", S + "/responses", "view", None, PAGE),
    ("GET", S + "/responses/{rid}", "view", None, PAGE),
    ("POST", S + "/responses/{rid}", "edit", {}, WRITE),
    ("GET", "/staff/audit?survey={sid}", "view", None, PAGE),
    ("GET", "/results/{sid}", "view", None, PAGE),
    ("GET", "/results/{sid}/tai-ve/csv", "view", None, PAGE),
    ("GET", "/results/{sid}/tai-ve/json", "view", None, PAGE),
    ("GET", "/results/{sid}/tai-ve/raw", "view", None, PAGE),
    ("API", "/api/v1/surveys/{sid}/results", "view", None, PAGE),
]
#: Routes of a commune (``{code}``): its villages, and a new survey of it (also of a province).
UNIT_ROUTES = [
    ("GET", "/staff/units/{code}/villages", "view", None, PAGE),
    ("POST", "/staff/units/{code}/villages", "edit", {}, WRITE),
    ("POST", "/staff/units/{code}/villages/add", "edit", {}, WRITE),
    ("POST", "/staff/units/{code}/villages/frame", "edit", {}, WRITE),
]
NEW_SURVEY_ROUTES = [
    ("GET", "/staff/surveys/new?unit={code}", "edit", None, PAGE),
    ("POST", "/staff/surveys/new?unit={code}", "edit", {}, WRITE),
]
#: Routes of an account (``{uid}``), expected by whether the signed-in admin manages it.
ACCOUNT_ROUTES = [
    ("GET", "/staff/users/{uid}/password", "manage", None, PAGE),
    ("POST", "/staff/users/{uid}/password", "manage", {}, WRITE),
    ("POST", "/staff/users/{uid}/active", "manage", {"active": "{active}"}, WRITE),  # as it is: no change
]
TOKEN_ROUTES = [("POST", "/results/tokens/{tid}/revoke", "revoke", {}, (303,))]
#: Routes whose id names something public by design: the same answer for everyone, signed in or not.
PUBLIC_ROUTES = [
    ("GET", "/results/{published}/niem-yet", 200), ("GET", "/results/{sid}/niem-yet", 404),
    ("GET", "/results/{published}/niem-yet/dau-bien-nhan.csv", 200),
    ("GET", "/results/{sid}/niem-yet/dau-bien-nhan.csv", 404),
    ("GET", "/s/{code}", 200), ("GET", "/bien-nhan/{receipt}", 200),
]
#: Arguments that name no object of the data: files, the language, the API's unknown addresses.
NOT_OBJECTS = {"static", "staff.static", "set_language", "api.fallback"}
WHO = [None, *ACCOUNTS]


def _check(app, world, who, routes, cases) -> list[str]:
    """Send each route for each case (a dict of path values with its expectation's unit or target)."""
    client = client_for(app, who)
    token, wrong = csrf(client), []
    bearer = world.tokens[who][1] if who else None
    for method, template, kind, data, ok in routes:
        for case in cases:
            path = template.format(**case["values"])
            form = {key: value.format(**case["values"]) for key, value in (data or {}).items()}
            response = send(client, method, path, form, token=bearer, csrf_token=token)
            got, want = outcome(response, ok), expected(who, kind, case.get("unit"), case.get("target"))
            if got != want:
                wrong.append(f"{who}: {method} {path}: expected {want}, got {got}")
    return wrong


@pytest.mark.parametrize("who", WHO)
def test_surveys_units_accounts_and_tokens_of_every_unit(app, world, who):
    """One account against everything; tokens last, since revoking one is the only lasting change."""
    surveys = [{"unit": unit, "values": world.surveys[unit]} for unit in SURVEY_UNITS]
    communes = [{"unit": code, "values": {"code": code}} for code in COMMUNE_OF]
    units = communes + [{"unit": code, "values": {"code": code}} for code in PROVINCES]
    accounts = [{"target": target_of(name), "values": {"uid": world.users[name],
                                                       "active": "0" if name in INACTIVE else "1"}}
                for name in ACCOUNTS]
    tokens = [{"target": (name, *target_of(name)), "values": {"tid": world.tokens[name][0]}} for name in ACCOUNTS]
    wrong = (_check(app, world, who, SURVEY_ROUTES, surveys)
             + _check(app, world, who, UNIT_ROUTES, communes) + _check(app, world, who, NEW_SURVEY_ROUTES, units)
             + _check(app, world, who, ACCOUNT_ROUTES, accounts) + _check(app, world, who, TOKEN_ROUTES, tokens))
    assert not wrong, "\n".join(wrong)


def test_public_routes_answer_everyone_alike(app, world):
    wrong = []
    for who in (None, "admin", "staff_tinh_khac", "auditor_xa", "bi_khoa"):
        client = client_for(app, who)
        for unit in SURVEY_UNITS:
            values = {**world.surveys[unit], "code": world.codes[unit], "published": world.published["sid"],
                      "receipt": world.published["receipt"]}
            for method, template, status in PUBLIC_ROUTES:
                path = template.format(**values)
                if (got := send(client, method, path).status_code) != status:
                    wrong.append(f"{who}: {path}: expected {status}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_the_matrix_covers_every_route_with_an_id(app):
    """A new route that takes an id (of a survey, unit, account, token...) must join the matrix."""
    adapter = app.url_map.bind("localhost")
    values = {"sid": 1, "serial": 1, "bid": 1, "rid": 1, "eid": 1, "mid": 1, "code": "21040", "uid": 1, "tid": 1,
              "published": 1, "receipt": "AAAA-AAAA", "active": "1", "cid": 1, "pid": 1}
    covered = set()
    for table in (SURVEY_ROUTES, UNIT_ROUTES, NEW_SURVEY_ROUTES, ACCOUNT_ROUTES, TOKEN_ROUTES, PUBLIC_ROUTES):
        for method, template, *_rest in table:
            path = template.format(**values).split("?")[0]
            covered.add(adapter.match(path, method="GET" if method == "API" else method)[0])
    with_ids = {rule.endpoint for rule in app.url_map.iter_rules() if rule.arguments} - NOT_OBJECTS
    assert with_ids - covered == set()
    assert "staff.new_survey" in covered  # its unit comes in the query string, not the path


#: Routes that name an object inside a survey: the object must belong to the survey of the path.
NESTED = [route for route in SURVEY_ROUTES
          if any(key in route[1] for key in ("{bid}", "{rid}", "{mid}", "{cid}", "{pid}"))]


@pytest.mark.parametrize("who", ["admin", "staff_xa"])
def test_an_object_of_another_survey_is_not_reached_through_a_survey_in_scope(app, world, who):
    """The home survey's path with the batch, phiếu, mismatch or meeting of another survey: 404 (a meeting
    is refused in words), and the other survey's objects stay as they were."""
    from survey_app.models import DeclaredMeeting, KeyedEntry

    client, wrong = client_for(app, who), []
    token, home = csrf(client), world.surveys["21040"]
    for unit in ("21043", "00004", "51"):
        values = {**world.surveys[unit], "sid": home["sid"]}
        for method, template, _kind, data, _ok in NESTED:
            paths = [template.format(**values)]
            if "{eid}" in template:  # the home batch with the other survey's mismatch
                paths.append(template.format(**{**home, "eid": values["eid"]}))
            for path in paths:
                status = send(client, method, path, data, token=None, csrf_token=token).status_code
                if status != (302 if "/withdraw" in path else 404):
                    wrong.append(f"{who}: {method} {path}: got {status}")
    with app.app_context():
        for unit in ("21043", "00004", "51"):
            assert db.session.get(DeclaredMeeting, world.surveys[unit]["mid"]) is not None
            assert db.session.get(KeyedEntry, world.surveys[unit]["eid"]).resolution is None
    assert not wrong, "\n".join(wrong)
