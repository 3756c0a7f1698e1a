"""What we keep about a client: a keyed, truncated hash, never the address itself."""
from __future__ import annotations

import hashlib
import hmac

from flask import Request, current_app


def client_hash(request: Request) -> str:
    """Keyed hash of the client address (16 hex chars) for burst detection; not reversible without the key."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    key = hmac.new(secret, b"client-address", hashlib.sha256).digest()
    return hmac.new(key, (request.remote_addr or "").encode(), hashlib.sha256).hexdigest()[:16]
