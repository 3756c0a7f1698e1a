"""API token pages: create (shown once), list, revoke; administrators may revoke anyone's token."""
from __future__ import annotations

import re

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import ApiToken, AuditEntry, Role

from .conftest import add_user, log_in

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TOKEN = re.compile(r'<code class="token" id="new-token">(ntm_[A-Za-z0-9_-]+)</code>')


def csrf(client) -> str:
    return CSRF.search(client.get("/results/tokens").get_data(as_text=True)).group(1)


def create(client, name: str) -> str:
    response = client.post("/results/tokens", data={"csrf_token": csrf(client), "name": name})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return TOKEN.search(response.get_data(as_text=True)).group(1)


def test_token_is_shown_once_and_works(app, client, hand_counted):
    log_in(app, client, add_user(app, "kiemtra"))
    token = create(client, "Đối chiếu <tỉnh>")
    assert token not in client.get("/results/tokens").get_data(as_text=True)
    page = client.get("/results/tokens").get_data(as_text=True)
    assert "Đối chiếu &lt;tỉnh&gt;" in page and "chưa dùng" in page
    api = app.test_client()
    assert api.get(f"/api/v1/surveys/{hand_counted.survey_id}/results",
                   headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action)).scalars().all()
        assert "api_token.create" in actions


def test_empty_name_is_refused_and_csrf_is_required(app, client):
    log_in(app, client, add_user(app, "kiemtra"))
    response = client.post("/results/tokens", data={"csrf_token": csrf(client), "name": ""})
    assert response.status_code == 422 and "Vui lòng đặt tên" in response.get_data(as_text=True)
    assert client.post("/results/tokens", data={"name": "x"}).status_code == 400


def test_owner_revokes_and_the_token_stops_working(app, client, hand_counted):
    log_in(app, client, add_user(app, "kiemtra"))
    token = create(client, "một")
    with app.app_context():
        token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    response = client.post(f"/results/tokens/{token_id}/revoke", data={"csrf_token": csrf(client)})
    assert response.status_code == 303
    assert "Đã thu hồi" in client.get("/results/tokens").get_data(as_text=True)
    api = app.test_client()
    assert api.get("/api/v1/surveys", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_others_cannot_revoke_but_an_admin_can(app, client):
    log_in(app, client, add_user(app, "kiemtra"))
    create(client, "của kiểm tra")
    with app.app_context():
        token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    other = app.test_client()
    log_in(app, other, add_user(app, "canbo", Role.STAFF, "21040"))
    assert "của kiểm tra" not in other.get("/results/tokens").get_data(as_text=True)
    revoke = f"/results/tokens/{token_id}/revoke"
    assert other.post(revoke, data={"csrf_token": csrf(other)}).status_code == 403
    admin = app.test_client()
    log_in(app, admin, add_user(app, "quantri", Role.ADMIN, None))
    assert "của kiểm tra" in admin.get("/results/tokens").get_data(as_text=True)
    assert admin.post(revoke, data={"csrf_token": csrf(admin)}).status_code == 303
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is not None


def test_token_pages_need_a_login(client):
    assert client.get("/results/tokens").status_code in (302, 401)
