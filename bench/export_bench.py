"""Benchmark: export of a 1,000,000-response survey (raw responses streamed, results document, XLSX, PDF).

Generates a synthetic province-wide survey (300 communes × 10 villages, 10 items, 5 % of phiếu with an
opinion) with bulk inserts through SQLAlchemy Core ``executemany`` (no ORM objects), into SQLite and, when
a server answers, PostgreSQL. Each measurement runs in a fresh process so that its peak memory (tracemalloc
for Python objects, ``ru_maxrss`` for the whole process) is its own.

    .venv/bin/python bench/export_bench.py [--sizes 100000,1000000] [--sqlite] [--postgres] [--record]

``--record`` appends the table to docs/benchmarks.md under "Export of 1,000,000 responses".
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from bench import _child  # noqa: E402
from bench._machine import describe, record_section  # noqa: E402

TEMPLATE = "huyen-ntm-nang-cao-2021"  # 10 items
COMMUNES, VILLAGES_PER_COMMUNE = 300, 10
BATCH = 10_000
PG_ADMIN = os.environ.get("SURVEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
OPINIONS = ["Đề nghị nâng cấp đường giao thông nội đồng.", "Cần thêm đèn chiếu sáng ở các ngõ xóm.",
            "=HYPERLINK(\"http://x\",\"y\")", "Mong có thêm lớp dạy nghề cho lao động nông thôn."]
HEADING = "## Export of 1,000,000 responses"
MEASURES = ("raw", "document", "integrity", "xlsx", "pdf", "bundle")


def _app(url: str):
    from survey_app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SURVEY_CODE_KEY": "bench",
                       "SURVEY_LOG_REQUESTS": False})


def _batches(rows, size: int = BATCH):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(url: str, responses: int, seed: int = 7) -> None:
    """Create the schema and insert the survey with Core executemany, in batches."""
    from survey_app.extensions import db
    from survey_app.survey_templates import load_template

    app = _app(url)
    rng = random.Random(seed)
    snapshot = load_template(TEMPLATE).to_snapshot()
    items = [item["key"] for item in snapshot["items"]]
    villages = COMMUNES * VILLAGES_PER_COMMUNE
    per_village = responses // villages
    households = int(per_village / 0.85) + 1
    total = per_village * villages
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    with app.app_context():
        db.create_all()
        t = db.metadata.tables
        with db.engine.begin() as conn:
            conn.execute(insert(t["province"]), [{"code": "99", "name": "Bench", "full_name": "Tỉnh Bench",
                                                  "type": "Tỉnh"}])
            conn.execute(insert(t["commune"]), [
                {"code": f"{90000 + c}", "name": f"Xã {c}", "full_name": f"Xã {c}", "type": "Xã",
                 "province_code": "99"} for c in range(COMMUNES)])
            conn.execute(insert(t["village"]), [
                {"id": v + 1, "commune_code": f"{90000 + v // VILLAGES_PER_COMMUNE}",
                 "code": f"T{v % VILLAGES_PER_COMMUNE:02d}", "name": f"Thôn {v}", "households": households}
                for v in range(villages)])
            conn.execute(insert(t["survey"]), [{
                "id": 1, "template_key": TEMPLATE, "template_version": snapshot["version"],
                "template": snapshot, "rules": snapshot["rules"], "title": "Bench – Tỉnh Bench",
                "unit_code": "99",
                "unit_level": "province", "start_date": date(2026, 11, 2), "end_date": date(2026, 11, 27),
                "status": "closed", "created_at": start}])
            conn.execute(insert(t["frame_village"]), [
                {"id": v + 1, "survey_id": 1, "village_id": v + 1, "households": households}
                for v in range(villages)])
        weights = [rng.random() * 0.06 for _ in range(villages)]  # per-village dissatisfaction share

        def stamp(i: int) -> datetime:
            return start + timedelta(seconds=(i * 1_987_213) % (20 * 86_400))

        tables = [
            ("household_code", lambda i: {
                "id": i + 1, "survey_id": 1, "frame_village_id": i // per_village + 1, "serial": i + 1,
                "lookup_hash": hashlib.sha256(b"%d" % i).hexdigest(), "status": "used", "issued_at": start}),
            ("response", lambda i: {
                "id": i + 1, "survey_id": 1, "household_code_id": i + 1,
                "frame_village_id": i // per_village + 1,
                "channel": "web" if i % 3 else "paper", "receipt": f"R{i:09d}", "submission_digest": "0" * 64,
                "submitted_at": stamp(i), "current_version": 1,
                "client_hash": f"{i % 50_000:016x}" if i % 3 else None}),
            ("response_version", lambda i: {"id": i + 1, "response_id": i + 1, "version": 1,
                                            "opinion": OPINIONS[i % 4] if i % 20 == 0 else "",
                                            "created_at": stamp(i), "change_reason": ""}),
        ]
        for name, make in tables:
            with db.engine.begin() as conn:
                for batch in _batches(make(i) for i in range(total)):
                    conn.execute(insert(t[name]), batch)

        def answers():
            n = 0
            for i in range(total):
                village = i // per_village
                for key in items:
                    n += 1
                    value = 2 if rng.random() < weights[village] else 1
                    yield {"id": n, "response_version_id": i + 1, "survey_id": 1,
                           "frame_village_id": village + 1, "item_key": key, "value": value,
                           "reason": "Đường còn xấu." if value == 2 and n % 7 == 0 else "",
                           "is_current": True}

        with db.engine.begin() as conn:
            for batch in _batches(answers()):
                conn.execute(insert(t["answer"]), batch)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))
        db.engine.dispose()


def _timed(task, *, traced: bool) -> tuple[float, float, object]:
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    result = task()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    if traced:
        tracemalloc.stop()
    return seconds, peak, result


def measure(url: str, what: str) -> dict:
    """Run one export twice: timed, then under tracemalloc for its Python peak (in this fresh process)."""
    from survey_app.exports import BundleJob, prepare_raw, raw_chunks, render_pdf, render_xlsx, stream_bundle
    from survey_app.extensions import db
    from survey_app.models import Survey
    from survey_app.services.integrity import integrity_indicators
    from survey_app.services.opinions import opinion_rows, summarise
    from survey_app.services.results import results_document

    app = _app(url)
    with app.test_request_context():
        survey = db.session.get(Survey, 1)
        document = results_document(survey) if what in ("integrity", "xlsx", "pdf", "bundle") else None

        def drain(chunks) -> dict:
            digest, size = hashlib.sha256(), 0
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
            return {"bytes": size, "sha256": digest.hexdigest()[:12]}

        tasks = {
            "raw": lambda: drain(raw_chunks(prepare_raw(db.session.get(Survey, 1)))),
            "document": lambda: {"verdict": results_document(db.session.get(Survey, 1))["verdict"]},
            "integrity": lambda: {
                "indicators": len(integrity_indicators(db.session.get(Survey, 1), document))},
            "xlsx": lambda: {"bytes": len(render_xlsx(document, opinion_rows(1)))},
            "pdf": lambda: {"bytes": len(render_pdf(document, summarise(1)))},
            "bundle": lambda: drain(stream_bundle(
                BundleJob(1, document, (), prepare_raw(db.session.get(Survey, 1)), "vi",
                          lambda: opinion_rows(1), lambda: summarise(1)), lambda *_done: None)),
        }
        seconds, _, result = _timed(tasks[what], traced=False)
        db.session.expunge_all()
        _, peak, _ = _timed(tasks[what], traced=True)
        db.engine.dispose()
    return {"seconds": seconds, "python_peak_mib": peak,
            "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **result}


def in_fresh_process(url: str, what: str) -> dict:
    return _child.run_json(__file__, "--measure", what, "--url", url)


def _database(backend: str, tmp: str) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{tmp}/bench.db", None
    name = f"bench_export_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", name


def _drop(name: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _postgres_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def run(sizes: list[int], backends: list[str]) -> list[str]:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"Machine: {describe()} (nproc {os.cpu_count()}); load average at start {load} "
             "(a shared machine: figures are upper bounds)", "",
             "| backend | phiếu | load s | export | time s | Python peak MiB | max RSS MiB | output |",
             "|---|---:|---:|---|---:|---:|---:|---|"]
    for line in lines:
        print(line, flush=True)
    for size in sizes:
        for backend in backends:
            with tempfile.TemporaryDirectory() as tmp:
                url, name = _database(backend, tmp)
                try:
                    started = time.perf_counter()
                    generate(url, size)
                    loaded = time.perf_counter() - started
                    for what in MEASURES:
                        m = in_fresh_process(url, what)
                        output = (f"{m['bytes'] / 2**20:.1f} MiB" if "bytes" in m
                                  else m.get("verdict") or f"{m.get('indicators')} indicators")
                        line = (f"| {backend} | {size:,} | {loaded:.0f} | {what} | {m['seconds']:.2f} | "
                                f"{m['python_peak_mib']:.1f} | {m['max_rss_mib']:.0f} | {output} |")
                        lines.append(line)
                        print(line, flush=True)
                finally:
                    if name:
                        _drop(name)
    return lines


DESCRIPTION = (
    "Script: `bench/export_bench.py`; each export runs in a fresh process, timed once, then once more "
    "under tracemalloc for the Python peak (max RSS includes the imported libraries, about 200 MiB). "
    "`raw` streams every phiếu as CSV (answers pivoted in SQL in index order, fetched with `yield_per`, "
    "details and reasons in keyed batches); `document` is `results_document` (grouped tallies, rules, "
    "intervals); `integrity` the indicators of the results page; `xlsx` and `pdf` the downloads (the XLSX "
    "holds every opinion and reason; the PDF lists communes when villages exceed 200); `bundle` the "
    "streamed ZIP of all of them with its manifest. Synthetic survey: 300 communes × 10 villages, "
    "10 items, 5 % of phiếu with an opinion.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--record", action="store_true")
    _child.add_arguments(parser)
    args = parser.parse_args()
    if _child.answered(args, measure):
        return
    backends = [b for b, wanted in (("sqlite", args.sqlite), ("postgresql", args.postgres)) if wanted]
    if not backends:
        backends = ["sqlite"] + (["postgresql"] if _postgres_available() else [])
    lines = run([int(s) for s in args.sizes.split(",")], backends)
    if args.record:
        record_section(ROOT / "docs" / "benchmarks.md", HEADING, "\n".join([DESCRIPTION, "", *lines]))


if __name__ == "__main__":
    main()
