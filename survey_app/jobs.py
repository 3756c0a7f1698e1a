"""Work that outlives a request: reading queued scan pages, in this process or through RQ.

``kick`` is called after an upload and whenever the scan pages are viewed with pages still to read:

- ``rq`` (production; ``auto`` picks it when the rate limits are kept in Redis): an RQ job on the ``scans``
  queue of that Redis (SURVEY_SCAN_REDIS_URL, else SURVEY_RATELIMIT_STORAGE_URI); ``flask paper work --rq``
  runs the worker that takes it;
- ``thread`` (``make run``: SQLite, no Redis): one background thread of this process reads until the queue is
  empty, so nothing else has to be started;
- ``none``: nothing is started here; ``flask paper work`` reads the queue.

Whichever runs, the queue is the database (``services/scan_queue.py``): a job lost with Redis, a thread ended
with its server, or a worker killed mid-page leaves its pages queued (or claimed, until their lease ends), and
the next kick or worker start picks them up.
"""
from __future__ import annotations

import functools
import logging
import threading

from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)
QUEUE = "scans"
_lock = threading.Lock()
_threads: dict[int, threading.Thread] = {}  # id(app) -> its reading thread


def redis_url(app: Flask) -> str | None:
    """The Redis of the scan queue: SURVEY_SCAN_REDIS_URL, else the rate limits' Redis, else None."""
    configured = app.config.get("SURVEY_SCAN_REDIS_URL")
    if configured:
        return configured
    limits = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
    return limits if limits.startswith(("redis://", "rediss://", "unix://")) else None


def mode(app: Flask) -> str:
    """"rq", "thread" or "none" (SURVEY_SCAN_WORKER; "auto": RQ when there is a Redis, else a thread)."""
    chosen = str(app.config.get("SURVEY_SCAN_WORKER", "auto")).lower()
    if chosen == "auto":
        return "rq" if redis_url(app) else "thread"
    return chosen if chosen in ("rq", "thread", "none") else "none"


def kick(app: Flask | None = None) -> str:
    """Make sure something reads the queued pages; return how (the mode)."""
    app = app or current_app._get_current_object()
    how = mode(app)
    if how == "thread":
        _start_thread(app)
    elif how == "rq":
        _enqueue(app)
    return how


def _start_thread(app: Flask) -> None:
    with _lock:
        running = _threads.get(id(app))
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(target=_read_in_thread, args=(app,), name="scan-reader", daemon=True)
        _threads[id(app)] = thread
        thread.start()


def thread_of(app: Flask) -> threading.Thread | None:
    """The reading thread of this app in this process, if one was started."""
    return _threads.get(id(app))


def _read_in_thread(app: Flask) -> None:
    from .extensions import db
    from .services.scan_queue import drain

    with app.app_context():
        try:
            while drain():  # pages queued while the last one was read are read too
                pass
        except Exception:  # noqa: BLE001 - the pages stay queued; the next kick starts a new thread
            log.exception("scan reader thread stopped")
        finally:
            db.session.remove()


def _queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE, connection=Redis.from_url(redis_url(app)))


def _enqueue(app: Flask) -> None:
    """One waiting job is enough: a job reads until the queue is empty."""
    try:
        queue = _queue(app)
        if queue.count == 0:
            queue.enqueue(read_queued_pages, job_timeout=-1, result_ttl=0, failure_ttl=7 * 24 * 3600)
    except Exception as exc:  # noqa: BLE001 - Redis down: the pages wait in the database for the worker
        log.warning("scan queue unavailable (%s): pages wait for `flask paper work`", type(exc).__name__)


def read_queued_pages() -> int:
    """The RQ job: read every queued page (in the worker's app, or in one made here for a plain `rq worker`)."""
    from .services.scan_queue import drain

    if has_app_context():
        return drain()
    from . import create_app

    with create_app().app_context():
        return drain()


def run_rq_worker(app: Flask, *, burst: bool = False) -> None:
    """Serve the ``scans`` queue in this process (jobs run in the app's context, no fork per job)."""
    queue = _queue(app)
    _worker_class()([queue], connection=queue.connection).work(burst=burst, with_scheduler=False)


@functools.cache
def _worker_class():
    from rq import SimpleWorker

    class Worker(SimpleWorker):
        """RQ's SimpleWorker, stopping at once.

        RQ listens for its commands in a redis-py thread that waits up to 60 s for a message, and stops it by
        sending UNSUBSCRIBE and then clearing the thread's running flag, which redis-py (8.2) joins. When the
        UNSUBSCRIBE reply is read before the flag is cleared, the thread waits its 60 s again, and so did every
        stopping worker (a burst worker's return, a deploy's restart). Clearing the flag first lets the reply
        end the thread.
        """

        def unsubscribe(self) -> None:
            if self.pubsub_thread:
                self.pubsub_thread.stop(timeout=0)  # clear the running flag, do not wait yet
                self.pubsub.unsubscribe()  # its reply wakes the thread, which now ends
                self.pubsub_thread.join(timeout=5)
                self.pubsub.close()

    return Worker
