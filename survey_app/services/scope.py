"""Who may see and change what: the one scope rule, as SQL filters and as a yes/no answer.

A scope is made from whoever acts: the signed-in user (``Scope.of``), an API token (``Scope.of_token``: its
owner's scope, read only) or the operator at the command line (``Scope.operator``: the whole installation).
The rule, written once in ``_holds``: a national admin holds every unit; a province account its province and
the province's communes; a commune account its commune; nobody else anything. A survey is in scope when its
unit is; an account is managed by an admin when it is a non-admin account of a unit the admin holds (every
account for a national admin); an API token when it is one's own or a managed account's; an audit entry when
its survey is in scope or the reader wrote it (every entry for a national admin).

``allows(obj)`` asks the database whether the object is among the rows of the same filter (``surveys()``,
``communes()``, ``accounts()``, ``audit_entries()``, ``api_tokens()``), so the yes/no answer and the listings
cannot disagree. ``find`` loads an object by id and says whether it is absent or outside the scope; the
pages answer 404 and 403, the API the same in JSON, the command line an error message.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from ..extensions import db
from ..models import ApiToken, AuditEntry, Commune, Province, Role, Survey, User, Village
from ..models._types import MAX_ID

#: Objects that belong to a unit, and the column naming it.
UNIT_OF = {Survey: Survey.unit_code, Commune: Commune.code, Province: Province.code, Village: Village.commune_code}
#: Objects whose "change" needs a role that writes (staff, admins, the operator), besides being in scope.
CHANGEABLE = tuple(UNIT_OF)


class Absent(LookupError):
    """No object has this id (a 404)."""


class OutOfScope(PermissionError):
    """The object exists but lies outside the scope, or the scope may not change it (a 403)."""


@dataclass(frozen=True)
class Scope:
    """What one actor may see and change; build it with ``of``, ``of_token`` or ``operator``."""

    #: Province (2 digits) or commune (5 digits) held; None with ``national`` (or for nobody).
    unit_code: str | None = None
    national: bool = False
    #: The acting account (its own audit entries and API tokens); None for the operator and for nobody.
    user_id: int | None = None
    #: Changes surveys and units in scope (staff, admins, the operator), not only reads them.
    writes: bool = False
    #: Manages accounts and their tokens (admins, the operator).
    manages: bool = False

    @classmethod
    def of(cls, user) -> Scope:
        """The scope of a signed-in user; nothing for the anonymous visitor or a deactivated account."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls()
        return cls(unit_code=user.unit_code or None, national=user.role is Role.ADMIN and not user.unit_code,
                   user_id=user.id, writes=user.role in (Role.ADMIN, Role.STAFF), manages=user.role is Role.ADMIN)

    @classmethod
    def of_token(cls, user) -> Scope:
        """The scope of an API token: its owner's, read only."""
        return replace(cls.of(user), writes=False, manages=False)

    @classmethod
    def operator(cls) -> Scope:
        """The command line's scope: the whole installation, every change."""
        return cls(national=True, writes=True, manages=True)

    # -- the rule, in SQL ---------------------------------------------------------------------------------

    def _holds(self, code: ColumnElement) -> ColumnElement[bool]:
        """``code`` (a column of unit codes) names a unit in scope."""
        if self.national:
            return true()
        if not self.unit_code:
            return false()
        if len(self.unit_code) == 2:  # a province holds itself and its communes
            communes = select(Commune.code).where(Commune.province_code == self.unit_code)
            return or_(code == self.unit_code, code.in_(communes))
        return code == self.unit_code

    def _own(self, column: ColumnElement) -> ColumnElement[bool]:
        """``column`` (a user id) is the acting account (never true without one: NULL is nobody)."""
        return column == self.user_id if self.user_id is not None else false()

    def clause(self, model) -> ColumnElement[bool]:
        """The SQL condition that a row of ``model`` is in scope."""
        if model in UNIT_OF:
            return self._holds(UNIT_OF[model])
        if model is User:
            if not self.manages:
                return false()
            return true() if self.national else and_(User.role != Role.ADMIN, self._holds(User.unit_code))
        if model is ApiToken:
            return or_(self._own(ApiToken.user_id), ApiToken.user_id.in_(select(User.id).where(self.clause(User))))
        if model is AuditEntry:
            return true() if self.national else or_(
                AuditEntry.survey_id.in_(select(Survey.id).where(self.clause(Survey))), self._own(AuditEntry.actor_id))
        raise TypeError(f"no scope rule for {model.__name__}")

    def surveys(self) -> Select:
        """The surveys in scope, newest first."""
        return select(Survey).where(self.clause(Survey)).order_by(Survey.id.desc())

    def communes(self) -> Select:
        """The communes in scope, by code."""
        return select(Commune).where(self.clause(Commune)).order_by(Commune.code)

    def accounts(self) -> Select:
        """The accounts this scope manages, by user name."""
        return select(User).where(self.clause(User)).order_by(User.username)

    def api_tokens(self) -> Select:
        """The API tokens this scope manages (its own and the managed accounts'), live ones first, newest first."""
        return (select(ApiToken).where(self.clause(ApiToken))
                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc()))

    def audit_entries(self) -> Select:
        """The audit entries this scope reads, newest first."""
        return select(AuditEntry).where(self.clause(AuditEntry)).order_by(AuditEntry.id.desc())

    # -- yes or no ----------------------------------------------------------------------------------------

    def allows(self, obj, *, edit: bool = False) -> bool:
        """Whether the scope sees ``obj`` (a survey, unit, account, API token or audit entry) or, with
        ``edit``, may change it: surveys and units need a role that writes, audit entries never change,
        accounts and tokens are changed by whoever manages them (a token also by its owner)."""
        if edit and (isinstance(obj, AuditEntry) or (isinstance(obj, CHANGEABLE) and not self.writes)):
            return False
        model = type(obj)
        (key,) = model.__mapper__.primary_key
        ident = getattr(obj, key.key)
        if ident is None:
            return False
        return db.session.execute(select(key).where(key == ident, self.clause(model)).limit(1)).first() is not None

    def may_create_account(self, role: Role, unit_code: str | None) -> bool:
        """Whether this scope may create an account of ``role`` for ``unit_code``: the operator and a national
        admin any; a scoped admin non-admin accounts of a unit it holds."""
        if not self.manages:
            return False
        if self.national:
            return True
        return role is not Role.ADMIN and bool(unit_code) and self.holds_unit(unit_code)

    def holds_unit(self, code: str) -> bool:
        """Whether the province (2 digits) or commune (5 digits) of this code, as listed, is in scope."""
        model = Commune if len(code) == 5 else Province
        return db.session.execute(select(model.code).where(model.code == code, self.clause(model))).first() is not None

    def find(self, model, ident, *, edit: bool = False):
        """The object of ``model`` with this id (an integer, or a unit's code); raise ``Absent`` when there is
        none (an id beyond what the database stores names nothing) and ``OutOfScope`` when ``allows`` says no."""
        obj = db.session.get(model, ident) if _storable(model, ident) else None
        if obj is None:
            raise Absent(ident)
        if not self.allows(obj, edit=edit):
            raise OutOfScope(ident)
        return obj


def _storable(model, ident) -> bool:
    """Whether ``ident`` can be a primary key of ``model`` at all (so that the database is never asked)."""
    if model is Commune:
        return isinstance(ident, str) and ident.isdigit() and len(ident) == 5
    if model is Province:
        return isinstance(ident, str) and ident.isdigit() and len(ident) == 2
    return isinstance(ident, int) and not isinstance(ident, bool) and 0 < ident <= MAX_ID
