"""Fixtures of the results tests: users in and out of scope, a logged-in client, a hand-counted survey."""
from __future__ import annotations

import pytest

from .factories import HandCounted, add_user, build_hand_counted, log_in


@pytest.fixture
def hand_counted(app) -> HandCounted:
    """The closed hand-counted survey."""
    return build_hand_counted(app)


@pytest.fixture
def auditor_client(app, client):
    """A client logged in as a provincial auditor of province 51 (the survey's province)."""
    log_in(app, client, add_user(app, "kiemtra"))
    return client
