"""Fixtures of the scope tests: the world of ``world.py``, built for each test."""
from __future__ import annotations

import pytest

from .world import World, build_world


@pytest.fixture
def world(app) -> World:
    return build_world(app)
