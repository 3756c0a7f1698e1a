"""Every listing shows exactly what its reader's scope holds (the surveys on the console, the results pages
and the API, the communes, the accounts, the API tokens, the audit log), and an admin creates accounts only
inside its own scope; each compared with ``conftest.seen_by`` and ``conftest.manages``."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEntry

from .matrix import client_for, csrf, outcome, send
from .world import ACCOUNTS, ALL_UNITS, COMMUNE_OF, INACTIVE, manages, seen_by

AUDIT_ID = re.compile(r'data-label="#" class="short">(\d+)</td>')
WHO = [None, *ACCOUNTS]


def _ids(pattern: str, html: str) -> set[str]:
    return set(re.findall(pattern, html))


def _surveys_seen(world, who) -> set[str]:
    units = {unit: values["sid"] for unit, values in world.surveys.items()}
    sids = {str(sid) for unit, sid in units.items() if unit in seen_by(who)}
    return sids | ({str(world.published["sid"])} if "21043" in seen_by(who) else set())


def _page(client, path: str) -> str | None:
    """The page's text, or None when the reader is sent to sign in or refused."""
    response = client.get(path)
    return response.get_data(as_text=True) if response.status_code == 200 else None


def _listed(client, path: str, pattern: str) -> set[str] | None:
    """What a listing links to (``pattern``'s group), or None when the reader is sent away or refused."""
    html = _page(client, path)
    return None if html is None else _ids(pattern, html)


def _audit_ids(client) -> set[str] | None:
    seen: set[str] = set()
    for number in range(1, 100):
        html = _page(client, f"/staff/audit?page={number}")
        if html is None:
            return None
        found = set(AUDIT_ID.findall(html))
        if not found or found <= seen:
            return seen
        seen |= found
    raise AssertionError("the audit log did not end")


def _audit_expected(app, world, who) -> set[str] | None:
    if who is None or who in INACTIVE:
        return None
    with app.app_context():
        rows = db.session.execute(select(AuditEntry.id, AuditEntry.survey_id, AuditEntry.actor_id)).all()
    if seen_by(who) == ALL_UNITS and ACCOUNTS[who][0] == "admin":
        return {str(row.id) for row in rows}
    sids = {int(sid) for sid in _surveys_seen(world, who)}
    return {str(row.id) for row in rows if row.survey_id in sids or row.actor_id == world.users[who]}


def _survey_listings(app, world, who, client):
    want = _surveys_seen(world, who) if who and who not in INACTIVE else None
    assert _listed(client, "/staff/", r'href="/staff/surveys/(\d+)"') == want
    assert _listed(client, "/results/", r'href="/results/(\d+)"') == want
    api = client.get("/api/v1/surveys", headers={"Authorization": f"Bearer {world.tokens[who][1]}"} if who else {})
    assert ({str(s["id"]) for s in api.json["surveys"]} if api.status_code == 200 else None) == want


def _other_listings(app, world, who, client):
    signed_in = who is not None and who not in INACTIVE
    assert _listed(client, "/staff/units", r'href="/staff/units/(\d{5})/villages"') == (
        {code for code in COMMUNE_OF if code in seen_by(who)} if signed_in else None)
    managed = {str(world.users[name]) for name in ACCOUNTS if manages(who, *ACCOUNTS[name])}
    assert _listed(client, "/staff/users", r'href="/staff/users/(\d+)/password"') == (
        managed if signed_in and ACCOUNTS[who][0] == "admin" else None)
    owners = {name for name in ACCOUNTS if name == who or manages(who, *ACCOUNTS[name])}
    assert _listed(client, "/results/tokens", r"công cụ của ([a-z_]+)<") == (owners if signed_in else None)
    assert _audit_ids(client) == _audit_expected(app, world, who)


def _account_creation(client, who) -> list[str]:
    token, wrong = csrf(client), []
    for number, (role, unit) in enumerate((r, u) for r in ("admin", "staff", "auditor")
                                          for u in (None, *sorted(ALL_UNITS))):
        form = {"username": f"moi{number}", "password": "Mat-khau-moi-2026", "confirm": "Mat-khau-moi-2026",
                "role": role, "unit_code": unit or ""}
        got = outcome(send(client, "POST", "/staff/users/new", form, csrf_token=token), (302,))
        if who is None or who in INACTIVE:
            want = "login"
        elif ACCOUNTS[who][0] != "admin":
            want = "forbidden"
        else:  # created (302), else the form again with the refusal (422)
            want = "ok" if manages(who, role, unit) and (role == "admin" or unit) else "status 422"
        if got != want:
            wrong.append(f"{who} creating {role} of {unit}: expected {want}, got {got}")
    return wrong


@pytest.mark.parametrize("who", WHO)
def test_listings_and_account_creation(app, world, who):
    """The listings first: the accounts created at the end join them."""
    client = client_for(app, who)
    _survey_listings(app, world, who, client)
    _other_listings(app, world, who, client)
    wrong = _account_creation(client, who)
    assert not wrong, "\n".join(wrong)
