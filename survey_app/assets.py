"""What reaches a phone: compressed pages and stylesheets, static files named by their content (issue 18).

- Pages, JSON and other text are compressed by Flask-Compress (brotli, else gzip) whenever the client
  accepts it, so a gunicorn-only deployment sends them small; behind nginx the app's encoding passes
  through. ``SURVEY_COMPRESS = False`` sends everything as it is (pages stay whole and readable).
- Static files (``/static/…``, a blueprint's ``…/static/…``) are compressed once per process at the
  strongest settings (brotli 11, gzip 9) and kept; their URLs carry a hash of their content (``?v=…``) and a
  request naming the current hash is cached by browsers for a year (``immutable``): a changed file gets a
  new URL, never a stale copy.

Compressing pages that hold a CSRF token is safe here: BREACH needs many requests carrying the victim's
cookies with attacker-chosen text reflected beside the token, and the session and remember cookies are
``SameSite=Lax`` (no cookies on another site's sub-requests).
"""
from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Flask, current_app, request
from werkzeug.security import safe_join

from .extensions import compress

#: A year: browsers keep a static file named by its content hash this long.
STATIC_MAX_AGE = 365 * 24 * 3600
#: Kinds of static file worth compressing.
TEXT_TYPES = frozenset({"text/css", "text/javascript", "application/javascript", "image/svg+xml", "text/plain"})
_lock = threading.Lock()
_files: dict[Path, _Static] = {}


@dataclass(frozen=True)
class _Static:
    """One static file as last read: its identity on disk, the hash in its URL, its compressed forms."""

    stamp: tuple[int, int]
    digest: str
    encoded: dict[str, bytes]


def _folder(endpoint: str) -> str | None:
    if endpoint == "static":
        return current_app.static_folder
    blueprint = current_app.blueprints.get(endpoint.rsplit(".", 1)[0])
    return blueprint.static_folder if blueprint is not None else None


def _static(endpoint: str | None, filename: str | None) -> _Static | None:
    """The file a static endpoint serves for ``filename`` (read again when it changed on disk), or None."""
    if not endpoint or not filename or not (endpoint == "static" or endpoint.endswith(".static")):
        return None
    folder = _folder(endpoint)
    joined = safe_join(folder, filename) if folder else None
    if joined is None:
        return None
    path = Path(joined)
    try:
        status = path.stat()
    except OSError:
        return None
    stamp = (status.st_mtime_ns, status.st_size)
    with _lock:
        found = _files.get(path)
    if found is None or found.stamp != stamp:
        data = path.read_bytes()
        found = _Static(stamp, hashlib.sha256(data).hexdigest()[:12],
                        {"br": brotli.compress(data, quality=11), "gzip": gzip.compress(data, 9, mtime=0)})
        with _lock:
            _files[path] = found
    return found


def add_content_hash(endpoint: str, values: dict) -> None:
    """``url_for('static', filename=…)`` gives ``…?v=<hash of the file>``."""
    found = _static(endpoint, values.get("filename"))
    if found is not None:
        values.setdefault("v", found.digest)


def send_static_compressed(response):
    """A static file compressed as the client accepts, kept a year when its URL names its current content."""
    if response.status_code != 200 or response.mimetype not in TEXT_TYPES:
        return response
    found = _static(request.endpoint, (request.view_args or {}).get("filename"))
    if found is None:
        return response
    if request.args.get("v") == found.digest:
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = STATIC_MAX_AGE
        response.cache_control.immutable = True
    response.vary.add("Accept-Encoding")
    encoding = request.accept_encodings.best_match(["br", "gzip"]) if current_app.config["SURVEY_COMPRESS"] else None
    if encoding is None:
        return response
    response.direct_passthrough = False
    response.close()  # the file opened to send it as it is
    response.set_data(found.encoded[encoding])
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}:{encoding}", weak=weak)
    return response.make_conditional(request)


def configure_assets(app: Flask) -> None:
    """Compression of every text response, and static files named by their content."""
    app.config.setdefault("COMPRESS_REGISTER", bool(app.config.get("SURVEY_COMPRESS", True)))
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)  # 0.5 ms for the largest phiếu; 11 takes 50 ms
    app.config.setdefault("COMPRESS_STREAMS", False)  # streamed downloads (raw CSV, bundle) leave as they are
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/plain", "text/css", "application/json",
                                                 "image/svg+xml", "application/javascript", "text/javascript"])
    compress.init_app(app)
    app.url_defaults(add_content_hash)
    app.after_request(send_static_compressed)  # runs before Flask-Compress, which leaves encoded responses
