"""The project's side of bench/floors.py's province rows, each run in a fresh process inside an app context."""
from __future__ import annotations

import hashlib
import resource
import time


def export(app) -> dict:
    """The raw CSV download's bytes, drained: seconds, CPU of this process, bytes, max RSS."""
    from survey_app.exports import prepare_raw, raw_chunks
    from survey_app.extensions import db
    from survey_app.models import Survey

    with app.test_request_context():
        started, cpu = time.perf_counter(), time.process_time()
        digest, size = hashlib.sha256(), 0
        for chunk in raw_chunks(prepare_raw(db.session.get(Survey, 1))):
            digest.update(chunk)
            size += len(chunk)
        return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "bytes": size,
                "sha256": digest.hexdigest()[:12],
                "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def tally(app) -> dict:
    """``compute_tallies`` of the province, best of three."""
    from survey_app.extensions import db
    from survey_app.models import Survey
    from survey_app.services.tally import compute_tallies

    best = float("inf")
    for _ in range(3):
        db.session.expunge_all()
        survey = db.session.get(Survey, 1)
        started = time.perf_counter()
        compute_tallies(survey)
        best = min(best, time.perf_counter() - started)
    return {"seconds": best}


def results(app) -> dict:
    """The results page before publication: the document and the indicators alone, then two page views."""
    from survey_app.extensions import db
    from survey_app.models import Role, Survey
    from survey_app.services.accounts import create_user
    from survey_app.services.integrity import integrity_indicators
    from survey_app.services.results import results_document

    create_user("bench", "Kiem-tra-toc-do-2026", Role.ADMIN, None, actor_name="bench")
    db.session.commit()
    started = time.perf_counter()
    document = results_document(db.session.get(Survey, 1))
    built = time.perf_counter()
    integrity_indicators(db.session.get(Survey, 1), document)
    checked = time.perf_counter()
    client = app.test_client()
    signed_in = client.post("/staff/login", data={"username": "bench", "password": "Kiem-tra-toc-do-2026"})
    assert signed_in.status_code == 302, signed_in.status_code
    views = []
    for _ in range(2):
        began = time.perf_counter()
        page = client.get("/results/1")
        page.get_data()
        assert page.status_code == 200, page.status_code
        views.append(time.perf_counter() - began)
    return {"document": built - started, "indicators": checked - built, "first": views[0], "second": views[1]}
