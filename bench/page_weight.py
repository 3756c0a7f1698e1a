"""Benchmark: transferred bytes of each resident page, measured in Chromium as the browser tests do.

Serves the app on a temporary SQLite database, creates one open survey per template (commune 21040),
and loads the home page, the phiếu of each template and a receipt in a cold 360×740 browser context.
A page's weight is the sum of the uncompressed bodies of every response of its load.

    .venv/bin/python bench/page_weight.py [--record]

``--record`` writes the table to docs/benchmarks.md under "Resident page weight" (replacing that section).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from bench._machine import describe, record_section  # noqa: E402
from survey_app import create_app  # noqa: E402
from survey_app.cli.translate import compile_catalogs  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.survey_templates import load_all  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.browser.pages import PAGE_BUDGET, load_and_weigh, submit_with_test_client  # noqa: E402
from tests.conftest import make_survey  # noqa: E402

SECTION = "## Resident page weight"
BENCHMARKS = ROOT / "docs" / "benchmarks.md"


def resident_pages(app) -> list[tuple[str, str]]:
    """(label, path) of the home page, the phiếu of every template (most items first) and a receipt."""
    templates = sorted(load_all().values(), key=lambda template: (-len(template.items), template.key))
    pages = [("Home (type a code)", "/")]
    receipt = None
    for template in templates:
        _, issued = make_survey(app, template=template.key)
        pages.append((f"Phiếu {template.key} ({len(template.items)} items)", f"/s/{issued[0].display}"))
        receipt = receipt or submit_with_test_client(app, f"/s/{issued[1].display}")
    pages.append(("Receipt", receipt))
    return pages


def measure() -> list[tuple[str, int, int, int, list[str]]]:
    """Return (page, requests, html bytes, total bytes, foreign URLs) for each resident page."""
    from playwright.sync_api import sync_playwright

    compile_catalogs(stale_only=True)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "SURVEY_CODE_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
        with app.app_context():
            db.create_all()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        rows = []
        try:
            pages = resident_pages(app)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                for label, path in pages:
                    context = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=base)
                    load = load_and_weigh(context.new_page(), path)
                    context.close()
                    html = load.sizes.get(load.url, 0)
                    rows.append((label, len(load.sizes), html, load.total, load.foreign(base)))
                browser.close()
        finally:
            server.shutdown()
            with app.app_context():
                db.engine.dispose()
    return rows


def table(rows) -> str:
    lines = ["| Page | Requests | HTML (bytes) | Total (bytes) | Budget 40,000 | Other hosts |",
             "|---|---:|---:|---:|---|---|"]
    for label, requests, html, total, foreign in rows:
        verdict = "under" if total < PAGE_BUDGET else "**OVER**"
        others = len(foreign) or "none"
        lines.append(f"| {label} | {requests} | {html:,} | {total:,} | {verdict} | {others} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write the table to docs/benchmarks.md")
    args = parser.parse_args()
    rows = measure()
    machine = describe()
    body = "\n".join([
        f"`bench/page_weight.py` · {machine}",
        "",
        "One cold page load in Debian's Chromium (Playwright, 360×740 viewport, JavaScript on): the sum",
        "of the uncompressed bodies of every response (the HTML page and `style.css`; no script, font or",
        "image is fetched). Budget: under 40,000 bytes per page and no request to another host (asserted",
        "by `tests/browser/test_resident_browser.py` for the largest template).",
        "",
        table(rows),
    ])
    print(SECTION + "\n\n" + body)
    if args.record:
        record_section(BENCHMARKS, SECTION, body)
        print(f"\nrecorded in {BENCHMARKS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
