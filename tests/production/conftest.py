"""Helpers of the production tests: backend checks, logging in as admin, row counts, log capture."""
from __future__ import annotations

import io
import logging

import pytest

from .helpers import backend


@pytest.fixture
def postgres_only(app):
    """Skip the SQLite variant of a test that is about PostgreSQL's behaviour."""
    if backend(app) != "postgresql":
        pytest.skip("PostgreSQL only")


@pytest.fixture
def app_log():
    """Everything the app logs (through its own formatter), as one string."""
    from survey_app.ops.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger("survey_app")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
