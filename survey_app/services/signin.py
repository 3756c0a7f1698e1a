"""Signing in to the staff console: the password check, its failure budgets and its audit entries.

Failed logins are throttled the way OWASP's authentication guidance suggests, so that nobody can lock
someone else out:

- per login name *and* client address (``SURVEY_LOGIN_LIMIT``, default 10 per 5 minutes): a guesser at one
  address gets that many tries at an account, and then waits;
- per client address over every name (``SURVEY_LOGIN_ADDRESS_LIMIT``, default 30 per 5 minutes): one
  address cannot try many accounts either. Colleagues behind one office address share it, so it is the
  looser one.

There is no limit per account over every address: failures from other addresses never refuse the owner's
right password from their own. The trade-off: an attacker holding many addresses gets
``SURVEY_LOGIN_LIMIT`` guesses per address per window at one account. Argon2id makes each guess cost the
server, the password rules (10+ characters, not only letters or digits) keep the space large, and every
failure against a real account is in the audit log (``user.login_failed``, ``user.locked_out``) for an
administrator to see. Names that are not accounts are throttled exactly like real ones, so the answers do
not reveal which names exist.
"""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import User
from ..models._types import utcnow
from . import accounts, audit, throttle

ACCOUNT_AT_ADDRESS = throttle.Budget("login-name-address", "SURVEY_LOGIN_LIMIT")
ADDRESS = throttle.Budget("login-address", "SURVEY_LOGIN_ADDRESS_LIMIT")


def authenticate(username: str, password: str, address: str | None) -> User | None:
    """The active account with this name and password, or None (audited); flushes, the caller commits.

    Raises ``throttle.Exhausted`` when the address, or the name at this address, has spent its failures:
    then the password is not even checked, so a guess made after the limit learns nothing.
    """
    name = username.strip().lower()
    user = db.session.execute(select(User).where(User.username == name)).scalar_one_or_none()
    client = throttle.client_key(address)
    try:
        reservation = throttle.reserve((ADDRESS, (client,)),
                                       (ACCOUNT_AT_ADDRESS, (throttle.keyed("login-name", name), client)))
    except throttle.Exhausted as exhausted:
        if exhausted.first:
            _record_lockout(user, exhausted)
        raise
    if user is None:
        accounts.hasher.hash(password)  # spend the same time as a real check
        ok = False
    else:
        ok = accounts.check_password(user, password) and user.active
    if ok:
        reservation.give_back()
        return user
    if user is None:
        # What was typed is not an account name, and may well be a password typed in the wrong box: the
        # (append-only) log keeps only that a name that does not exist was tried.
        audit.record("user.login_unknown_name", actor_name="?")
    else:
        audit.record("user.login_failed", actor=user, user=user.username)
    return None


def signed_in(user: User) -> None:
    """Note a successful sign-in: its time on the account, and the audit entry."""
    user.last_login_at = utcnow()
    audit.record("user.login", actor=user)


def signed_out(user: User) -> None:
    """Sign the account out everywhere (every session cookie stops working), audited."""
    accounts.end_sessions(user)
    audit.record("user.logout", actor=user)


def _record_lockout(user: User | None, exhausted: throttle.Exhausted) -> None:
    """Record the moment a budget is spent (once per window): which limit, for how long, and the account
    tried (none when the name is not an account)."""
    limit = "address" if exhausted.budget is ADDRESS else "name_at_address"
    if user is None:
        audit.record("user.locked_out", actor_name="?", limit=limit, seconds=exhausted.retry_after)
    else:
        audit.record("user.locked_out", actor=user, user=user.username, limit=limit,
                     seconds=exhausted.retry_after)
