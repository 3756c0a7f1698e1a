"""Benchmark: pages of a published province survey, served from its snapshot, beside the recount they replace.

Loads the synthetic province of ``bench/tally_bench.py`` (300 communes × 10 villages, 10 items), times the
results page, the JSON download and the API before publication (live recount), publishes (the snapshot is
built once), then times the same requests and the public notice from the snapshot: the first request after
a start (the snapshot parsed once per process) and the median of the next five. Server time, measured
around the WSGI call of Flask's test client (no network).

    .venv/bin/python bench/published_bench.py [--size 1000000] [--postgres]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bench._machine import describe  # noqa: E402
from bench.tally_bench import bench_database, load  # noqa: E402
from survey_app import create_app  # noqa: E402
from survey_app.extensions import db  # noqa: E402


def _timed(client, url: str, headers: dict | None = None) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url, headers=headers or {})
    body = response.get_data()
    assert response.status_code == 200, (url, response.status_code)
    return time.perf_counter() - started, len(body)


def _series(client, url: str, headers: dict | None = None, runs: int = 5) -> tuple[float, float, int]:
    """(first request, median of the next ``runs``, bytes) in seconds."""
    first, size = _timed(client, url, headers)
    rest = [_timed(client, url, headers)[0] for _ in range(runs)]
    return first, statistics.median(rest), size


def measure(url: str) -> list[tuple[str, str, float, float, int]]:
    from survey_app.models import Role, Survey, User
    from survey_app.services import snapshots
    from survey_app.services.accounts import create_user
    from survey_app.services.api_tokens import create_token
    from survey_app.services.surveys import transition

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SURVEY_CODE_KEY": "bench", "SECRET_KEY": "bench",
                      "SURVEY_AUDIT_KEY": "bench-audit", "SURVEY_LOG_REQUESTS": False,
                      "SURVEY_PUBLIC_URL": "http://bench.test", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        user = create_user("bench", "Kiem-tra-toc-do-2026", Role.ADMIN, None, actor_name="bench")
        _row, token = create_token(user, "bench")
        db.session.commit()
        user_id = user.id
    client = app.test_client()
    signed_in = client.post("/staff/login", data={"username": "bench", "password": "Kiem-tra-toc-do-2026"})
    assert signed_in.status_code == 302, signed_in.status_code
    bearer = {"Authorization": f"Bearer {token}"}
    paths = {"results page": "/results/1", "JSON download": "/results/1/tai-ve/json",
             "API results": "/api/v1/surveys/1/results"}
    rows = []
    for name, path in paths.items():
        first, median, size = _series(client, path, bearer if path.startswith("/api") else None, runs=2)
        rows.append(("live recount", name, first, median, size))
    with app.app_context():
        started = time.perf_counter()
        transition(db.session.get(Survey, 1), "publish", actor_name="bench")
        db.session.commit()
        rows.append(("publish", "snapshot built and stored", time.perf_counter() - started, 0.0,
                     len(db.session.execute(text("SELECT document FROM publication")).scalar_one())))
        assert db.session.get(User, user_id) is not None
    snapshots.published_document.cache_clear()
    paths["public notice"] = "/results/1/niem-yet"
    for name, path in paths.items():
        first, median, size = _series(client, path, bearer if path.startswith("/api") else None)
        rows.append(("snapshot", name, first, median, size))
    with app.app_context():
        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    print(describe())
    backend = "postgresql" if args.postgres else "sqlite"
    with bench_database(backend) as url:
        started = time.perf_counter()
        load(url, args.size)
        print(f"{backend}: loaded {args.size:,} phiếu in {time.perf_counter() - started:.0f} s")
        print(f"{'served from':<14} {'request':<26} {'first ms':>9} {'median ms':>10} {'bytes':>11}")
        for source, name, first, median, size in measure(url):
            print(f"{source:<14} {name:<26} {first * 1000:>9.0f} {median * 1000:>10.1f} {size:>11,}")


if __name__ == "__main__":
    main()
