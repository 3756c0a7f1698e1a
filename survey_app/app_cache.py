"""Caches kept per process in ``app.extensions``: one least-recently-used cache a name, sized by a setting."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from cachetools import LRUCache
from flask import current_app

_lock = threading.Lock()


def app_cache(name: str, setting: str, getsizeof: Callable[[Any], int] | None = None) -> LRUCache | None:
    """This app's cache ``name``, holding at most the config value ``setting`` (entries, or the sum of
    ``getsizeof`` over them), or None when that value is 0 (the cache is off)."""
    size = current_app.config.get(setting, 0)
    if size <= 0:
        return None
    with _lock:
        return current_app.extensions.setdefault(name, LRUCache(maxsize=size, getsizeof=getsizeof))
