"""Rendered pages of published results, kept per process: a publication never changes, so neither does its page.

The results page and the public notice of a published survey are rendered from the publication's snapshot;
at a province's 3,000 villages that is thousands of formatted numbers per view. Their main part (everything
below the site header, which names the signed-in user) is rendered once per publication and
everything else it depends on (the key: the publication versions, the survey's state, the language, the
time zone, the page's own arguments) and served as text afterwards, in constant time whatever the survey's
size. The cache is bounded by the characters it holds (least recently used first out), and
``SURVEY_PUBLISHED_PAGE_CACHE`` = 0 turns it off.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from flask import g, request
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

from ..app_cache import app_cache

_lock = threading.Lock()


def rendered(key: tuple[Hashable, ...], render: Callable[[], str]) -> Markup:
    """The page part ``render`` gives for ``key``, rendered once while it stays in the cache.

    The key is completed with the language, the time zone and the script root (a part rendered for one
    language or mount point is never served for another). What rendering noted for the rest of the page
    (that it showed a time, whose zone the footer names: ``formatting.shown_zone``) is noted again at each
    hit. A part larger than the whole cache is not kept.
    """
    cache = app_cache("published_pages", "SURVEY_PUBLISHED_PAGE_CACHE", getsizeof=_size)
    if cache is None:
        return Markup(render())  # noqa: S704 (rendered by Jinja with autoescape)
    full_key = (*key, str(get_locale()), str(get_timezone()), request.script_root)
    with _lock:
        found = cache.get(full_key)
    if found is None:
        found = (Markup(render()), bool(g.get("time_shown")))  # noqa: S704 (rendered by Jinja with autoescape)
        if _size(found) <= cache.maxsize:
            with _lock:
                cache[full_key] = found
    elif found[1]:
        g.time_shown = True
    return found[0]


def _size(entry: tuple[Markup, bool]) -> int:
    return len(entry[0])
