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
import platform
import random
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"  # the only address this benchmark ever sends to
PG_ADMIN = os.environ.get("SURVEY_BENCH_POSTGRES_URL",
                          os.environ.get("SURVEY_TEST_POSTGRES_URL",
                                         "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
VENV_BIN = Path(sys.executable).parent
TEMPLATE = "xa-ntm-2026"
REQUEST_TIMEOUT = 30.0
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
ITEM = re.compile(rb'name="item_([a-z0-9-]+)"')
RECEIPT_PATH = "/bien-nhan/"
IDLE_REOPEN = 4.0  # seconds; below gunicorn's keep-alive (gunicorn.conf.py: 5 s)


# --------------------------------------------------------------------------- environment: database + server

@dataclass
class Environment:
    """A database, its seeded survey and the running gunicorn."""

    database_url: str
    env: dict[str, str]
    port: int
    survey_id: int = 0
    codes: list[str] = field(default_factory=list)  # clear codes, canonical form
    server: subprocess.Popen | None = None
    log_path: Path | None = None


def machine() -> str:
    """Date, CPU model, core count and Python version."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{date.today().isoformat()} · {cpu} · nproc {os.cpu_count()} · Python {platform.python_version()}"


def create_database() -> str:
    """Create an empty database on the local server and return its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"survey_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, attempts: int = 30) -> None:
    """Drop the benchmark database (waits for the server if it is restarting)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    for _ in range(attempts):
        try:
            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
            return
        except Exception:  # noqa: BLE001 - server may be restarting; retry a bounded number of times
            time.sleep(1)
    print(f"warning: could not drop database {name}", file=sys.stderr)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEY_")}
    env.update({
        "SURVEY_DATABASE_URL": database_url,
        "SURVEY_SECRET_KEY": secrets.token_hex(32),
        "SURVEY_CODE_KEY": secrets.token_hex(32),
        "SURVEY_RATELIMIT_STORAGE_URI": "memory://",
        "SURVEY_PUBLIC_URL": "http://127.0.0.1",
        "FLASK_APP": "wsgi",
    })
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)


def seed(environment: Environment, codes: int, villages: int = 10) -> None:
    """Create an open survey of one commune with ``codes`` issued codes; keep the clear codes in memory."""
    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.models import Commune, Province
    from survey_app.services.issuing import issue_codes
    from survey_app.services.surveys import create_survey, transition
    from survey_app.services.units import FrameRow

    env = environment.env
    app = create_app({"SQLALCHEMY_DATABASE_URI": environment.database_url,
                      "SECRET_KEY": env["SURVEY_SECRET_KEY"], "SURVEY_CODE_KEY": env["SURVEY_CODE_KEY"],
                      "SURVEY_LOG_REQUESTS": False})
    per_village = -(-codes // villages)
    with app.app_context():
        db.session.add(Province(code="51", name="Quảng Ngãi", full_name="Tỉnh Quảng Ngãi", type="Tỉnh"))
        db.session.add(Commune(code="21040", name="Bình Sơn", full_name="Xã Bình Sơn", type="Xã",
                               province_code="51"))
        db.session.flush()
        frame = [FrameRow(i + 2, f"T{i + 1:02d}", f"Thôn {i + 1}", per_village) for i in range(villages)]
        survey = create_survey(TEMPLATE, "21040", frame, actor_name="bench")
        transition(survey, "open", actor_name="bench")
        issued = issue_codes(survey, spare_share=0.0, actor_name="bench")
        db.session.commit()
        environment.survey_id = survey.id
        environment.codes = [c.code for c in issued]
        db.engine.dispose()


def start_server(environment: Environment, workers: int, worker_class: str, threads: int,
                 log_path: Path) -> None:
    env = dict(environment.env)
    env.update({"SURVEY_BIND": f"{HOST}:{environment.port}", "SURVEY_WORKERS": str(workers),
                "SURVEY_WORKER_CLASS": worker_class, "SURVEY_THREADS": str(threads)})
    environment.log_path = log_path
    with log_path.open("ab") as log:
        environment.server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if environment.server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {environment.server.returncode}; see {log_path}")
        try:
            status, _h, _b = asyncio.run(_one_get(environment.port, "/healthz"))
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop_server(environment: Environment) -> None:
    server = environment.server
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def worker_pids(environment: Environment) -> list[int]:
    """The pids of gunicorn's workers (children of the arbiter)."""
    master = environment.server.pid
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return sorted(pids)


@contextmanager
def environment(codes: int, workers: int, worker_class: str, threads: int, workdir: Path,
                log_name: str = "gunicorn.log"):
    """Database + seeded survey + gunicorn; everything is stopped and dropped on the way out."""
    url = create_database()
    env = Environment(url, server_env(url), free_port())
    try:
        migrate(env.env)
        started = time.monotonic()
        seed(env, codes)
        took = time.monotonic() - started
        print(f"seeded survey {env.survey_id} with {len(env.codes)} codes in {took:.1f} s", flush=True)
        start_server(env, workers, worker_class, threads, workdir / log_name)
        yield env
    finally:
        stop_server(env)
        drop_database(url)


# --------------------------------------------------------------------------- a minimal HTTP/1.1 client

class HttpClient:
    """One simulated resident's keep-alive connection and cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}
        self.page: bytes = b""  # a phiếu page fetched before a POST-only phase (its CSRF token and items)
        self.last_used = 0.0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        return await asyncio.wait_for(self._request(method, path, form), REQUEST_TIMEOUT)

    async def _request(self, method: str, path: str, form: dict | None) -> tuple[int, dict, bytes]:
        if self.writer is not None and time.monotonic() - self.last_used > IDLE_REOPEN:
            await self.close()  # as a browser does: never reuse a connection the server may have closed
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "User-Agent: survey-bench",
                 "Accept-Encoding: identity"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            await self.writer.drain()
            status, headers, payload = await self._read_response()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            raise ConnectionError("connection lost") from None
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, payload

    async def _read_response(self) -> tuple[int, dict, bytes]:
        status_line = await self.reader.readline()
        if not status_line:
            raise asyncio.IncompleteReadError(b"", None)
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                self.cookies[key] = val
            headers[name] = value
        if "content-length" in headers:
            payload = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            payload = b"".join(chunks)
        else:
            payload = await self.reader.read()
            await self.close()
        self.last_used = time.monotonic()
        return status, headers, payload


async def _one_get(port: int, path: str) -> tuple[int, dict, bytes]:
    client = HttpClient(port)
    try:
        return await client.request("GET", path)
    finally:
        await client.close()


# --------------------------------------------------------------------------- the simulated residents

def display(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def answers_for(html: bytes, token: str, rng: random.Random) -> dict:
    form = {"csrf_token": token}
    for key in dict.fromkeys(ITEM.findall(html)):
        value = "satisfied" if rng.random() < 0.8 else "not_satisfied"
        form[f"item_{key.decode()}"] = value
        if value == "not_satisfied" and rng.random() < 0.3:
            form[f"reason_{key.decode()}"] = "Đường vào thôn còn lầy lội khi mưa."
    if rng.random() < 0.2:
        form["opinion"] = "Mong xã tiếp tục quan tâm đến nước sạch và chiếu sáng."
    return form


@dataclass
class SubmitOutcome:
    """What one resident's submit ended in: a receipt, or why not."""

    code: str
    receipt: str | None
    status: int | None
    error: str | None = None
    attempts: int = 1


async def submit_once(client: HttpClient, code: str, rng: random.Random, *, retries: int = 0,
                      retry_pause: float = 0.5) -> SubmitOutcome:
    """GET the phiếu, POST the answers; retry the identical POST (a resident tapping again) on failure."""
    client.cookies.clear()  # a new resident, a new browser session
    path = f"/s/{display(code)}"
    status, form = None, None
    for attempt in range(retries + 1):
        try:
            if form is None:
                status, _h, html = await client.request("GET", path)
                if status != 200:
                    raise ConnectionError(f"page answered {status}")
                match = CSRF.search(html)
                if not match:
                    raise ConnectionError("no CSRF token in the page")
                form = answers_for(html, match.group(1).decode(), rng)
            status, headers, _b = await client.request("POST", path, form)
            location = headers.get("location", "")
            if status == 303 and RECEIPT_PATH in location:
                return SubmitOutcome(code, location.rsplit("/", 1)[1], status, attempts=attempt + 1)
            if status < 500:  # a clear answer that will not change by retrying
                return SubmitOutcome(code, None, status, f"answered {status}", attempt + 1)
        except (TimeoutError, ConnectionError, OSError) as exc:
            status = None
            error = type(exc).__name__
            if attempt == retries:
                return SubmitOutcome(code, None, None, error, attempt + 1)
        if attempt < retries:
            await asyncio.sleep(retry_pause)
    return SubmitOutcome(code, None, status, f"answered {status}", retries + 1)


@dataclass
class PhaseResult:
    """The figures of one phase at one concurrency level."""

    name: str
    clients: int
    ok: int
    errors: int
    elapsed: float
    latencies: list[float]

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))] * 1000


async def run_phase(name: str, port: int, clients: int, duration: float, max_ops: int, op,
                    prepare=None, think: float = 0.0) -> PhaseResult:
    """Run ``clients`` closed-loop clients doing ``op`` until ``duration`` seconds or ``max_ops`` ops.

    ``prepare(client)``, when given, runs for every client before the clock starts. ``think`` is the
    mean pause (exponentially distributed) of a client between two operations: a resident reading.
    """
    latencies: list[float] = []
    counters = {"ok": 0, "errors": 0, "started": 0}
    http_clients = [HttpClient(port) for _ in range(clients)]
    if prepare is not None:
        await asyncio.gather(*(prepare(client) for client in http_clients))
    stop_at = time.monotonic() + duration

    async def resident(index: int) -> None:
        client = http_clients[index]
        rng = random.Random(index)
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
    return PhaseResult(name, clients, counters["ok"], counters["errors"], time.monotonic() - began, latencies)


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
    rows = ["| clients | endpoint | ok | errors | throughput (/s) | p50 (ms) | p95 (ms) | p99 (ms) |",
            "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rows.append(f"| {r.clients} | {r.name} | {r.ok} | {r.errors} | {r.throughput:.1f} | "
                    f"{r.percentile(50):.1f} | {r.percentile(95):.1f} | {r.percentile(99):.1f} |")
    return "\n".join(rows)


def verdict(results: list[PhaseResult]) -> list[str]:
    lines = []
    for clients in sorted({r.clients for r in results}):
        level = {r.name: r for r in results if r.clients == clients}
        if "submit" in level and "healthz" in level:
            trivial = level["healthz"].throughput
            ratio = level["submit"].throughput / trivial if trivial else 0.0
            lines.append(f"{clients} clients: submits at {ratio:.0%} of /healthz throughput "
                         f"({'met' if ratio >= 0.5 else 'NOT met'}: target ≥ 50 %)")
        if clients == 50 and "submit" in level:
            p95 = level["submit"].percentile(95)
            met = "met" if p95 < 100 else "NOT met"
            lines.append(f"50 clients: submit p95 {p95:.0f} ms ({met}: target < 100 ms)")
    return lines


def record_section(path: Path, heading: str, body: str) -> None:
    """Write ``heading`` + ``body`` into the markdown file, replacing that section if it is there."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = f"{heading}\n\n{body.strip()}\n"
    if heading in text:
        start = text.index(heading)
        nxt = text.find("\n## ", start + len(heading))
        text = text[:start] + section + ("\n" + text[nxt + 1:] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


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
                                               prepare, args.think))
                results.append(result)
                print(f"{clients:>4} clients {name:<8} {result.throughput:8.1f}/s  "
                      f"p95 {result.percentile(95):7.1f} ms  errors {result.errors}", flush=True)
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
    print(machine())
    print(config)
    print(table(results))
    lines = verdict(results)
    lines.append(f"receipts received {len(receipts)}, responses stored {stored}")
    for line in lines:
        print(line)
    if args.record:
        body = "\n".join([f"Machine: {machine()}.", "", config + ".", "", table(results), "",
                          *[f"- {line}" for line in lines], *([f"\n{args.note}"] if args.note else []), "",
                          "Run: `.venv/bin/python bench/load_test.py --record`."])
        heading = f"{HEADING[:-1]}, {args.think:g} s think time)" if args.think else HEADING
        record_section(ROOT / "docs" / "benchmarks.md", heading, body)
    return 0


def count_stored(env: Environment) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(env.database_url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM response")).scalar_one()
    engine.dispose()
    return count


if __name__ == "__main__":
    raise SystemExit(main())
