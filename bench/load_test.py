"""Load benchmark: simulated residents answering through gunicorn + PostgreSQL, all on loopback.

Creates a fresh PostgreSQL database (dropped at the end), runs ``flask db upgrade``, creates an open survey
with enough issued household codes (through the services, keeping the clear codes in memory), starts
gunicorn on 127.0.0.1, then, at each concurrency level, measures four closed-loop phases one after the
other: the trivial endpoint ``GET /healthz`` (one ``SELECT 1``), the survey page ``GET /s/<code>``, the
submit (the ``POST`` of the answers, ending in the 303 to the receipt; each client fetched one phiếu for its
session's CSRF token before the clock started) and the journey (``GET`` the page, then ``POST``).
Every phase is bounded in time and in count, and every request goes to 127.0.0.1 only.

    .venv/bin/python bench/load_test.py [--levels 10,50,200] [--duration 8] [--workers 2] [--think 0] [--record]

``--record`` writes the table into docs/benchmarks.md under "Load (gunicorn + PostgreSQL)".
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._machine import describe, record_section  # noqa: E402
from bench._residents import CSRF, RECEIPT_PATH, REQUEST_TIMEOUT, HttpClient, answers_for, display, submit_once  # noqa: E402
from bench._server import ROOT, Environment, count_stored, cpu_seconds, environment  # noqa: E402


@dataclass
class PhaseResult:
    """The figures of one phase at one concurrency level."""

    name: str
    clients: int
    ok: int
    errors: int
    elapsed: float
    latencies: list[float]
    #: CPU seconds the phase cost the app, PostgreSQL and the client (after any preparation)
    cpu: dict[str, float] = field(default_factory=dict)

    def cpu_ms_per_op(self, part: str) -> float:
        """CPU milliseconds of ``part`` per request answered, successful or not."""
        requests = self.ok + self.errors
        return self.cpu.get(part, 0.0) / requests * 1000 if requests else float("nan")

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))] * 1000


async def run_phase(name: str, port: int, clients: int, duration: float, max_ops: int, op,
                    prepare=None, think: float = 0.0, cpu=None) -> PhaseResult:
    """Run ``clients`` closed-loop clients doing ``op`` until ``duration`` seconds or ``max_ops`` ops.

    ``prepare(client)``, when given, runs for every client before the clock starts. ``think`` is the
    mean pause (exponentially distributed) of a client between two operations: a resident reading.
    ``cpu()``, when given, reads the CPU seconds used so far by each part; the phase's share (after the
    preparation) is kept in the result.
    """
    latencies: list[float] = []
    counters = {"ok": 0, "errors": 0, "started": 0}
    http_clients = [HttpClient(port) for _ in range(clients)]
    if prepare is not None:
        await asyncio.gather(*(prepare(client) for client in http_clients))
    cpu_before = cpu() if cpu else {}
    stop_at = time.monotonic() + duration

    async def resident(index: int) -> None:
        client = http_clients[index]
        rng = random.Random(index)
        if think:  # residents arrive spread over one think time, not all in the same millisecond
            await asyncio.sleep(rng.uniform(0, think))
        try:
            while time.monotonic() < stop_at and counters["started"] < max_ops:
                counters["started"] += 1
                began = time.perf_counter()
                ok = await op(client, rng)
                if ok is None:  # nothing left to do (e.g. codes used up)
                    break
                if ok:
                    latencies.append(time.perf_counter() - began)
                    counters["ok"] += 1
                else:
                    counters["errors"] += 1
                if think:
                    await asyncio.sleep(min(rng.expovariate(1 / think), max(0.0, stop_at - time.monotonic())))
        finally:
            await client.close()

    began = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(resident(i) for i in range(clients))),
                           duration + REQUEST_TIMEOUT * 3 + 10)
    elapsed = time.monotonic() - began
    used = {part: seconds - cpu_before[part] for part, seconds in cpu().items()} if cpu else {}
    return PhaseResult(name, clients, counters["ok"], counters["errors"], elapsed, latencies, used)


def healthz_op(_env: Environment):
    async def op(client: HttpClient, _rng) -> bool:
        try:
            status, _h, _b = await client.request("GET", "/healthz")
        except (TimeoutError, ConnectionError, OSError):
            return False
        return status == 200
    return op


def page_op(view_codes: list[str]):
    async def op(client: HttpClient, rng: random.Random) -> bool:
        try:
            status, _h, _b = await client.request("GET", f"/s/{display(rng.choice(view_codes))}")
        except (TimeoutError, ConnectionError, OSError):
            return False
        return status == 200
    return op


def journey_op(pool: list[str], receipts: dict[str, str]):
    """A resident's whole visit: GET the phiếu, POST the answers."""
    async def op(client: HttpClient, rng: random.Random) -> bool | None:
        if not pool:
            return None
        outcome = await submit_once(client, pool.pop(), rng)
        if outcome.receipt:
            receipts[outcome.code] = outcome.receipt
        return outcome.receipt is not None
    return op


def fetch_page(view_codes: list[str]):
    """Before a POST-only phase: each client opens a phiếu once, for its session's CSRF token and the items."""
    async def prepare(client: HttpClient) -> None:
        status, _h, client.page = await client.request("GET", f"/s/{display(random.choice(view_codes))}")
        if status != 200 or not CSRF.search(client.page):
            raise RuntimeError(f"could not prepare a client: page answered {status}")
    return prepare


def submit_op(pool: list[str], receipts: dict[str, str]):
    """The submit alone: POST a household's answers (the page was fetched before the clock started)."""
    async def op(client: HttpClient, rng: random.Random) -> bool | None:
        if not pool:
            return None
        code = pool.pop()
        form = answers_for(client.page, CSRF.search(client.page).group(1).decode(), rng)
        try:
            status, headers, _b = await client.request("POST", f"/s/{display(code)}", form)
        except (TimeoutError, ConnectionError, OSError):
            return False
        location = headers.get("location", "")
        if status == 303 and RECEIPT_PATH in location:
            receipts[code] = location.rsplit("/", 1)[1]
            return True
        return False
    return op


# --------------------------------------------------------------------------- report

HEADING = "## Load (gunicorn + PostgreSQL)"


def table(results: list[PhaseResult]) -> str:
    rows = ["| clients | endpoint | ok | errors | throughput (/s) | p50 (ms) | p95 (ms) | p99 (ms) "
            "| CPU ms per request: app · PostgreSQL · client |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        cpu = " · ".join(f"{r.cpu_ms_per_op(part):.2f}" for part in ("app", "database", "client"))
        rows.append(f"| {r.clients} | {r.name} | {r.ok} | {r.errors} | {r.throughput:.1f} | "
                    f"{r.percentile(50):.1f} | {r.percentile(95):.1f} | {r.percentile(99):.1f} | {cpu} |")
    return "\n".join(rows)


def verdict(results: list[PhaseResult], think: float) -> list[str]:
    """The targets, met or not; with think time the pauses set every throughput, so only latency is judged."""
    lines = []
    for clients in sorted({r.clients for r in results}):
        level = {r.name: r for r in results if r.clients == clients}
        if "submit" in level and "healthz" in level and not think:
            trivial = level["healthz"].throughput
            ratio = level["submit"].throughput / trivial if trivial else 0.0
            lines.append(f"{clients} clients: submits at {ratio:.0%} of /healthz throughput "
                         f"({'met' if ratio >= 0.5 else 'NOT met'}: target ≥ 50 %)")
        if clients == 50 and "submit" in level:
            p95 = level["submit"].percentile(95)
            met = "met" if p95 < 100 else "NOT met"
            lines.append(f"50 clients: submit p95 {p95:.0f} ms ({met}: target < 100 ms)")
    return lines


# --------------------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="10,50,200")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per phase (bounded)")
    parser.add_argument("--max-ops", type=int, default=20000, help="operations per phase at most")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean think time of a client between operations, in seconds (default: none)")
    parser.add_argument("--codes", type=int, default=0, help="codes to issue (default: enough for the run)")
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    parser.add_argument("--note", default="", help="a line added to the recorded section")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    view_share = 200
    codes = args.codes or min(args.max_ops * len(levels), int(400 * args.duration * len(levels))) + view_share
    workdir = ROOT / "bench" / "out"
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[PhaseResult] = []
    load_before = os.getloadavg()[0]
    with environment(codes, args.workers, args.worker_class, args.threads, workdir) as env:
        view_codes, pool = env.codes[:view_share], env.codes[view_share:]
        random.Random(7).shuffle(pool)
        receipts: dict[str, str] = {}
        asyncio.run(run_phase("warm-up", env.port, 10, 2.0, 500, page_op(view_codes)))
        for clients in levels:
            for name, op, prepare in (("healthz", healthz_op(env), None), ("page", page_op(view_codes), None),
                                      ("submit", submit_op(pool, receipts), fetch_page(view_codes)),
                                      ("journey", journey_op(pool, receipts), None)):
                result = asyncio.run(run_phase(name, env.port, clients, args.duration, args.max_ops, op,
                                               prepare, args.think, cpu=lambda: cpu_seconds(env)))
                results.append(result)
                print(f"{clients:>4} clients {name:<8} {result.throughput:8.1f}/s  "
                      f"p95 {result.percentile(95):7.1f} ms  errors {result.errors}  CPU ms/op "
                      + " · ".join(f"{result.cpu_ms_per_op(p):.2f}" for p in ("app", "database", "client")),
                      flush=True)
        stored = count_stored(env)
    load_after = os.getloadavg()[0]
    threads = f" ({args.threads} threads)" if args.worker_class == "gthread" else ""
    config = (f"gunicorn {args.workers} × {args.worker_class}{threads}, PostgreSQL on the same host, "
              "client (asyncio, keep-alive, one process) on the same host; "
              f"{args.duration:g} s per phase, closed loop "
              f"({f'mean think time {args.think:g} s' if args.think else 'no think time'}); "
              "page = GET /s/<code>; submit = POST of the answers → 303 to the receipt (each client "
              "fetched a phiếu for its CSRF token before the clock started); journey = GET page + POST; "
              f"1-min load average {load_before:.1f} before, {load_after:.1f} after (other work on the host)")
    print()
    print(describe())
    print(config)
    print(table(results))
    lines = verdict(results, args.think)
    lines.append(f"receipts received {len(receipts)}, responses stored {stored}")
    for line in lines:
        print(line)
    if args.record:
        think = f" --think {args.think:g}" if args.think else ""
        body = "\n".join([f"Machine: {describe()}.", "", config + ".", "", table(results), "",
                          *[f"- {line}" for line in lines], *([f"\n{args.note}"] if args.note else []), "",
                          f"Run: `.venv/bin/python bench/load_test.py{think} --record`."])
        heading = f"{HEADING[:-1]}, {args.think:g} s think time)" if args.think else HEADING
        record_section(ROOT / "docs" / "benchmarks.md", heading, body)
    return 0




if __name__ == "__main__":
    raise SystemExit(main())

