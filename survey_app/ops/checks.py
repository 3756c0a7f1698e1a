"""Configuration checks run when a production worker starts (gunicorn.conf.py)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from ..config import Defaults
from ..keys import config_problems
from ..web import local_public_url


def whole_number(value) -> int | None:
    """An integer setting (a number or its digits), or None when it is not one."""
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def calendar_problems(config: Mapping) -> list[str]:
    """Why the configured days off and working weekends (ISO dates, services/window.py) cannot be read."""
    problems = []
    for name, weekend in (("SURVEY_HOLIDAYS", False), ("SURVEY_WORKING_WEEKENDS", True)):
        values = config.get(name, ())
        if isinstance(values, str) or not isinstance(values, list | tuple):
            problems.append(f'{name} must be a list of dates, e.g. ["2027-05-08"]')
            continue
        for value in values:
            try:
                day = date.fromisoformat(value) if isinstance(value, str) and _ISO_DATE.fullmatch(value) else None
            except ValueError:
                day = None
            if day is None:
                problems.append(f"{name}: {str(value)[:40]!r} is not a date written YYYY-MM-DD")
            elif weekend and day.weekday() < 5:
                problems.append(f"{name}: {value} is not a Saturday or a Sunday")
    return problems


def production_problems(config: Mapping, *, workers: int = 1) -> tuple[list[str], list[str]]:
    """Return (fatal problems, warnings) of a configuration about to serve real traffic."""
    fatal, warnings = calendar_problems(config) + config_problems(config), []
    secret = config.get("SECRET_KEY")
    if not secret or secret == Defaults.SECRET_KEY or len(str(secret)) < 16:
        fatal.append("SURVEY_SECRET_KEY is unset, the development default, or shorter than 16 characters")
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if uri.startswith("sqlite") and workers > 1:
        warnings.append("SQLite with several workers: writes are serialised; use PostgreSQL in production")
    warnings += _key_warnings(config, secret)
    minimum = whole_number(config.get("SURVEY_PUBLIC_MIN_RESPONDENTS", Defaults.SURVEY_PUBLIC_MIN_RESPONDENTS))
    if minimum is None or minimum < 1:
        fatal.append("SURVEY_PUBLIC_MIN_RESPONDENTS must be a whole number of at least 1 (default 5)")
    elif minimum == 1:
        warnings.append("SURVEY_PUBLIC_MIN_RESPONDENTS=1: the public notice shows rates of single households")
    return fatal, warnings + _serving_warnings(config, workers)


def _key_warnings(config: Mapping, secret) -> list[str]:
    """Warnings about where the household-code and audit-chain keys live and how strong they are."""
    warnings = []
    if not config.get("SURVEY_CODE_KEY"):
        warnings.append("SURVEY_CODE_KEY unset: the household-code key lives in instance/household-code.key; "
                        "back it up apart from the database")
    audit_key = config.get("SURVEY_AUDIT_KEY")
    if not audit_key:
        warnings.append("SURVEY_AUDIT_KEY unset: the audit chain's key lives in instance/audit-chain.key, which "
                        "several app servers would not share; set it and back it up apart from the database")
    elif len(str(audit_key)) < 32:
        warnings.append("SURVEY_AUDIT_KEY is shorter than 32 characters: use 32 random bytes (64 hex digits)")
    elif audit_key in (secret, config.get("SURVEY_CODE_KEY")):
        warnings.append("SURVEY_AUDIT_KEY is the same as another key: give the audit chain its own")
    return warnings


def _serving_warnings(config: Mapping, workers: int) -> list[str]:
    """Warnings about serving: rate limits shared by workers, the public URL, https cookies and the proxy."""
    warnings = []
    if str(config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://") and workers > 1:
        warnings.append("RATELIMIT_STORAGE_URI is memory://: each worker counts alone, so the code-guessing "
                        "limit is multiplied by the number of workers; use redis://")
    public_url = str(config.get("SURVEY_PUBLIC_URL", ""))
    if local_public_url(public_url):
        warnings.append("SURVEY_PUBLIC_URL points to this machine: printed slips and QR codes would not work "
                        "on residents' phones")
    https = public_url.startswith("https://")
    if https and not config.get("SESSION_COOKIE_SECURE"):
        warnings.append("public URL is https but SURVEY_SESSION_COOKIE_SECURE is not set")
    if https and not config.get("SURVEY_PROXY_FIX"):
        warnings.append("behind a TLS proxy set SURVEY_PROXY_FIX=1, or rate limits see the proxy's address")
    return warnings
