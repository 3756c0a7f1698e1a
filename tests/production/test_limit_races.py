"""Failure limits hold under concurrency: N simultaneous failures against a budget of M let exactly M through,
and the honest requests made meanwhile (valid codes, right passwords) are never refused."""
from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import AuditEntry
from tests.resident import full_answers
from tests.staff.accounts import PASSWORD, add_user, csrf_token

ATTACKERS = 60
LIMIT = 10
ADDRESS = "203.0.113.5"


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, app, redis_url):
    """The app counting failures in memory, or a sibling on the same database counting them in Redis (as in
    production; skipped without a Redis server or client). Yields (app, the Redis keys written or None)."""
    if request.param == "memory":
        yield app, None
        return
    redis = pytest.importorskip("redis")
    server = redis.Redis.from_url(redis_url)
    try:
        server.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {redis_url}: {type(exc).__name__}")
    prefix = f"survey-test-{uuid.uuid4().hex[:10]}"
    base = {key: app.config[key] for key in ("TESTING", "SECRET_KEY", "SURVEY_CODE_KEY",
                                             "SQLALCHEMY_DATABASE_URI", "SURVEY_PUBLIC_URL")}
    sibling = create_app(base | {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": prefix})
    try:
        yield sibling, lambda: [key.decode() for key in server.scan_iter(f"*{prefix}*")]
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        with sibling.app_context():
            db.engine.dispose()


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


def _client(app, address: str = ADDRESS):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.mark.postgres
def test_simultaneous_wrong_codes_spend_exactly_the_budget_and_valid_codes_still_work(limited_app, postgres_only,
                                                                                      open_survey):
    app, redis_keys = limited_app
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
    if redis_keys:  # counted in Redis under a keyed hash of the address, never the address itself
        assert redis_keys() and not any(ADDRESS in key for key in redis_keys())


@pytest.mark.postgres
def test_simultaneous_wrong_passwords_spend_exactly_the_budget(limited_app, postgres_only):
    app, redis_keys = limited_app
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
    if redis_keys:
        assert redis_keys() and not any(ADDRESS in key or "victim" in key for key in redis_keys())


@pytest.mark.postgres
def test_simultaneous_right_passwords_are_never_counted(limited_app, postgres_only):
    app, _ = limited_app
    add_user(app, "owner", "admin", None)
    app.config["SURVEY_LOGIN_LIMIT"] = app.config["SURVEY_LOGIN_ADDRESS_LIMIT"] = "3 per 5 minutes"

    def prepare(index: int):
        client = _client(app)
        return client, csrf_token(client.get("/staff/login").get_data(as_text=True))

    def log_in(state, password: str) -> int:
        client, token = state
        return client.post("/staff/login", data={"csrf_token": token, "username": "owner",
                                                 "password": password}).status_code

    assert Counter(_race(app, prepare, lambda index, state: log_in(state, PASSWORD), 3)) == {302: 3}
    # The three honest logins gave their attempts back: the whole budget is still there for typos.
    statuses = [log_in(prepare(0), "typo-123456") for _ in range(3)] + [log_in(prepare(0), PASSWORD)]
    assert statuses == [200, 200, 200, 429]
