"""Property tests of every staff form that exists: logged in as admin, no input makes the server answer 500,
and a refused form (4xx) stores nothing.

The forms are found by crawling the console's pages, so forms added later are fuzzed without changing
this file; POST routes no page links to are fuzzed with arbitrary fields.
"""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter
from werkzeug.routing.converters import AnyConverter

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import User
from tests.factories import make_survey
from tests.production.helpers import backend, login_as_admin, row_counts
from tests.production.test_fuzz_resident import HUGE_TEXT, ODD_TEXT
from tests.resident import full_answers

FUZZ = settings(max_examples=12)
SKIP = {"respond.phieu"}  # fuzzed on its own (test_fuzz_resident.py)


def _post_rules() -> list[tuple[str, str]]:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "collect"})
    return sorted({(rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()
                   if "POST" in rule.methods and not rule.rule.startswith("/api/")
                   and rule.endpoint not in SKIP})


class _Forms(HTMLParser):
    """Collect each POST form of a page: its action and its fields (name -> (type, [option values]))."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self._current: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._current = {}
            self.forms.append((a.get("action") or "", self._current))
        elif self._current is None:
            return
        elif tag in ("input", "textarea") and a.get("name"):
            kind = a.get("type", "text") if tag == "input" else "textarea"
            options = self._current.setdefault(a["name"], (kind, []))[1]
            if a.get("value") is not None:
                options.append(a["value"])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._current.setdefault(a["name"], ("select", []))
        elif tag == "option" and self._select and a.get("value") is not None:
            self._current[self._select][1].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


@pytest.fixture
def console(app):
    """An admin's client on a console with a survey, a response, a second user; ids for URLs; forms found."""
    survey_id, issued = make_survey(app)
    resident = app.test_client()
    url = f"/s/{issued[0].display}"
    resident.post(url, data=full_answers(resident.get(url).get_data(as_text=True)))
    client = app.test_client()
    admin_id = login_as_admin(app, client)
    with app.app_context():
        other = User(username="fuzz-staff", password_hash="!", role="staff", unit_code="21040")
        db.session.add(other)
        db.session.commit()
        ids = {"survey_id": survey_id, "response_id": 1, "user_id": other.id, "batch_id": 1, "entry_id": 1,
               "token_id": 1, "code": "21040"}
    key = (backend(app), tuple(sorted(ids.items())))
    if key not in _FORMS:  # the pages' forms do not change between tests: crawl once per database
        _FORMS[key] = _crawl(app, client, ids)
    forms = _FORMS[key]
    page = client.get("/staff/users/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return client, admin_id, ids, forms, token.group(1) if token else ""


_FORMS: dict[tuple, dict[str, dict]] = {}


def _crawl(app, client, ids: dict) -> dict[str, dict]:
    """Fetch every console page and collect its POST forms by action URL."""
    forms: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith(("/staff", "/results")) \
                or rule.rule.endswith((".pdf", ".csv", ".xlsx", ".json", ".zip", ".png", ".svg")) \
                or "static" in rule.endpoint or "download" in rule.endpoint:
            continue
        try:
            path = _url(rule, ids, None)
        except KeyError:
            continue
        page = client.get(path)
        if page.status_code == 200 and page.mimetype == "text/html":
            parser = _Forms()
            parser.feed(page.get_data(as_text=True))
            for action, fields in parser.forms:
                forms.setdefault(action or path, {}).update(fields)
    return forms


def _url(rule, ids: dict, draw) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            items = sorted(getattr(converter, "items", ["open"]))
            values[name] = draw(st.sampled_from(items)) if draw else items[0]
        elif isinstance(converter, IntegerConverter):
            values[name] = ids.get(name, 1)
        else:
            values[name] = ids[name]
    return rule.build(values, append_unknown=False)[1]


def _value(kind: str, options: list[str]):
    text = st.one_of(ODD_TEXT, HUGE_TEXT)
    if kind == "file":
        csv_like = st.sampled_from([b"code,name,full_name,type\n51,A,B,C\n",
                                    b"village_code,village_name,households\nT1,Thon,12\n"])
        names = st.sampled_from(["a.csv", "x.txt", ""])
        return st.tuples(st.one_of(st.binary(max_size=200), csv_like), names).map(
            lambda pair: (io.BytesIO(pair[0]), pair[1]))
    if options:
        return st.one_of(st.sampled_from(options), st.sampled_from(options), text)
    if kind in ("number",):
        return st.one_of(st.integers(-10, 10**12).map(str), text)
    if kind == "date":
        return st.one_of(st.dates().map(str), text)
    return text


RULES = _post_rules()


@pytest.mark.parametrize(("endpoint", "rule_text"), RULES, ids=[r[1] for r in RULES])
@FUZZ
@given(data=st.data())
def test_no_staff_form_input_fails_or_stores_half(app, console, endpoint, rule_text, data):
    client, admin_id, ids, forms, token = console
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    url = _url(rule, ids, data.draw)
    fields = forms.get(url, {})
    form = {}
    for name, (kind, options) in fields.items():
        if name == "csrf_token" or not data.draw(st.integers(0, 5), label=f"omit {name}"):
            continue
        form[name] = data.draw(_value(kind, options), label=name)
    form.update(data.draw(st.dictionaries(ODD_TEXT.filter(lambda k: k not in fields), ODD_TEXT, max_size=2),
                          label="extra"))
    form["csrf_token"] = token
    with app.app_context():  # whatever the last example did, the admin is active and logged in again
        db.session.get(User, admin_id).active = True
        db.session.commit()
    login_as_admin_again(app, client, admin_id)
    before = row_counts(app, exclude=("audit_entry",))
    answer = client.post(url, data=form, content_type="multipart/form-data")
    assert answer.status_code != 500
    if answer.status_code >= 400 and answer.status_code != 429:
        assert row_counts(app, exclude=("audit_entry",)) == before, f"{answer.status_code} stored something"
    _stored_is_whole_any(app)


def login_as_admin_again(app, client, admin_id: int) -> None:
    from flask_login.utils import _create_identifier

    with app.test_request_context(environ_base=client.environ_base or {}):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"], session["_id"] = f"{admin_id}.0", True, identifier


def _stored_is_whole_any(app) -> None:
    """Every stored phiếu version has one answer per item of its survey's template."""
    from sqlalchemy import func, select

    from survey_app.models import Answer, Response, ResponseVersion, Survey

    with app.app_context():
        rows = db.session.execute(
            select(ResponseVersion.id, Survey.template, func.count(Answer.id))
            .join(Response, Response.id == ResponseVersion.response_id)
            .join(Survey, Survey.id == Response.survey_id)
            .outerjoin(Answer, Answer.response_version_id == ResponseVersion.id)
            .group_by(ResponseVersion.id, Survey.id)).all()
    for version_id, template, answers in rows:
        assert answers == len(template["items"]), f"version {version_id} has {answers} answers"


def test_the_crawl_finds_the_console_forms(app, console):
    _client, _admin, _ids, forms, token = console
    assert token and len(forms) >= 5
    assert any("csrf_token" in fields for fields in forms.values())
