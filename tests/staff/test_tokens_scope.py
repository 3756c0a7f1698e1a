"""API tokens: an admin scoped to a unit manages only the tokens of accounts it manages; a password reset,
a password change and a deactivation revoke every token of the account (as they end its sessions)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import ApiToken, AuditEntry, User

from .accounts import PASSWORD, add_user, login, token

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
#: Who owns a token in these tests; the admins of each scope come on top of ``ACCOUNTS``.
OWNERS = ("admin", "staff_commune", "staff_province", "staff_elsewhere", "auditor_province", "auditor_elsewhere",
          "admin_tinh", "admin_xa", "admin_tinh_khac")


def _tokens(app) -> dict[str, tuple[int, str]]:
    """One live token per owner: username -> (token id, clear token)."""
    from survey_app.services import api_tokens

    made = {}
    with app.app_context():
        for name in OWNERS:
            user = db.session.execute(select(User).where(User.username == name)).scalar_one()
            row, clear = api_tokens.create_token(user, f"công cụ của {name}")
            made[name] = (row.id, clear)
        db.session.commit()
    return made


@pytest.fixture
def tokens(app, world):
    add_user(app, "admin_tinh", "admin", "51")
    add_user(app, "admin_xa", "admin", "21040")
    add_user(app, "admin_tinh_khac", "admin", "01")
    return _tokens(app)


def _client(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _csrf(client) -> str:
    return CSRF.search(client.get("/results/tokens").get_data(as_text=True)).group(1)


def _listed(page: str) -> set[str]:
    return {name for name in OWNERS if f"công cụ của {name}<" in page}


def _api_status(app, clear: str) -> int:
    return app.test_client().get("/api/v1/surveys", headers={"Authorization": f"Bearer {clear}"}).status_code


@pytest.mark.parametrize(("admin", "visible"), [
    ("admin", set(OWNERS)),
    ("admin_tinh", {"admin_tinh", "staff_commune", "staff_province", "auditor_province"}),
    ("admin_xa", {"admin_xa", "staff_commune"}),
    ("admin_tinh_khac", {"admin_tinh_khac", "staff_elsewhere", "auditor_elsewhere"}),
])
def test_admins_list_only_the_tokens_of_accounts_they_manage(app, tokens, admin, visible):
    page = _client(app, admin).get("/results/tokens").get_data(as_text=True)
    assert _listed(page) == visible


@pytest.mark.parametrize("owner", ["staff_elsewhere", "auditor_elsewhere", "admin", "admin_tinh_khac", "admin_xa"])
def test_a_province_admin_cannot_revoke_tokens_outside_its_scope(app, tokens, owner):
    client = _client(app, "admin_tinh")
    token_id, clear = tokens[owner]
    response = client.post(f"/results/tokens/{token_id}/revoke", data={"csrf_token": _csrf(client)})
    assert response.status_code == 403
    assert _api_status(app, clear) == 200
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


def test_a_province_admin_revokes_the_tokens_of_its_staff(app, tokens):
    client = _client(app, "admin_tinh")
    token_id, clear = tokens["staff_commune"]
    response = client.post(f"/results/tokens/{token_id}/revoke", data={"csrf_token": _csrf(client)})
    assert response.status_code == 303
    assert _api_status(app, clear) == 401


def test_service_scope_matches_the_pages(app, tokens):
    from survey_app.services import api_tokens
    from survey_app.services.scope import Scope

    with app.app_context():
        users = {u.username: u for u in db.session.execute(select(User)).scalars()}
        rows = {t.id: t for t in db.session.execute(select(ApiToken)).scalars()}
        for name in OWNERS:
            user = users[name]
            visible = {t.id for t in api_tokens.tokens_visible_to(user)}
            assert visible == {t.id for t in rows.values() if Scope.of(user).allows(t, edit=True)}


def test_an_admin_reset_revokes_every_token_of_the_account(app, tokens, world):
    live = tokens["staff_commune"][1]
    with app.app_context():  # an already revoked token stays as it was
        from survey_app.services import api_tokens

        owner = db.session.get(User, world["staff_commune"])
        old, old_clear = api_tokens.create_token(owner, "cũ")
        api_tokens.revoke(old, actor=owner)
        db.session.commit()
        revoked_at = db.session.get(ApiToken, old.id).revoked_at
    admin = _client(app, "admin_tinh")
    url = f"/staff/users/{world['staff_commune']}/password"
    done = admin.post(url, data={"csrf_token": token(admin), "password": "Mat-khau-moi-7",
                                 "confirm": "Mat-khau-moi-7"}, follow_redirects=True)
    assert done.status_code == 200 and "Đã thu hồi 1 mã truy cập API của staff_commune." in done.get_data(as_text=True)
    assert _api_status(app, live) == 401 and _api_status(app, old_clear) == 401
    assert _api_status(app, tokens["staff_province"][1]) == 200  # other accounts keep theirs
    with app.app_context():
        assert db.session.get(ApiToken, old.id).revoked_at == revoked_at
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "api_token.revoke")
                                   .order_by(AuditEntry.id.desc())).scalars().first()
        assert entry.actor_name == "admin_tinh" and entry.details["reason"] == "password_reset"
        assert entry.details["owner"] == "staff_commune"


def test_the_cli_reset_revokes_tokens(app, runner, tokens):
    result = runner.invoke(args=["users", "password", "auditor_province", "--password", "Kiem-tra-2027x"])
    assert result.exit_code == 0, result.output
    assert "1 API token(s) revoked" in result.output
    assert _api_status(app, tokens["auditor_province"][1]) == 401
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "api_token.revoke")).scalar_one()
        assert entry.actor_name == "cli"


def test_changing_ones_own_password_revokes_ones_tokens(app, tokens):
    client = _client(app, "auditor_elsewhere")
    new = {"password": "Doi-mat-khau-9", "confirm": "Doi-mat-khau-9"}
    page = client.get("/staff/password").get_data(as_text=True)
    assert "thu hồi mọi mã truy cập API" in page  # said before it happens
    done = client.post("/staff/password", data={"csrf_token": token(client), "current": PASSWORD} | new,
                       follow_redirects=True)
    assert done.status_code == 200 and "Đã thu hồi 1 mã truy cập API" in done.get_data(as_text=True)
    assert _api_status(app, tokens["auditor_elsewhere"][1]) == 401
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "api_token.revoke")).scalar_one()
        assert entry.actor_name == "auditor_elsewhere" and entry.details["reason"] == "password_change"


@pytest.mark.parametrize("how", ["console", "cli"])
def test_deactivating_an_account_revokes_its_tokens_for_good(app, runner, tokens, world, how):
    """Reactivating the account later does not bring a token (or a session) of before back."""
    victim = _client(app, "staff_commune")
    if how == "console":
        admin = _client(app, "admin")
        admin.post(f"/staff/users/{world['staff_commune']}/active", data={"csrf_token": token(admin), "active": "0"})
        admin.post(f"/staff/users/{world['staff_commune']}/active", data={"csrf_token": token(admin), "active": "1"})
    else:
        assert runner.invoke(args=["users", "deactivate", "staff_commune"]).exit_code == 0
        with app.app_context():
            db.session.get(User, world["staff_commune"]).active = True
            db.session.commit()
    assert _api_status(app, tokens["staff_commune"][1]) == 401
    assert victim.get("/staff/").status_code == 302
