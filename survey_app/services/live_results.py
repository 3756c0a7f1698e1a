"""Live results (before publication) kept per process and survey, keyed by the survey's data version.

A province's results document and integrity indicators take seconds to build from a million phiếu; an
auditor reading the page before publication opens it again and again while nothing changes. The pair is
kept per survey with the key it was built under: the survey's data version and the units register's
(``data_version``: every committed write changes them), the survey's state and its window's state (which
move with the calendar). The version is read first, then the survey row again, then the data: a write
committed meanwhile is in what is built and changes the version, so the next view builds afresh and no
view ever shows numbers older than the last commit it could see. ``generated_at`` is the time of each view.
``SURVEY_LIVE_RESULTS_CACHE`` (surveys kept per process, 0: off).
"""
from __future__ import annotations

import threading

from analysis import Indicator

from ..app_cache import app_cache
from ..extensions import db
from ..models import Survey
from ..models._types import utcnow
from . import data_version
from .integrity import integrity_indicators
from .results import results_document

_lock = threading.Lock()


def live_results(survey: Survey) -> tuple[dict, list[Indicator]]:
    """The survey's live results document and integrity indicators, built once per data version.

    Shared between requests: read them, never change them."""
    cache = app_cache("live_results", "SURVEY_LIVE_RESULTS_CACHE")
    if cache is None:
        document = results_document(survey)
        return document, integrity_indicators(survey, document)
    version = data_version.current(survey.id)
    db.session.refresh(survey)  # the survey row as of after the version: never older than the key
    key = (version, survey.status.value, survey.window_state(), survey.created_at)
    with _lock:
        found = cache.get(survey.id)
    if found is not None and found[0] == key:
        document, indicators = found[1], found[2]
        return {**document, "generated_at": utcnow().isoformat(timespec="seconds")}, indicators
    document = results_document(survey)
    indicators = integrity_indicators(survey, document)
    with _lock:
        cache[survey.id] = (key, document, indicators)
    return document, indicators
