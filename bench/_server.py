"""The benchmarks' test bed: a fresh PostgreSQL database, a seeded open survey and gunicorn on loopback."""
from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._residents import HOST, one_get  # noqa: E402

PG_ADMIN = os.environ.get("SURVEY_BENCH_POSTGRES_URL",
                          os.environ.get("SURVEY_TEST_POSTGRES_URL",
                                         "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
VENV_BIN = Path(sys.executable).parent
TEMPLATE = "xa-ntm-2026"


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
            status, _h, _b = asyncio.run(one_get(environment.port, "/healthz"))
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


def _processes():
    """(pid, command name, parent pid, CPU seconds) of every process we can read.

    The CPU seconds include those of its children that ended (a recycled gunicorn worker, a closed
    PostgreSQL backend), so a group's sum only grows.
    """
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat.rsplit(")", 1)[1].split()
            yield int(entry.name), name, int(fields[1]), sum(map(int, fields[11:15])) / tick


def worker_pids(environment: Environment) -> list[int]:
    """The pids of gunicorn's workers (children of the arbiter)."""
    master = environment.server.pid
    return sorted(pid for pid, _name, parent, _cpu in _processes() if parent == master)


def cpu_seconds(environment: Environment) -> dict[str, float]:
    """CPU seconds used so far by the app (gunicorn and its workers), PostgreSQL and this process (the client)."""
    used = {"app": 0.0, "database": 0.0, "client": 0.0}
    master = environment.server.pid
    for pid, name, parent, cpu in _processes():
        if pid == master or parent == master:
            used["app"] += cpu
        elif name.startswith("postgres"):
            used["database"] += cpu
        elif pid == os.getpid():
            used["client"] += cpu
    return used


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



def count_stored(env: Environment) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(env.database_url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM response")).scalar_one()
    engine.dispose()
    return count
