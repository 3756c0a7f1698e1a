"""Request hygiene shared by every form, checked before anything else reads the form.

A NUL character is never legitimate text, and PostgreSQL refuses it in text columns: without this
check a pasted NUL in an opinion, a reason or a staff form would surface as a database error (500)
instead of a clear 400. A multipart part without a usable name (which the form parser turns into a
``None`` key) would likewise crash the CSRF check itself.
"""
from __future__ import annotations

from flask import abort, request


def reject_malformed_input() -> None:
    """Answer 400 to a request whose query string or form carries a NUL character or a nameless field."""
    sources = [request.args]
    if request.method not in ("GET", "HEAD"):
        sources += [request.form, request.files]
    for values in sources:
        for key, value in values.items(multi=True):
            if not isinstance(key, str) or "\x00" in key:
                abort(400)
            if isinstance(value, str) and "\x00" in value:
                abort(400)
