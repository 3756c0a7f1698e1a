"""Fault test: SIGKILL a gunicorn worker and restart PostgreSQL in the middle of the load; lose nothing.

Same set-up as bench/load_test.py (fresh database, seeded survey, gunicorn on 127.0.0.1). Simulated
residents submit phiếu and, like a person tapping "Gửi" again, retry the identical POST when the
server fails them. Meanwhile one worker is killed with SIGKILL and the PostgreSQL cluster is restarted
once. Afterwards the script checks, straight in the database, that:

- every receipt a client received is stored exactly once, for the household code it was given for;
- nothing is half-written: each response has versions 1..current, each version one answer per item,
  and its household code is marked used;
- the service recovered by itself: gunicorn is back to its number of workers, /healthz answers 200 and a
  fresh submission succeeds, with nobody restarting the app (pool_pre_ping replaces dead connections).

PostgreSQL is started again at the end whatever happens. Note: the restart also cuts the connections of
anything else using the same local server.

    .venv/bin/python bench/fault_test.py [--clients 30] [--duration 30] [--record]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._machine import describe, record_section  # noqa: E402
from bench._residents import HttpClient, submit_once  # noqa: E402
from bench._server import ROOT, worker_pids  # noqa: E402
from bench._server import environment as bench_environment  # noqa: E402

HEADING = "## Fault test"
WORKERS = 2


def pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql"))
    return versions[-1]


def pg_ready() -> bool:
    done = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False)
    return done.returncode == 0


def pg_restart() -> float:
    """Restart the cluster; return how long it took."""
    began = time.monotonic()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "restart"],
                   check=True, capture_output=True, timeout=120)
    return time.monotonic() - began


def ensure_pg_running() -> None:
    """Start PostgreSQL again if it is not running (called on every way out)."""
    if pg_ready():
        return
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "start"],
                   check=False, capture_output=True, timeout=120)
    for _ in range(60):
        if pg_ready():
            return
        time.sleep(1)
    print("ERROR: PostgreSQL is still not running", file=sys.stderr)


async def run_load(env, clients: int, duration: float, kill_at: float, restart_at: float,
                   events: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    """Residents submit with retries while the faults are injected; return receipts and outcome counts."""
    pool = list(env.codes[1:])  # codes[0] is kept for the recovery check
    random.Random(3).shuffle(pool)
    receipts: dict[str, str] = {}
    outcome = {"acknowledged": 0, "gave_up": 0, "retried_ok": 0}
    stop_at = time.monotonic() + duration

    async def resident(index: int) -> None:
        client = HttpClient(env.port)
        rng = random.Random(index)
        try:
            while time.monotonic() < stop_at and pool:
                code = pool.pop()
                result = await submit_once(client, code, rng, retries=40, retry_pause=0.5)
                if result.receipt:
                    receipts[code] = result.receipt
                    outcome["acknowledged"] += 1
                    if result.attempts > 1:
                        outcome["retried_ok"] += 1
                else:
                    outcome["gave_up"] += 1
                    events.append(f"gave up on a code: {result.error}")
        finally:
            await client.close()

    async def faults() -> None:
        await asyncio.sleep(kill_at)
        victim = worker_pids(env)[0]
        os.kill(victim, signal.SIGKILL)
        events.append(f"t={kill_at:.0f}s SIGKILL worker {victim}")
        await asyncio.sleep(restart_at - kill_at)
        took = await asyncio.to_thread(pg_restart)
        events.append(f"t={restart_at:.0f}s PostgreSQL restarted ({took:.1f} s)")

    await asyncio.gather(faults(), *(resident(i) for i in range(clients)))
    return receipts, outcome


def verify(env, receipts: dict[str, str]) -> list[str]:
    """Check the acknowledged receipts and the integrity of everything stored; return the problems."""
    from sqlalchemy import func, select

    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.models import Answer, CodeStatus, HouseholdCode, Response, ResponseVersion, Survey
    from survey_app.services import household_codes

    app = create_app({"SQLALCHEMY_DATABASE_URI": env.database_url, "SECRET_KEY": env.env["SURVEY_SECRET_KEY"],
                      "SURVEY_CODE_KEY": env.env["SURVEY_CODE_KEY"], "SURVEY_LOG_REQUESTS": False})
    problems: list[str] = []
    with app.app_context():
        items = len(db.session.get(Survey, env.survey_id).template["items"])
        for code, receipt in receipts.items():
            rows = db.session.execute(
                select(Response.receipt, HouseholdCode.lookup_hash)
                .join(HouseholdCode, HouseholdCode.id == Response.household_code_id)
                .where(Response.receipt == receipt)).all()
            if len(rows) != 1:
                problems.append(f"receipt {receipt}: stored {len(rows)} times")
            elif rows[0].lookup_hash != household_codes.lookup_hash(code):
                problems.append(f"receipt {receipt}: stored for another household code")
        duplicates = db.session.execute(
            select(Response.household_code_id).group_by(Response.household_code_id)
            .having(func.count() > 1)).all()
        problems += [f"household code {d[0]} has several responses" for d in duplicates]
        for response in db.session.execute(select(Response)).scalars():
            versions = db.session.execute(select(ResponseVersion).where(
                ResponseVersion.response_id == response.id).order_by(ResponseVersion.version)).scalars().all()
            if [v.version for v in versions] != list(range(1, response.current_version + 1)):
                problems.append(f"response {response.id}: versions {[v.version for v in versions]}")
            for version in versions:
                answers = db.session.execute(select(func.count()).select_from(Answer).where(
                    Answer.response_version_id == version.id)).scalar_one()
                if answers != items:
                    problems.append(f"response {response.id} v{version.version}: {answers}/{items} answers")
            code = db.session.get(HouseholdCode, response.household_code_id)
            if code.status is not CodeStatus.USED:
                problems.append(f"response {response.id}: its code is {code.status}, not used")
        stored = db.session.execute(select(func.count()).select_from(Response)).scalar_one()
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping") is True, "pool_pre_ping is off"
        db.engine.dispose()
    if stored < len(receipts):
        problems.append(f"{stored} responses stored for {len(receipts)} receipts")
    return problems


async def recovery(env, events: list[str]) -> list[str]:
    """Without touching the app: workers back, /healthz 200, a fresh submission accepted."""
    problems = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(worker_pids(env)) < WORKERS:
        await asyncio.sleep(0.5)
    if len(worker_pids(env)) < WORKERS:
        problems.append(f"gunicorn has {len(worker_pids(env))} workers, not {WORKERS}")
    client = HttpClient(env.port)
    try:
        began = time.monotonic()
        status = None
        while time.monotonic() - began < 30:
            try:
                status, _h, _b = await client.request("GET", "/healthz")
            except (ConnectionError, OSError, TimeoutError):
                status = None
            if status == 200:
                break
            await asyncio.sleep(0.5)
        events.append(f"/healthz after the faults: {status} ({time.monotonic() - began:.1f} s)")
        if status != 200:
            problems.append(f"/healthz answers {status}")
        result = await submit_once(client, env.codes[0], random.Random(0))
        events.append(f"fresh submission after the faults: {result.status}")
        if not result.receipt:
            problems.append(f"a fresh submission failed: {result.error}")
    finally:
        await client.close()
    return problems


def error_lines(log_path: Path, since: int) -> dict[int, int]:
    """Count the statuses of logged requests (5xx during the faults) from the JSON request log."""
    import json

    counts: dict[int, int] = {}
    with log_path.open(encoding="utf-8", errors="replace") as fh:
        fh.seek(since)
        for line in fh:
            if line.startswith("{") and '"survey_app.request"' in line:
                status = json.loads(line).get("status")
                counts[status] = counts.get(status, 0) + 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (bounded)")
    parser.add_argument("--kill-at", type=float, default=6.0)
    parser.add_argument("--restart-at", type=float, default=15.0)
    parser.add_argument("--record", action="store_true", help="write the result into docs/benchmarks.md")
    args = parser.parse_args()
    workdir = ROOT / "bench" / "out"
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / "gunicorn-fault.log"
    log_start = log_path.stat().st_size if log_path.exists() else 0
    events: list[str] = []
    problems: list[str] = []
    receipts: dict[str, str] = {}
    outcome: dict[str, int] = {}
    codes = int(args.duration * 150) + 100
    try:
        with bench_environment(codes, WORKERS, "gthread", 4, workdir, log_name="gunicorn-fault.log") as env:
            receipts, outcome = asyncio.run(run_load(env, args.clients, args.duration, args.kill_at,
                                                     args.restart_at, events))
            ensure_pg_running()
            problems += asyncio.run(recovery(env, events))
            problems += verify(env, receipts)
            logged = log_path.read_text(encoding="utf-8", errors="replace")[log_start:]
            leaked = [c for c in receipts if c in logged or f"{c[:4]}-{c[4:8]}-{c[8:]}" in logged]
            if leaked:
                problems.append(f"{len(leaked)} household codes appear in clear in the server log")
            events.append(f"household codes in clear in the server log: {len(leaked)}")
    finally:
        ensure_pg_running()
    statuses = error_lines(log_path, log_start) if log_path.exists() else {}
    passed = not problems
    lines = [
        f"Machine: {describe()}.",
        "",
        f"gunicorn {WORKERS} × gthread (4 threads) + PostgreSQL, {args.clients} residents submitting for "
        f"{args.duration:g} s with retries of the identical POST (as a resident tapping again).",
        "",
        *[f"- {event}" for event in events if not event.startswith("gave up")],
        f"- acknowledged receipts: {outcome.get('acknowledged', 0)}, of which {outcome.get('retried_ok', 0)} "
        f"after retrying the identical POST; residents who gave up: {outcome.get('gave_up', 0)}",
        f"- statuses logged by the app: {dict(sorted(statuses.items()))} (requests cut by the killed worker "
        "or refused while the database restarted are not logged by the app; the clients retried them)",
        f"- acknowledged receipts missing or duplicated: {sum('stored' in p for p in problems)}; "
        f"half-written responses: {sum('answers' in p or 'versions' in p for p in problems)}",
        f"- recovered by itself: {'yes' if not any('healthz' in p or 'workers' in p or 'fresh' in p for p in problems) else 'NO'}",  # noqa: E501
        f"- result: {'PASS' if passed else 'FAIL'}" + ("" if passed else ": " + "; ".join(problems[:10])),
    ]
    print("\n".join(lines))
    if args.record:
        record_section(ROOT / "docs" / "benchmarks.md", HEADING,
                       "\n".join(lines + ["", "Run: `.venv/bin/python bench/fault_test.py --record`."]))
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
