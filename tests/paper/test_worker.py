"""The scan worker: two workers never read one page, a stopped worker's pages are read again, and the reading
runs in a thread of the web process (make run) or as an RQ job on Redis (production)."""
from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest

from survey_app import jobs
from survey_app.extensions import db
from survey_app.models import ScanPage, ScanStatus, Survey
from survey_app.models._types import utcnow
from survey_app.paper_scan import images
from survey_app.services import scan_queue

from ..factories import make_survey
from .scanning import _mark, _printed, client_of, png_bytes, send, statuses


def _queue_pages(app, count: int, **values) -> list[int]:
    with app.app_context():
        survey = db.session.query(Survey).first()
        rows = [ScanPage(survey_id=survey.id, source=f"{uuid.uuid4().hex}.pdf#{n}", file_sha256="0" * 64, file_page=n,
                         status=values.get("status", ScanStatus.QUEUED), claimed_at=values.get("claimed_at"),
                         attempts=values.get("attempts", 0), claim=values.get("claim", ""))
                for n in range(1, count + 1)]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


@pytest.fixture
def counted_reads(monkeypatch):
    """Each page a worker renders, counted (the page itself is blank: read at once and rejected)."""
    seen: Counter = Counter()
    lock = threading.Lock()
    real = images.page_at

    def page_at(source, data, number):
        with lock:
            seen[(source, number)] += 1
        return real(source, b"", number)

    monkeypatch.setattr(scan_queue.images, "page_at", page_at)
    return seen


def test_two_workers_read_every_page_exactly_once(app, counted_reads):
    make_survey(app, villages=(("T01", "Thôn Một", 1),))
    workers, rounds, per_round = 3, 12, 15
    for _round in range(rounds):
        ids = _queue_pages(app, per_round)
        stale = _queue_pages(app, 3, status=ScanStatus.READING, claim="gone",
                             claimed_at=utcnow() - timedelta(hours=1), attempts=1)
        barrier = threading.Barrier(workers)
        done: list[int] = []

        def work():
            with app.app_context():
                barrier.wait()
                done.append(scan_queue.drain())
                db.session.remove()

        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sum(done) == per_round + 3
        with app.app_context():
            rows = db.session.query(ScanPage).filter(ScanPage.id.in_(ids + stale)).all()
            assert {row.status for row in rows} == {ScanStatus.REJECTED}
            assert sorted(row.attempts for row in rows if row.id in ids) == [1] * per_round
            assert all(row.attempts == 2 for row in rows if row.id in stale)
    assert set(counted_reads.values()) == {1}  # every page rendered by one worker, once
    assert len(counted_reads) == rounds * (per_round + 3)


def test_a_page_claimed_lately_is_left_alone_and_one_that_crashed_thrice_is_rejected(app, counted_reads):
    make_survey(app, villages=(("T01", "Thôn Một", 1),))
    (busy,) = _queue_pages(app, 1, status=ScanStatus.READING, claim="alive", claimed_at=utcnow(), attempts=1)
    (poison,) = _queue_pages(app, 1, status=ScanStatus.READING, claim="dead",
                             claimed_at=utcnow() - timedelta(hours=1), attempts=3)
    with app.app_context():
        assert scan_queue.drain() == 0
        assert db.session.get(ScanPage, busy).status is ScanStatus.READING
        assert (db.session.get(ScanPage, poison).status, db.session.get(ScanPage, poison).problem) == (
            ScanStatus.REJECTED, "crashed")
    assert not counted_reads


def test_a_worker_that_lost_its_claim_records_nothing(app, counted_reads):
    make_survey(app, villages=(("T01", "Thôn Một", 1),))
    (page,) = _queue_pages(app, 1)
    with app.app_context():
        page_id, token = scan_queue.claim()
        other = scan_queue.claim()  # nothing else to claim while the lease holds
        assert other is None and page_id == page
        db.session.get(ScanPage, page_id).claim = "taken-over"
        db.session.commit()
        assert scan_queue.process(page_id, token, scan_queue.Reader()) is None
        assert db.session.get(ScanPage, page_id).status is ScanStatus.READING


def _one_sheet(app, runner, tmp_path):
    survey_id, _issued, layout, sheets = _printed(app, runner, tmp_path, households=1)
    sheet = _mark(layout, sheets[0], [1] * len(layout.items))
    return survey_id, [("a1.png", png_bytes(sheet[0])), ("a2.png", png_bytes(sheet[1]))]


def test_without_redis_a_thread_of_the_web_process_reads_the_upload(app, runner, tmp_path):
    assert jobs.mode(app) == "thread"  # the test app keeps its rate limits in memory, as make run does
    survey_id, files = _one_sheet(app, runner, tmp_path)
    client = client_of(app, "canbo")
    assert send(client, survey_id, files).status_code == 303
    jobs.thread_of(app).join(timeout=120)
    assert statuses(app, survey_id) == {"stored": 2}


def test_viewing_the_progress_resumes_pages_left_queued_by_a_restart(app, runner, tmp_path):
    app.config["SURVEY_SCAN_WORKER"] = "none"
    survey_id, files = _one_sheet(app, runner, tmp_path)
    client = client_of(app, "canbo")
    send(client, survey_id, files)
    assert statuses(app, survey_id) == {"queued": 2}  # the server "stopped" before reading
    app.config["SURVEY_SCAN_WORKER"] = "thread"
    client.get(f"/staff/surveys/{survey_id}/scans")
    jobs.thread_of(app).join(timeout=120)
    assert statuses(app, survey_id) == {"stored": 2}


@pytest.fixture
def redis_server(redis_url):
    redis = pytest.importorskip("redis")
    pytest.importorskip("rq")
    server = redis.Redis.from_url(redis_url)
    try:
        server.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {redis_url}: {type(exc).__name__}")
    server.flushdb()
    yield server
    server.flushdb()


@pytest.fixture
def redis_queue(app, redis_url, redis_server):
    app.config.update(SURVEY_SCAN_WORKER="auto", RATELIMIT_STORAGE_URI=redis_url)
    return redis_server


def test_with_redis_an_upload_sends_one_rq_job_that_the_worker_reads(app, runner, tmp_path, redis_queue):
    assert jobs.mode(app) == "rq"  # production: the rate limits' Redis carries the scan queue too
    survey_id, files = _one_sheet(app, runner, tmp_path)
    client = client_of(app, "canbo")
    send(client, survey_id, files)
    client.get(f"/staff/surveys/{survey_id}/scans")  # a second kick while a job waits adds none
    with app.app_context():
        assert jobs._queue(app).count == 1
    assert statuses(app, survey_id) == {"queued": 2}
    with app.app_context():
        jobs.run_rq_worker(app, burst=True)
    assert statuses(app, survey_id) == {"stored": 2}


def test_a_stopping_rq_worker_does_not_wait_a_minute_for_its_command_listener(redis_server, monkeypatch):
    """Seen as a 60 s test: the UNSUBSCRIBE reply was read before the listener was told to stop, so it waited
    for another message for RQ's 60 s. The stopping thread is held right after sending UNSUBSCRIBE here."""
    worker = jobs._worker_class()([], connection=redis_server)
    worker.subscribe()
    time.sleep(0.2)  # the listener waits for a message
    send_unsubscribe = worker.pubsub.unsubscribe

    def descheduled(*args):
        send_unsubscribe(*args)
        time.sleep(0.3)  # the reply arrives while the stopping thread is not running

    monkeypatch.setattr(worker.pubsub, "unsubscribe", descheduled)
    stopping = threading.Thread(target=worker.unsubscribe, daemon=True)
    stopping.start()
    stopping.join(timeout=10)
    assert not stopping.is_alive()
    assert not worker.pubsub_thread.is_alive()


def test_with_redis_down_the_pages_wait_for_the_worker(app, runner, tmp_path, caplog):
    app.config.update(SURVEY_SCAN_WORKER="rq", SURVEY_SCAN_REDIS_URL="redis://127.0.0.1:1/0")
    survey_id, files = _one_sheet(app, runner, tmp_path)
    assert send(client_of(app, "canbo"), survey_id, files).status_code == 303
    assert statuses(app, survey_id) == {"queued": 2}
    assert "scan queue unavailable" in caplog.text
    result = runner.invoke(args=["paper", "work"])
    assert result.exit_code == 0 and "read 2 pages" in result.output
    assert statuses(app, survey_id) == {"stored": 2}
