"""Cost of one request of the resident path, in one process: where the load benchmark's time goes.

Creates a fresh PostgreSQL database (dropped at the end), seeds an open survey as bench/load_test.py
does, then times ``GET /healthz``, ``GET /s/<code>`` and ``POST /s/<code>`` through the Flask test
client (no network, no gunicorn) and counts the SQL statements each one sends.

    .venv/bin/python bench/request_cost.py [--requests 300]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._machine import describe  # noqa: E402
from bench._residents import CSRF, answers_for, display  # noqa: E402
from bench._server import Environment, create_database, drop_database, migrate, seed, server_env  # noqa: E402


def measure(statements: list[int], requests: int, call) -> tuple[float, float, float]:
    """Milliseconds (elapsed, and CPU of this process) and SQL statements per request of ``call(i)``."""
    statements[0] = 0
    began, cpu = time.perf_counter(), time.process_time()
    for i in range(requests):
        call(i)
    return ((time.perf_counter() - began) / requests * 1000, (time.process_time() - cpu) / requests * 1000,
            statements[0] / requests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    from sqlalchemy import event

    from survey_app import create_app
    from survey_app.extensions import db

    url = create_database()
    env = Environment(url, server_env(url), 0)
    try:
        migrate(env.env)
        seed(env, args.requests * 2 + 10)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": env.env["SURVEY_SECRET_KEY"],
                          "SURVEY_CODE_KEY": env.env["SURVEY_CODE_KEY"], "SURVEY_LOG_REQUESTS": False,
                          "RATELIMIT_STORAGE_URI": "memory://"})
        statements = [0]
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
        client = app.test_client()
        page_path = f"/s/{display(env.codes[0])}"
        html = client.get(page_path).get_data()
        form = answers_for(html, CSRF.search(html).group(1).decode(), random.Random(1))

        def post(i: int) -> None:
            response = client.post(f"/s/{display(env.codes[i + 1])}", data=form)
            assert response.status_code == 303, response.status_code

        rows = [("GET /healthz", measure(statements, args.requests, lambda _: client.get("/healthz"))),
                ("GET /s/<code>", measure(statements, args.requests, lambda _: client.get(page_path))),
                ("POST /s/<code>", measure(statements, args.requests, post))]
        with app.app_context():
            db.engine.dispose()
    finally:
        drop_database(url)
    print(describe())
    print(f"{args.requests} requests each, Flask test client, PostgreSQL on the same host")
    print("| request | ms per request | of which CPU in the app | SQL statements |\n|---|---:|---:|---:|")
    for name, (ms, cpu, sql) in rows:
        print(f"| `{name}` | {ms:.1f} | {cpu:.1f} | {sql:g} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
