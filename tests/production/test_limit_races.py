"""Failure limits hold under concurrency: N simultaneous failures against a budget of M let exactly M through,
and the honest requests made meanwhile (valid codes, right passwords) are never refused."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEntry
from tests.resident import full_answers
from tests.staff.conftest import add_user, csrf_token

ATTACKERS = 60
LIMIT = 10


def _race(app, prepare, act, count: int) -> list:
    """Each thread prepares (its own client, a page to read), waits for the others, then acts at once."""
    barrier = threading.Barrier(count, timeout=60)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            state = prepare(index)
            barrier.wait()
            results[index] = act(index, state)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            results[index] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _client(app, address: str = "203.0.113.5"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def quick_hashing(monkeypatch):
    from argon2 import PasswordHasher

    from survey_app.services import accounts

    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.mark.postgres
def test_simultaneous_wrong_codes_spend_exactly_the_budget_and_valid_codes_still_work(app, postgres_only,
                                                                                      open_survey):
    _, issued = open_survey
    app.config["SURVEY_CODE_FAILURE_LIMIT"] = f"{LIMIT} per 10 minutes"
    valid = [code.display for code in issued]
    count = ATTACKERS + 2 * len(valid)

    def act(index: int, client):
        if index < ATTACKERS:
            return client.get("/", query_string={"code": "AAAA-AAAA-AA"}).status_code
        code = valid[(index - ATTACKERS) % len(valid)]
        page = client.get(f"/s/{code}") if index % 2 else client.get("/", query_string={"code": code})
        return ("valid", page.status_code)

    results = _race(app, lambda index: _client(app), act, count)
    failures = Counter(r for r in results[:ATTACKERS])
    assert failures == {404: LIMIT, 429: ATTACKERS - LIMIT}, results
    assert set(results[ATTACKERS:]) <= {("valid", 200), ("valid", 302)}, results
    # Behind the spent address, a household still opens its phiếu, sends it and gets its receipt.
    client = _client(app)
    assert client.get("/").status_code == 200
    url = f"/s/{valid[0]}"
    assert client.post(url, data=full_answers(client.get(url).get_data(as_text=True))).status_code == 303


@pytest.mark.postgres
def test_simultaneous_wrong_passwords_spend_exactly_the_budget(app, postgres_only, quick_hashing):
    add_user(app, "victim", "admin", None)
    app.config["SURVEY_LOGIN_LIMIT"] = f"{LIMIT} per 5 minutes"
    app.config["SURVEY_LOGIN_ADDRESS_LIMIT"] = "1000 per 5 minutes"

    def prepare(index: int):
        client = _client(app)
        return client, csrf_token(client.get("/staff/login").get_data(as_text=True))

    def act(index: int, state):
        client, token = state
        return client.post("/staff/login", data={"csrf_token": token, "username": "victim",
                                                 "password": f"guess-{index}-abc"}).status_code

    results = _race(app, prepare, act, ATTACKERS)
    assert Counter(results) == {200: LIMIT, 429: ATTACKERS - LIMIT}, results
    with app.app_context():
        failed = db.session.execute(select(func.count()).select_from(AuditEntry)
                                    .where(AuditEntry.action == "user.login_failed")).scalar_one()
        locked = db.session.execute(select(func.count()).select_from(AuditEntry)
                                    .where(AuditEntry.action == "user.locked_out")).scalar_one()
    assert (failed, locked) == (LIMIT, 1)
