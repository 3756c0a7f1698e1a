"""The Scope object itself: who it is made from, what ``find`` says of ids that name nothing, and that its
yes/no answer is its listing's membership for every object of the world."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import ApiToken, AuditEntry, Commune, Province, Role, Survey, User
from survey_app.services.scope import Absent, OutOfScope, Scope

from .world import ACCOUNTS, ALL_UNITS, manages, seen_by

LISTINGS = {Survey: Scope.surveys, Commune: Scope.communes, User: Scope.accounts, ApiToken: Scope.api_tokens,
            AuditEntry: Scope.audit_entries}


def _user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def test_a_deactivated_account_and_the_anonymous_visitor_hold_nothing(app_ctx, world):
    from flask_login import AnonymousUserMixin

    for scope in (Scope.of(_user("bi_khoa")), Scope.of_token(_user("bi_khoa")), Scope.of(AnonymousUserMixin()),
                  Scope.of(None)):
        for model, listing in LISTINGS.items():
            assert db.session.execute(listing(scope)).first() is None, (scope, model)
        assert not scope.may_create_account(Role.STAFF, "21040")


def test_a_token_reads_as_its_owner_but_changes_nothing(app_ctx, world):
    owner = _user("admin_tinh")
    signed_in, token = Scope.of(owner), Scope.of_token(owner)
    survey = db.session.get(Survey, world.surveys["21040"]["sid"])
    assert signed_in.allows(survey, edit=True) and token.allows(survey) and not token.allows(survey, edit=True)
    assert [s.id for s in db.session.execute(token.surveys()).scalars()] == \
           [s.id for s in db.session.execute(signed_in.surveys()).scalars()]
    assert not token.allows(_user("staff_xa"))  # an API token manages no account


def test_the_operator_holds_every_unit_and_changes_everything(app_ctx, world):
    operator = Scope.operator()
    for model, listing in LISTINGS.items():
        everything = db.session.execute(select(model)).scalars().all()
        assert len(db.session.execute(listing(operator)).scalars().all()) == len(everything)
        assert all(operator.allows(row, edit=model is not AuditEntry) for row in everything)
    assert operator.may_create_account(Role.ADMIN, None)


def test_allows_is_membership_of_the_listing_and_follows_the_rule(app_ctx, world):
    for name in ACCOUNTS:
        scope = Scope.of(_user(name))
        for model, listing in LISTINGS.items():
            listed = set(db.session.execute(listing(scope)).scalars())
            for row in db.session.execute(select(model)).scalars():
                assert scope.allows(row) == (row in listed), (name, row)
        for code in ALL_UNITS:
            assert scope.holds_unit(code) == (code in seen_by(name)), (name, code)
            for role in ("admin", "staff", "auditor"):
                assert scope.may_create_account(Role(role), code) == manages(name, role, code), (name, code)


def test_ids_that_name_nothing_are_absent_without_asking_the_database(app_ctx, world):
    for model in (Survey, User, ApiToken, AuditEntry):
        for ident in (0, -1, 2**31, 2**70, True, "1", None, 1.0):
            with pytest.raises(Absent):
                Scope.operator().find(model, ident)


def test_find_says_absent_before_out_of_scope(app_ctx, world):
    scope = Scope.of(_user("staff_xa"))
    assert scope.find(Survey, world.surveys["21040"]["sid"]).unit_code == "21040"
    with pytest.raises(OutOfScope):
        scope.find(Survey, world.surveys["00004"]["sid"])
    with pytest.raises(OutOfScope):
        Scope.of(_user("auditor_xa")).find(Survey, world.surveys["21040"]["sid"], edit=True)
    with pytest.raises(Absent):
        scope.find(Survey, 999_999)


@settings(max_examples=60)
@given(code=st.one_of(st.text(max_size=8), st.from_regex(r"\d{2}|\d{5}", fullmatch=True), st.integers()))
def test_any_unit_code_is_found_refused_or_absent(app_ctx, world, code):
    """Hostile codes in a URL (``/staff/units/<code>/villages``) never reach the database as something else."""
    scope = Scope.of(_user("staff_tinh"))
    for model in (Commune, Province):
        try:
            found = scope.find(model, code)
        except (Absent, OutOfScope):
            continue
        assert found.code in seen_by("staff_tinh")
