"""Benchmark: tally + analysis of a province-wide survey (up to 1,000,000 phiếu × 10 items).

Generates a synthetic province (hundreds of communes, thousands of villages) with bulk loads (executemany
on SQLite, COPY on PostgreSQL), then times compute_tallies + results_document and measures peak memory.

    .venv/bin/python bench/tally_bench.py --sizes 100000,1000000 [--postgres] [--sqlite]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from bench._machine import describe  # noqa: E402
from survey_app import create_app  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.survey_templates import load_template  # noqa: E402

TEMPLATE = "huyen-ntm-nang-cao-2021"  # 10 items
COMMUNES, VILLAGES_PER_COMMUNE = 300, 10
PG_ADMIN = os.environ.get("SURVEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def rows(responses: int, seed: int = 1):
    """Yield (table, columns, row iterator factory) for the synthetic province."""
    rng = random.Random(seed)
    template = load_template(TEMPLATE)
    items = [item.key for item in template.items]
    snapshot = template.to_snapshot()
    villages = COMMUNES * VILLAGES_PER_COMMUNE
    per_village = responses // villages
    households = int(per_village / 0.8) + 1
    now = datetime.now(UTC).replace(tzinfo=None)
    yield "province", ("code", "name", "full_name", "type"), [("99", "Bench", "Tỉnh Bench", "Tỉnh")]
    yield "commune", ("code", "name", "full_name", "type", "province_code"), [
        (f"{90000 + c}", f"Xã {c}", f"Xã {c}", "Xã", "99") for c in range(COMMUNES)]
    yield "village", ("id", "commune_code", "code", "name", "households"), [
        (v + 1, f"{90000 + v // VILLAGES_PER_COMMUNE}", f"T{v % VILLAGES_PER_COMMUNE:02d}", f"Thôn {v}", households)
        for v in range(villages)]
    import json

    yield "survey", ("id", "template_key", "template_version", "template", "rules", "title", "unit_code",
                     "unit_level", "start_date", "end_date", "status", "created_at"), [
        (1, TEMPLATE, snapshot["version"], json.dumps(snapshot), json.dumps(snapshot["rules"]), "Bench", "99",
         "province", date(2026, 11, 2), date(2026, 11, 27), "closed", now)]
    yield "frame_village", ("id", "survey_id", "village_id", "households"), [
        (v + 1, 1, v + 1, households) for v in range(villages)]
    total = per_village * villages

    def village_of(i):
        return i // per_village + 1

    yield "household_code", ("id", "survey_id", "frame_village_id", "serial", "lookup_hash", "status", "issued_at"), (
        (i + 1, 1, village_of(i), i + 1, hashlib.sha256(b"%d" % i).hexdigest(), "used", now) for i in range(total))
    yield "response", ("id", "survey_id", "household_code_id", "frame_village_id", "channel", "receipt",
                       "submission_digest", "submitted_at", "current_version"), (
        (i + 1, 1, i + 1, village_of(i), "web" if i % 3 else "paper", f"R{i:09d}", "0" * 64, now, 1)
        for i in range(total))
    yield "response_version", ("id", "response_id", "version", "opinion", "created_at", "change_reason"), (
        (i + 1, i + 1, 1, "", now, "") for i in range(total))
    weights = [rng.random() * 0.06 for _ in range(villages)]  # per-village dissatisfaction share

    def answers():
        n = 0
        for i in range(total):
            v = village_of(i)
            for key in items:
                n += 1
                value = 2 if rng.random() < weights[v - 1] else 1
                yield (n, i + 1, 1, v, key, value, "", True)

    yield "answer", ("id", "response_version_id", "survey_id", "frame_village_id", "item_key", "value", "reason",
                     "is_current"), answers()


@contextmanager
def bench_database(backend: str):
    """The URL of an empty throw-away database (an SQLite file, or a PostgreSQL database dropped after)."""
    with tempfile.TemporaryDirectory() as tmp:
        if backend == "sqlite":
            yield f"sqlite:///{tmp}/bench.db"
            return
        name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def load(url: str, responses: int, rows_of=rows) -> None:
    """Create the schema and bulk-load the synthetic province (``rows_of(responses)``: the tables' rows)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SURVEY_CODE_KEY": "bench"})
    with app.app_context():
        db.create_all()
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            for table, columns, data in rows_of(responses):
                if db.engine.dialect.name == "postgresql":
                    with cur.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                        for row in data:
                            copy.write_row(row)
                else:
                    sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
                    batch = []
                    for row in data:
                        batch.append(row)
                        if len(batch) == 50_000:
                            cur.executemany(sql, batch)
                            batch.clear()
                    cur.executemany(sql, batch)
            raw.commit()
        finally:
            raw.close()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))
        db.engine.dispose()


def measure(url: str) -> tuple[float, float, float, dict]:
    """Time the tally + analysis (best of 3); return (seconds, Python peak MiB, max RSS MiB, document)."""
    from survey_app.models import Survey
    from survey_app.services.results import results_document
    from survey_app.services.tally import compute_tallies

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SURVEY_CODE_KEY": "bench"})
    best, document = float("inf"), {}
    with app.app_context():
        for run in range(4):  # three timed runs, then one under tracemalloc for the peak
            db.session.expunge_all()
            survey = db.session.get(Survey, 1)
            if run == 3:
                tracemalloc.start()
            started = time.perf_counter()
            document = results_document(survey, compute_tallies(survey))
            if run < 3:
                best = min(best, time.perf_counter() - started)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        db.engine.dispose()
    return best, peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    backends = [b for b in ("sqlite", "postgresql") if getattr(args, "postgres" if b == "postgresql" else b)]
    backends = backends or ["sqlite", "postgresql"]
    print(describe())
    print(f"{'backend':<11} {'phiếu':>9} {'answers':>10} {'load s':>7} {'tally+analysis s':>17} "
          f"{'py peak MiB':>11} {'RSS MiB':>8} verdict")
    for size in (int(s) for s in args.sizes.split(",")):
        for backend in backends:
            with bench_database(backend) as url:
                started = time.perf_counter()
                load(url, size)
                loaded = time.perf_counter() - started
                seconds, peak, rss, doc = measure(url)
                print(f"{backend:<11} {doc['coverage']['respondents']:>9,} "
                      f"{doc['coverage']['respondents'] * len(doc['items']):>10,} {loaded:>7.1f} "
                      f"{seconds:>17.2f} {peak:>11.1f} {rss:>8.0f} {doc['verdict']}", flush=True)


if __name__ == "__main__":
    main()
