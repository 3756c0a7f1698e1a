"""Helpers of the scope matrix: a client signed in as an account, one request, and its outcome in words."""
from __future__ import annotations

import re

from .world import ACCOUNTS, INACTIVE, PASSWORD, edits, manages, seen_by

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf(client) -> str:
    """A CSRF token of the client's session."""
    page = client.get("/staff/login")
    if page.status_code == 302:  # signed in: another form page
        page = client.get("/staff/password")
    return CSRF.search(page.get_data(as_text=True)).group(1)


def client_for(app, who: str | None):
    """A test client signed in through the form as ``who`` (a deactivated account stays signed out)."""
    client = app.test_client()
    if who is not None:
        answer = client.post("/staff/login", data={"csrf_token": csrf(client), "username": who,
                                                   "password": PASSWORD})
        assert (answer.status_code == 302) == (who not in INACTIVE), answer.status_code
    return client


def send(client, method: str, path: str, data: dict | None = None, *, token: str | None = None,
         csrf_token: str = ""):
    """One request; the body is read and closed (a streamed download releases its session)."""
    if method == "API":
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.get(path, headers=headers)
    elif method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": csrf_token, **(data or {})})
    response.get_data()
    response.close()
    return response


def outcome(response, ok: tuple[int, ...]) -> str:
    """``login`` (sent to sign in, or a 401), ``forbidden`` (403), ``ok`` (one of ``ok``) or the status."""
    location = response.headers.get("Location", "")
    if response.status_code == 401 or (response.status_code == 302 and "/staff/login" in location):
        return "login"
    if response.status_code == 403:
        return "forbidden"
    return "ok" if response.status_code in ok else f"status {response.status_code}"


def expected(who: str | None, kind: str, unit: str | None = None, target: tuple | None = None) -> str:
    """What the product's rule says ``who`` gets: ``view``/``edit`` a unit's object, ``manage`` an account
    (``target`` = its role and unit), ``revoke`` a token (``target`` = owner's name, role and unit)."""
    if who is None or who in INACTIVE:
        return "login"
    if kind == "view":
        allowed = unit in seen_by(who)
    elif kind == "edit":
        allowed = unit in seen_by(who) and edits(who)
    elif kind == "manage":
        allowed = manages(who, *target)
    elif kind == "revoke":
        allowed = target[0] == who or manages(who, *target[1:])
    else:
        raise ValueError(kind)
    return "ok" if allowed else "forbidden"


def target_of(name: str) -> tuple[str, str | None]:
    """An account's role and unit."""
    return ACCOUNTS[name]
