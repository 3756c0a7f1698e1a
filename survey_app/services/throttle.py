"""Budgets of failed attempts (unknown household codes, wrong passwords), counted atomically.

Only failures may count, and a failure is counted *before* the work that could fail is done: ``reserve``
takes one attempt from each budget with the storage's atomic increment and refuses when that makes the
count exceed the budget, so N simultaneous attempts against a budget of M < N let exactly M through (a
check made first and a count added after the answer let every concurrent request through). A request that
turns out to succeed gives its attempt back (``Reservation.give_back``).

Counts live in the rate limiter's storage (``RATELIMIT_STORAGE_URI``): memory, per worker process, or
Redis, shared by every worker and server (docs/deploy.md). Windows are fixed: a budget's window starts at
its first counted failure. Keys hold keyed hashes of the client address and of a typed login name, never
the address or the name itself. An IPv6 client is counted by its /64 network, which one household or one
attacker holds whole.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass, field

from flask import current_app
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage

from ..errors import SurveyAppError
from ..extensions import limiter

log = logging.getLogger(__name__)

#: Serialises the in-memory storage, whose increment returns a count read after its own lock is released.
_memory_lock = threading.Lock()


class Exhausted(SurveyAppError):
    """A budget of failures is spent: nothing more of that kind is tried until ``retry_after`` seconds pass."""

    def __init__(self, budget: Budget, retry_after: int, first: bool):
        super().__init__(f"{budget.name} exhausted")
        self.budget = budget
        self.retry_after = retry_after
        #: Whether this is the first refusal of the window (the moment of the lockout, to be recorded once).
        self.first = first

    @property
    def minutes(self) -> int:
        """The wait rounded up to whole minutes, for the message."""
        return max(1, math.ceil(self.retry_after / 60))


@dataclass(frozen=True)
class Budget:
    """A number of failures allowed per window for each key, read from a setting like ``"20 per 10 minutes"``."""

    name: str
    setting: str

    def item(self) -> RateLimitItem:
        return parse(current_app.config[self.setting])


@dataclass
class Reservation:
    """The attempts taken by one request; given back when the request succeeds."""

    taken: list[tuple[str, int]] = field(default_factory=list)

    def give_back(self) -> None:
        """Return every attempt taken: a success never counts."""
        for key, expiry in self.taken:
            _storage_call(_refund, key, expiry)
        self.taken.clear()


def client_key(address: str | None) -> str:
    """The key of a client address: a keyed hash of it (of its /64 network for IPv6), 16 hex characters."""
    text = address or ""
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        parsed = None
    if parsed is not None and parsed.version == 6 and parsed.ipv4_mapped is None:
        text = str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    elif parsed is not None and parsed.version == 6:
        text = str(parsed.ipv4_mapped)
    return keyed("client", text)


def keyed(label: str, text: str) -> str:
    """A keyed hash (16 hex characters, under the server secret) of ``text``: what a budget key holds instead
    of an address or a typed login name (which may be a password typed in the wrong box)."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    key = hmac.new(secret, b"throttle-" + label.encode(), hashlib.sha256).digest()
    return hmac.new(key, text.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:16]


def reserve(*claims: tuple[Budget, tuple[str, ...]]) -> Reservation:
    """Take one attempt from each (budget, key parts) claim, all or none.

    Raises ``Exhausted`` for the first spent budget, after giving back the attempts taken from the ones
    before it. When the limiter is disabled (``RATELIMIT_ENABLED = False``) nothing is counted.
    """
    reservation = Reservation()
    if not limiter.enabled:
        return reservation
    for budget, parts in claims:
        item = budget.item()
        key = item.key_for(*_prefix(), "survey", budget.name, *parts)
        expiry = item.get_expiry()
        count = _storage_call(_incr, key, expiry)
        if count is None:  # the storage is unreachable: counted nowhere, refused nowhere (logged)
            continue
        if count > item.amount:
            reservation.give_back()
            raise Exhausted(budget, _retry_after(key, expiry), first=count == item.amount + 1)
        reservation.taken.append((key, expiry))
    return reservation


def _prefix() -> tuple[str, ...]:
    """``RATELIMIT_KEY_PREFIX``, when set: several sites (or test runs) sharing one Redis keep apart."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    return (prefix,) if prefix else ()


def count_failure(budget: Budget, *parts: str) -> None:
    """Count one failure that has already happened; raise ``Exhausted`` when it is one too many."""
    reserve((budget, parts))


def _incr(storage, key: str, expiry: int) -> int:
    if isinstance(storage, MemoryStorage):
        with _memory_lock:
            return storage.incr(key, expiry)
    return storage.incr(key, expiry)  # Redis: one Lua script, atomic across workers and servers


def _refund(storage, key: str, expiry: int) -> None:
    if isinstance(storage, MemoryStorage):
        with _memory_lock:
            if storage.incr(key, expiry, amount=-1) < 0:
                storage.clear(key)
    elif storage.incr(key, expiry, amount=-1) < 0:  # the window ended meanwhile: no credit for the next
        storage.clear(key)


def _retry_after(key: str, expiry: int) -> int:
    reset_at = _storage_call(lambda storage, key: storage.get_expiry(key), key)
    return max(1, math.ceil(reset_at - time.time())) if reset_at else expiry


def _storage_call(function, *args):
    """Run a storage operation; an unreachable storage is logged and counts as no answer (None).

    Failing open is deliberate: a Redis outage must not lock every resident and staff member out; the
    codes' entropy and Argon2 keep guessing slow meanwhile.
    """
    storage = limiter.storage
    try:
        return function(storage, *args)
    except storage.base_exceptions as exc:
        log.error("rate limit storage unavailable: %s", type(exc).__name__)
        return None
