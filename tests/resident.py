"""Helpers for driving the resident pages in tests."""
from __future__ import annotations

import re

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html) or re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def item_keys(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'name="item_([a-z0-9-]+)"', html)))


def full_answers(html: str, value: str = "satisfied", **overrides) -> dict:
    data = {"csrf_token": csrf_token(html)}
    for key in item_keys(html):
        data[f"item_{key}"] = overrides.get(key, value)
    return data
