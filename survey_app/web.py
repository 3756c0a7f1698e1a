"""Request-level wiring: locale and timezone selection, template helpers, security headers."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, has_request_context, redirect, request
from flask_babel import get_locale
from flask_login import current_user

from . import formatting
from .i18n import translate_text
from .models._types import MAX_ID


def select_locale() -> str:
    """Pick the language: the user's setting, then the switcher cookie, then (signed-in staff only) the
    browser, else Vietnamese.

    Residents and the public see Vietnamese whatever their phone's language (many cheap phones are set to
    English); the switcher is there for anyone who prefers English.
    """
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # e.g. a CLI export: the source language
        return default
    user_locale = getattr(current_user, "locale", None)
    if user_locale in languages:
        return user_locale
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    if getattr(current_user, "is_authenticated", False):
        return request.accept_languages.best_match(languages) or default
    return default


def select_timezone() -> str:
    """Show every time in Vietnam's time zone."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def local_public_url(url: str) -> bool:
    """True when the address printed on slips only works on the server itself (the development default)."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("", "localhost", "0.0.0.0", "::1") or host.startswith("127.") or host.endswith(".localhost")  # noqa: S104


def survey_title(survey) -> str:
    """Show a survey's title (template short title – unit name) with the short title translated."""
    short = (survey.template or {}).get("short_title", "")
    if short and survey.title.startswith(short):
        return translate_text(short) + survey.title[len(short):]
    return survey.title


def set_security_headers(response):
    """Send a strict policy: no inline scripts, no framing, no sniffing, no third-party requests."""
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


#: Longest ``next`` address followed; our own are far shorter.
NEXT_MAX = 2000


def local_path(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default``: the one check of every redirect that
    follows a ``next`` address (the language switch, the login).

    Control characters are removed first: a browser drops tab and newlines anywhere in a URL (so
    ``/%09/evil.example`` became ``//evil.example``, another host) and a header cannot carry them. What
    remains must start with exactly one "/", hold no backslash (which browsers read as a slash, so ``/\\``
    means ``//``) and name no scheme or host.
    """
    if not target or len(target) > NEXT_MAX:
        return default
    cleaned = "".join(ch for ch in target if unicodedata.category(ch) != "Cc")
    if not cleaned.startswith("/") or cleaned.startswith("//") or "\\" in cleaned:
        return default
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return default
    return cleaned


def set_language(lang: str):
    """Remember the chosen language in a cookie and go back where the user was (on this site only)."""
    response = redirect(local_path(request.args.get("next"), "/"))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if getattr(current_user, "is_authenticated", False) and current_user.locale != lang:
            from .extensions import db

            current_user.locale = lang  # the user's setting wins over the cookie, so keep it in step
            db.session.commit()
    return response


def refuse_impossible_ids(endpoint, values):
    """An id in a URL beyond what the database can store names nothing: 404 rather than a database error."""
    if values and any(isinstance(value, int) and value > MAX_ID for value in values.values()):
        abort(404)


def configure_web(app: Flask) -> None:
    """Install the template helpers, the language switch and the request and response hooks."""
    from .assets import configure_assets

    configure_assets(app)  # compression and content-hashed static files
    app.url_value_preprocessor(refuse_impossible_ids)
    app.after_request(set_security_headers)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # as extracted (babel.cfg: trimmed = true)
    app.add_template_filter(translate_text, "tr")
    app.add_template_filter(survey_title, "survey_title")
    app.add_url_rule("/ngon-ngu/<lang>", "set_language", set_language)
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale()),
        format_percent=formatting.percent,
        format_threshold=formatting.threshold,
        format_number=formatting.number,
        format_date=formatting.date,
        format_datetime=formatting.datetime,
        shown_zone=formatting.shown_zone,
    )
