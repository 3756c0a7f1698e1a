"""API token pages: create (shown once), list, revoke; administrators may revoke anyone's token."""
from __future__ import annotations

import logging
import re

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import ApiToken, AuditEntry, Role

from .factories import add_user, log_in

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TOKEN = re.compile(r'<code class="token" id="new-token">(ntm_[A-Za-z0-9_-]+)</code>')


def csrf(client) -> str:
    return CSRF.search(client.get("/results/tokens").get_data(as_text=True)).group(1)


def create(client, name: str) -> str:
    response = client.post("/results/tokens", data={"csrf_token": csrf(client), "name": name})
    assert response.status_code == 303 and response.headers["Location"].endswith("/results/tokens")
    page = client.get("/results/tokens")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    return TOKEN.search(page.get_data(as_text=True)).group(1)


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


def test_creating_redirects_then_shows_the_token_once_and_never_stores_or_logs_it(app, client, caplog):
    """Post/Redirect/Get: reloading the page neither shows the token again nor creates a second one."""
    log_in(app, client, add_user(app, "kiemtra"))
    token_field = csrf(client)
    with caplog.at_level(logging.DEBUG):
        response = client.post("/results/tokens", data={"csrf_token": token_field, "name": "một"})
        assert response.status_code == 303 and response.headers["Location"].endswith("/results/tokens")
        assert "ntm_" not in response.get_data(as_text=True) and "ntm_" not in response.headers["Location"]
        cookie = response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
        first = client.get("/results/tokens")
        assert first.headers["Cache-Control"] == "no-store"
        found = TOKEN.findall(first.get_data(as_text=True))
        assert len(found) == 1
        token = found[0]
        second = client.get("/results/tokens").get_data(as_text=True)
        assert token not in second and "new-token" not in second and "một" in second
    assert token not in caplog.text and all(token not in str(r.__dict__) for r in caplog.records)
    with client.session_transaction() as session:
        assert token not in str(dict(session))
    with app.app_context():  # the cookie that carried it to the next page held it encrypted, not in clear
        carried = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert "api_token_created" in carried and token not in str(carried) and token[4:] not in str(carried)
    with app.app_context():
        rows = db.session.execute(select(ApiToken)).scalars().all()
        assert len(rows) == 1 and rows[0].token_hash != token and token not in rows[0].token_hash
        audit = db.session.execute(select(AuditEntry)).scalars().all()
        assert all(token not in str(entry.details) for entry in audit)


def test_instructions_show_the_header_with_a_visible_placeholder(app, client):
    log_in(app, client, add_user(app, "kiemtra"))
    page = client.get("/results/tokens").get_data(as_text=True)
    assert "Authorization: Bearer &lt;mã truy cập&gt;</code>" in page
    assert "Bearer ." not in page and "Bearer <" not in page
    english = client.get("/results/tokens", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Bearer ." not in english and "Bearer <" not in english
    assert re.search(r"Authorization: Bearer &lt;[^&<>]+&gt;</code>", english)


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
