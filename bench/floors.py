"""Every heavy path beside its floor, measured back to back in the same run on PostgreSQL (issue 18).

The floors are small programs in ``bench/floors/`` doing the same work with no framework on top:
``submit_app.py`` (bare Flask + psycopg, served by gunicorn like the project), ``copy_export.py``
(``COPY`` of the same pivot), ``group_by.py`` (one grouped query), and gzip -9 of the same page bytes.

- submit: gunicorn 2 × gthread × 4 threads, ``--clients`` closed-loop clients POSTing a 20-item phiếu
  (``xa-ntm-kieu-mau-2021``); throughput and CPU ms per submit, app (gunicorn and workers) and database
  (every PostgreSQL process on the host);
- page: the largest phiếu page and its stylesheet as gunicorn sends them to a client that accepts gzip;
- export, results, tally: the synthetic province of ``bench/tally_bench.py`` (300 communes × 10 villages,
  10 items; 5 % of phiếu with an opinion, some hostile), each measured in a fresh process.

    .venv/bin/python bench/floors.py [--size 1000000] [--clients 50] [--duration 8] [--only submit,page,province]
                                     [--record]
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _child  # noqa: E402
from bench import _server as server  # noqa: E402
from bench._machine import describe, record_section  # noqa: E402
from bench._residents import display  # noqa: E402

FLOORS = ROOT / "bench" / "floors"
HEADING = "## Close to the floor (issue 18)"
PHIEU_TEMPLATE = "xa-ntm-kieu-mau-2021"  # 20 items: the largest phiếu
BROWSER = "gzip, deflate, br, zstd"  # Accept-Encoding of a phone's browser over HTTPS
OPINIONS = ["Đề nghị nâng cấp đường giao thông nội đồng.", "=HYPERLINK(\"http://x\",\"y\")",
            "Cần thêm đèn, \"ngõ 3\"\r\nvà ngõ 5", "Mong có thêm lớp dạy nghề cho lao động nông thôn."]


def floor_program(name: str):
    """A floor program of bench/floors/ as a module (for its helpers)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"floor_{name}", FLOORS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dsn(url: str) -> str:
    """A SQLAlchemy URL as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://")


# --------------------------------------------------------------------------- submit and page: gunicorn

def start_floor(env: server.Environment, items: list[str], log: Path) -> server.Environment:
    """The floor's gunicorn on the same database, with the project's worker settings."""
    floor = server.Environment(env.database_url, env.env, server.free_port())
    variables = dict(os.environ, FLOOR_DATABASE_URL=dsn(env.database_url), FLOOR_ITEMS=",".join(items))
    with log.open("ab") as out:
        floor.server = subprocess.Popen(
            [str(server.VENV_BIN / "gunicorn"), "--workers", "2", "--worker-class", "gthread", "--threads", "4",
             "--keep-alive", "5", "--backlog", "2048", "--bind", f"{server.HOST}:{floor.port}", "submit_app:app"],
            cwd=FLOORS, env=variables, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if asyncio.run(server.one_get(floor.port, "/s/X")) [0] == 200:
                return floor
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the floor's gunicorn did not answer within 60 s")


def submit_phase(env: server.Environment, view: list[str], pool: list[str], clients: int, duration: float):
    from bench.load_test import fetch_page, run_phase, submit_op

    return asyncio.run(run_phase("submit", env.port, clients, duration, 100_000, submit_op(pool, {}),
                                 fetch_page(view), cpu=lambda: server.cpu_seconds(env)))


def page_bytes(port: int, path: str, encoding: str) -> tuple[bytes, bytes, str]:
    """(body as sent, body decoded, Content-Encoding) of GET ``path``."""
    import gzip
    import http.client

    import brotli

    conn = http.client.HTTPConnection(server.HOST, port, timeout=30)
    conn.request("GET", path, headers={"Accept-Encoding": encoding})
    response = conn.getresponse()
    sent, coding = response.read(), response.getheader("Content-Encoding", "")
    conn.close()
    assert response.status == 200, (path, response.status)
    decode = {"gzip": gzip.decompress, "br": brotli.decompress}.get(coding, bytes)
    return sent, decode(sent), coding


def page_row(port: int, code: str) -> dict:
    """The phiếu and its stylesheet on the wire (as a phone's browser asks over HTTPS) beside gzip -9 of the
    same bytes."""
    import gzip
    import re

    sent, html, coding = page_bytes(port, f"/s/{display(code)}", BROWSER)
    css_path = re.search(rb'<link[^>]+href="([^"]+\.css[^"]*)"', html).group(1).decode()
    css_sent, css, css_coding = page_bytes(port, css_path, BROWSER)
    return {"html": len(html), "css": len(css), "wire": len(sent) + len(css_sent),
            "encodings": f"{coding or 'none'} + {css_coding or 'none'}",
            "floor": len(gzip.compress(html, 9)) + len(gzip.compress(css, 9))}


def web_rows(clients: int, duration: float) -> list[tuple]:
    from survey_app.survey_templates import load_template

    items = [item.key for item in load_template(PHIEU_TEMPLATE).items]
    server.TEMPLATE = PHIEU_TEMPLATE
    workdir = ROOT / "bench" / "out"
    workdir.mkdir(parents=True, exist_ok=True)
    codes = int(duration * 400) + 400
    with server.environment(codes, 2, "gthread", 4, workdir, "floors-gunicorn.log") as env:
        view, pool = env.codes[:200], env.codes[200:]
        page = page_row(env.port, view[0])
        from bench.load_test import page_op, run_phase

        asyncio.run(run_phase("warm-up", env.port, 10, 2.0, 500, page_op(view)))
        project = submit_phase(env, view, pool, clients, duration)
        floor_codes = [f"F{i:09d}" for i in range(int(duration * 1500) + 400)]
        floor_program("submit_app").seed(dsn(env.database_url), floor_codes)
        floor = start_floor(env, items, workdir / "floors-floor.log")
        try:
            asyncio.run(run_phase("warm-up", floor.port, 10, 2.0, 500, page_op(floor_codes[:200])))
            floor_result = submit_phase(floor, floor_codes[:200], floor_codes[200:], clients, duration)
        finally:
            server.stop_server(floor)
    return [("submit", project, floor_result), ("page", page, None)]


# --------------------------------------------------------------------------- export, results, tally: 1 M phiếu

def province_rows(size: int):
    """The synthetic province of tally_bench, with opinions (5 %, some hostile) and reasons."""
    from bench.tally_bench import rows

    for table, columns, data in rows(size):
        if table == "response_version":
            data = ((*r[:3], OPINIONS[r[0] % 4] if r[0] % 20 == 0 else "", *r[4:]) for r in data)
        elif table == "answer":
            data = ((*r[:6], "Đường còn xấu, \"lầy\"" if r[5] == 2 and r[0] % 7 == 0 else "", *r[7:]) for r in data)
        yield table, columns, data


def measure(url: str, what: str) -> dict:
    """One project measurement, in this (fresh) process."""
    from survey_app import create_app
    from survey_app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SURVEY_CODE_KEY": "bench", "SECRET_KEY": "bench",
                      "SURVEY_AUDIT_KEY": "bench-audit", "SURVEY_LOG_REQUESTS": False, "WTF_CSRF_ENABLED": False})
    from bench import _floor_measures

    gc.collect()
    gc.freeze()  # as wsgi.py does in every worker
    with app.app_context():
        result = getattr(_floor_measures, what)(app)
        db.engine.dispose()
    return result


def big_rows(size: int) -> list[tuple]:
    from bench.tally_bench import bench_database, load

    with bench_database("postgresql") as url:
        started = time.perf_counter()
        load(url, size, province_rows)
        print(f"loaded {size:,} phiếu in {time.perf_counter() - started:.0f} s", flush=True)
        me = str(Path(__file__).resolve())
        export = _child.run_json(me, "--measure", "export", "--url", url)
        copy = _child.run_json(str(FLOORS / "copy_export.py"), dsn(url), "1")
        results = _child.run_json(me, "--measure", "results", "--url", url)
        tally, group_by = alternating([me, "--measure", "tally", "--url", url],
                                      [str(FLOORS / "group_by.py"), dsn(url), "1"])
    return [("export", export, copy), ("results", results, None), ("tally", tally, group_by)]


def alternating(project: list[str], floor: list[str], rounds: int = 3) -> tuple[dict, dict]:
    """The fastest of ``rounds`` runs of the project and of its floor, taken in turns, so that a burst of load
    on a shared machine weighs on both rather than on one."""
    runs = [(_child.run_json(*project), _child.run_json(*floor)) for _ in range(rounds)]
    fastest = lambda results: min(results, key=lambda r: r["seconds"])  # noqa: E731
    return fastest(p for p, _f in runs), fastest(f for _p, f in runs)


# --------------------------------------------------------------------------- the table

def _submit_line(project, floor) -> str:
    def cell(r):
        return (f"{r.throughput:.0f} req/s; {r.cpu_ms_per_op('app'):.2f} ms app + "
                f"{r.cpu_ms_per_op('database'):.2f} ms PostgreSQL CPU per submit")

    server_cpu = [r.cpu_ms_per_op("app") + r.cpu_ms_per_op("database") for r in (project, floor)]
    return (f"| Resident submit, {project.clients} closed-loop clients | {cell(project)} | {cell(floor)} | "
            f"throughput {project.throughput / floor.throughput:.2f}×; server CPU "
            f"{server_cpu[0] / server_cpu[1]:.2f}× |")


def _page_line(p: dict, _floor, _size: int) -> str:
    return (f"| Largest phiếu page + style.css | {p['html']:,} + {p['css']:,} bytes, {p['wire']:,} on the wire "
            f"({p['encodings']}) | gzip -9: {p['floor']:,} bytes | {p['wire'] / p['floor']:.2f}× |")


def _export_line(e: dict, c: dict, size: int) -> str:
    return (f"| Raw CSV export, {size:,} phiếu | {e['seconds']:.2f} s (Python {e['cpu']:.2f} s CPU), RSS "
            f"{e['max_rss_mib']:.0f} MiB, {e['bytes'] / 2**20:.1f} MiB | `COPY` of the same pivot "
            f"{c['seconds']:.2f} s | {e['seconds'] / c['seconds']:.2f}× |")


def _results_line(r: dict, _floor, size: int) -> str:
    return (f"| Results page before publication, {size:,} phiếu | first view {r['first']:.2f} s (document "
            f"{r['document']:.2f} s + indicators {r['indicators']:.2f} s), second view {r['second'] * 1000:.0f} ms"
            " | – | – |")


def _tally_line(t: dict, g: dict, size: int) -> str:
    return (f"| Province tally, {size:,} phiếu | {t['seconds']:.2f} s | one `GROUP BY village, item, value` "
            f"{g['seconds']:.2f} s | {t['seconds'] / g['seconds']:.2f}× |")


LINES = {"submit": lambda project, floor, _size: _submit_line(project, floor), "page": _page_line,
         "export": _export_line, "results": _results_line, "tally": _tally_line}


def table(rows: list[tuple], size: int) -> list[str]:
    """The markdown table of the rows measured: (kind, project, floor or None)."""
    return ["| Path | Project | Floor, same run | Ratio |", "|---|---|---|---|",
            *(LINES[kind](project, floor, size) for kind, project, floor in rows)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--only", default="submit,page,province")
    parser.add_argument("--record", action="store_true")
    _child.add_arguments(parser)
    args = parser.parse_args()
    if _child.answered(args, measure):
        return 0
    only = set(args.only.split(","))
    load_before = os.getloadavg()
    rows: list[tuple] = []
    if only & {"submit", "page"}:
        rows += [r for r in web_rows(args.clients, args.duration) if r[0] in only]
    if "province" in only:
        rows += big_rows(args.size)
    machine = (f"{describe()} · PostgreSQL on the same host · load average {load_before[0]:.1f} before, "
               f"{os.getloadavg()[0]:.1f} after")
    lines = table(rows, args.size)
    print(machine, *lines, sep="\n")
    if args.record:
        record_section(ROOT / "docs" / "benchmarks.md", HEADING,
                       "\n".join([f"`bench/floors.py --size {args.size}` · {machine}", "", *lines]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
