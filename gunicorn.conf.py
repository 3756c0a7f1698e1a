"""Gunicorn settings for `gunicorn wsgi:app` (read from the working directory); override with SURVEY_* env.

SURVEY_BIND (default 127.0.0.1:8000: behind nginx on the same host), SURVEY_WORKERS (default: 2 per
core, at least 2), SURVEY_WORKER_CLASS (gthread, or sync), SURVEY_THREADS (threads per gthread worker),
SURVEY_TIMEOUT (seconds before a stuck worker is killed and replaced), SURVEY_FORWARDED_ALLOW_IPS
(proxies whose X-Forwarded-Proto gunicorn trusts). See docs/deploy.md.
"""
from __future__ import annotations

import multiprocessing
import os
import sys


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("SURVEY_BIND", "127.0.0.1:8000")
workers = _int("SURVEY_WORKERS", max(2, 2 * multiprocessing.cpu_count()))
worker_class = os.environ.get("SURVEY_WORKER_CLASS", "gthread")
threads = _int("SURVEY_THREADS", 4)
# A request that takes longer than this is stuck (the slowest legitimate page is well under a second):
# the worker is killed and replaced, the client gets a 502 from the proxy and may retry safely.
timeout = _int("SURVEY_TIMEOUT", 30)
graceful_timeout = _int("SURVEY_GRACEFUL_TIMEOUT", 30)
keepalive = _int("SURVEY_KEEPALIVE", 5)
# Recycle workers now and then so that a slow leak can never grow without bound.
max_requests = _int("SURVEY_MAX_REQUESTS", 5000)
max_requests_jitter = _int("SURVEY_MAX_REQUESTS_JITTER", 500)
backlog = _int("SURVEY_BACKLOG", 2048)
forwarded_allow_ips = os.environ.get("SURVEY_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Bodies are small (a phiếu, a CSV of villages): refuse absurd request lines and headers early.
limit_request_line = 4094
limit_request_fields = 100
# No access log: it would hold client addresses and household codes in URLs. The app logs each request
# itself as JSON without personal data (survey_app/ops/logs.py); gunicorn's own messages go to stderr.
accesslog = None
errorlog = "-"
# Gunicorn's own messages ("Error handling request /s/<code>") pass through the same redaction.
logger_class = "survey_app.ops.gunicorn_logging.RedactingLogger"
loglevel = os.environ.get("SURVEY_GUNICORN_LOGLEVEL", "info")
proc_name = "survey_app"
# Import the app in each worker: nothing is shared across forks (no database connection before the fork).
preload_app = False


def post_worker_init(worker) -> None:
    """Refuse to serve with a development secret: anyone could forge a staff session with it."""
    from survey_app.ops.checks import production_problems

    app = worker.wsgi
    fatal, warnings = production_problems(getattr(app, "config", {}), workers=workers)
    for message in warnings:
        worker.log.warning("configuration: %s", message)
    if fatal:
        for message in fatal:
            worker.log.error("configuration: %s", message)
        sys.exit(4)  # gunicorn's APP_LOAD_ERROR: the arbiter stops instead of restarting workers forever
