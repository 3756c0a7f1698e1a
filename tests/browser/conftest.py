"""Real-browser fixtures: Debian's Chromium driven by Playwright, and the app on a live local server.

The tests skip (with the reason shown) when Chromium or axe-core is missing, but fail instead when
SURVEY_TEST_REQUIRE_BROWSER=1, as in CI. Never run ``playwright install``: the system Chromium is used.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from survey_app import create_app
from survey_app.cli.translate import compile_catalogs
from survey_app.extensions import db
from tests.factories import make_survey

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SURVEY_TEST_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
REQUIRE_BROWSER = os.environ.get("SURVEY_TEST_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 360, "height": 740}


def unavailable(reason: str):
    """Skip with ``reason``, or fail when the browser tests are required (CI)."""
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (SURVEY_TEST_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not CHROMIUM.is_file():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script (``npm install --no-save axe-core@4``, done by ``make test``)."""
    if not AXE.is_file():
        unavailable(f"axe-core is not installed at {AXE.relative_to(ROOT)} (run `make test`)")
    return AXE.read_text(encoding="utf-8")


@dataclass
class LiveServer:
    """The application served over HTTP on 127.0.0.1 for the browser."""

    app: object
    url: str

    def survey(self, **options):
        """Create a survey (see ``tests.conftest.make_survey``); return (survey_id, issued codes)."""
        return make_survey(self.app, **options)


def buffered(app):
    """Wrap a WSGI app so each response body is read and closed before the server writes it.

    Werkzeug's development server does not close a response's file when the browser drops the
    connection mid-transfer (Chromium does this with stylesheets it already has), which leaves an
    unclosed file to be reported in whatever test runs next. Bodies here are small.
    """
    def middleware(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
    return middleware


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Serve ``create_app`` on a temporary SQLite file from a thread, on a free port of 127.0.0.1."""
    compile_catalogs(stale_only=True)
    database = tmp_path_factory.mktemp("live") / "survey.db"
    app = create_app({
        "SECRET_KEY": "browser-test-secret",
        "SURVEY_CODE_KEY": "browser-test-code-key",
        "SURVEY_AUDIT_KEY": "browser-test-audit-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh browser contexts (phone-sized, Vietnamese by default); closed after the test."""
    contexts = []

    def open_page(*, viewport=PHONE, locale="vi-VN", language=None, **options):
        """``language``: the one picked with the switcher (its cookie); residents otherwise get Vietnamese."""
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server.url, **options)
        context.set_default_timeout(15_000)
        if language:
            context.add_cookies([{"name": "lang", "value": language, "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
