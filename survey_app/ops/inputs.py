"""Request hygiene shared by every form: a NUL character is never legitimate text.

PostgreSQL refuses NUL in text columns, so without this check a pasted NUL in an opinion, a reason or a
staff form would surface as a database error (500) instead of a clear 400.
"""
from __future__ import annotations

from flask import abort, request


def reject_nul_characters() -> None:
    """Answer 400 to a request whose query string or form fields carry a NUL character."""
    sources = [request.args] if request.method == "GET" else [request.args, request.form]
    for values in sources:
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400)
