"""Accounts: login, rate limit on failures, session expiry, admin-only user management."""
from __future__ import annotations

from datetime import timedelta

import pytest

from survey_app.extensions import db
from survey_app.models import AuditEntry, User

from .accounts import PASSWORD, login, token


def test_failed_and_successful_logins_are_audited(app, world):
    client = app.test_client()
    failed = login(client, "staff_commune", "not-the-password")
    assert failed.status_code == 200 and "không đúng" in failed.get_data(as_text=True)
    assert login(client, "nobody", PASSWORD).status_code == 200
    ok = login(client, "STAFF_COMMUNE ")
    assert ok.status_code == 302 and ok.headers["Location"] == "/staff/"
    with app.app_context():
        entries = [(e.action, e.actor_name, e.details) for e in db.session.query(AuditEntry)
                   .filter(AuditEntry.action.like("user.login%")).order_by(AuditEntry.id)]
        assert db.session.query(User).filter_by(username="staff_commune").one().last_login_at is not None
    assert entries == [("user.login_failed", "staff_commune", {"user": "staff_commune"}),
                       ("user.login_unknown_name", "?", {}),  # a name that is no account is not kept
                       ("user.login", "staff_commune", {})]


def test_failures_are_rate_limited_but_successes_are_not(app, world):
    app.config["SURVEY_LOGIN_LIMIT"] = app.config["SURVEY_LOGIN_ADDRESS_LIMIT"] = "3 per 5 minutes"
    client = app.test_client()
    for _ in range(5):  # successful logins never count
        assert login(client, "staff_commune").status_code == 302
        client.post("/staff/logout", data={"csrf_token": token(client)})
    for _ in range(3):
        assert login(client, "staff_commune", "wrong-password-1").status_code == 200
    blocked = login(client, "staff_commune")  # even the right password waits now
    assert blocked.status_code == 429 and "Quá nhiều lần thử" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0


def test_failures_from_other_addresses_never_lock_the_owner_out(app, world):
    app.config["SURVEY_LOGIN_LIMIT"] = "2 per 5 minutes"
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        assert [login(client, "admin", "guess-123456").status_code for _ in range(3)] == [200, 200, 429]
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert login(owner, "admin").status_code == 302


def test_colleagues_behind_one_address_are_not_locked_out_by_each_others_typos(app, world):
    app.config["SURVEY_LOGIN_LIMIT"], app.config["SURVEY_LOGIN_ADDRESS_LIMIT"] = "2 per 5 minutes", "5 per 5 minutes"
    office = app.test_client()
    for name in ("staff_commune", "staff_province"):
        for _ in range(2):
            assert login(office, name, "go-nham-123").status_code == 200
    assert login(office, "admin").status_code == 302  # 4 failures from the office: still under 5
    office.post("/staff/logout", data={"csrf_token": token(office)})
    assert login(office, "auditor_province", "go-nham-123").status_code == 200
    assert login(office, "auditor_province").status_code == 429  # the office's 5 failures are spent


def test_session_is_permanent_and_expires(app, world):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=30)
    client = app.test_client()
    response = login(client, "staff_commune")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Expires=" in cookie and "HttpOnly" in cookie
    with client.session_transaction() as session:
        assert session.permanent and session["_user_id"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:x"])
def test_login_never_redirects_off_site(app, world, target):
    client = app.test_client()
    response = client.post("/staff/login", data={"csrf_token": token(client), "username": "admin",
                                                 "password": PASSWORD, "next": target})
    assert response.headers["Location"] == "/staff/"


def test_login_goes_back_to_the_page_asked_for(app, world):
    client = app.test_client()
    asked = client.get("/staff/audit")
    assert asked.status_code == 302 and "next=" in asked.headers["Location"]
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert 'value="/staff/audit"' in page
    response = client.post("/staff/login", data={"csrf_token": token(client), "username": "admin",
                                                 "password": PASSWORD, "next": "/staff/audit"})
    assert response.headers["Location"] == "/staff/audit"


def test_deactivated_user_is_logged_out_and_cannot_log_in(app, as_user, world):
    victim = as_user("staff_commune")
    admin = as_user("admin")
    done = admin.post(f"/staff/users/{world['staff_commune']}/active", data={"csrf_token": token(admin),
                                                                            "active": "0"})
    assert done.status_code == 302
    assert victim.get("/staff/").status_code == 302  # the session no longer loads the user
    assert "không đúng" in login(app.test_client(), "staff_commune").get_data(as_text=True)
    self_lock = admin.post(f"/staff/users/{world['admin']}/active",
                           data={"csrf_token": token(admin), "active": "0"}, follow_redirects=True)
    assert "Không thể tự khóa" in self_lock.get_data(as_text=True)
    with app.app_context():
        assert {e.action for e in db.session.query(AuditEntry)} >= {"user.deactivate"}


def test_admin_resets_a_password(app, as_user, world):
    admin = as_user("admin")
    url = f"/staff/users/{world['auditor_province']}/password"
    weak = admin.post(url, data={"csrf_token": token(admin), "password": "short", "confirm": "short"})
    assert weak.status_code == 422 and "ít nhất 10 ký tự" in weak.get_data(as_text=True)
    done = admin.post(url, data={"csrf_token": token(admin), "password": "Mat-khau-moi-7",
                                 "confirm": "Mat-khau-moi-7"})
    assert done.status_code == 302
    assert login(app.test_client(), "auditor_province", "Mat-khau-moi-7").status_code == 302


def test_users_change_their_own_password_with_the_current_one_and_other_sessions_end(app, as_user, world):
    client, other_device = as_user("auditor_elsewhere"), as_user("auditor_elsewhere")
    new = {"password": "Doi-mat-khau-9", "confirm": "Doi-mat-khau-9"}
    missing = client.post("/staff/password", data={"csrf_token": token(client)} | new)
    assert missing.status_code == 422 and "Mật khẩu hiện tại" in missing.get_data(as_text=True)
    wrong = client.post("/staff/password", data={"csrf_token": token(client), "current": "doan-bua-123"} | new)
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    same = client.post("/staff/password", data={"csrf_token": token(client), "current": PASSWORD,
                                                 "password": PASSWORD, "confirm": PASSWORD})
    assert same.status_code == 422 and "phải khác mật khẩu hiện tại" in same.get_data(as_text=True)
    done = client.post("/staff/password", data={"csrf_token": token(client), "current": PASSWORD} | new)
    assert done.status_code == 302
    assert client.get("/staff/").status_code == 200  # this session goes on
    assert other_device.get("/staff/").status_code == 302  # the other one ends
    assert login(app.test_client(), "auditor_elsewhere", "Doi-mat-khau-9").status_code == 302


def test_a_session_cookie_copied_before_logout_no_longer_works(app, as_user):
    client = as_user("staff_commune")
    assert client.get("/staff/").status_code == 200
    copied = client.get_cookie("session").value
    assert client.post("/staff/logout", data={"csrf_token": token(client)}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert replay.get("/staff/").status_code == 302  # sent to the login page


@pytest.mark.parametrize(("fields", "message"), [
    ({"username": ""}, "Vui lòng điền ô này."),
    ({"password": "abcdefghijk", "confirm": "abcdefghijk"}, "cả chữ và số"),
    ({"confirm": "Khac-mat-khau-1"}, "Hai mật khẩu không giống nhau."),
    ({"unit_code": "123"}, "Mã đơn vị gồm 2 chữ số"),
    ({"unit_code": "99999"}, "Không có đơn vị mã 99999."),
    ({"unit_code": ""}, "phải gắn với một tỉnh hoặc một xã"),
    ({"username": "admin"}, "Tên đăng nhập “admin” đã có."),
    ({"username": "<script>x</script>"}, "Tên đăng nhập chỉ gồm chữ không dấu"),
    ({"username": "nguyễn😀"}, "Tên đăng nhập chỉ gồm chữ không dấu"),
    ({"username": "can bo"}, "Tên đăng nhập chỉ gồm chữ không dấu"),
    ({"username": "x" * 41}, "Tên đăng nhập chỉ gồm chữ không dấu"),
    ({"role": "root"}, "Lựa chọn không hợp lệ."),
])
def test_new_user_validation(app, as_user, fields, message):
    admin = as_user("admin")
    data = {"csrf_token": token(admin), "username": "moi", "role": "staff", "unit_code": "21040",
            "password": "Mat-khau-2027", "confirm": "Mat-khau-2027"} | fields
    page = admin.post("/staff/users/new", data=data)
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)


def test_province_admin_manages_only_non_admins_of_the_province(app, world):
    from .accounts import add_user

    add_user(app, "admin_tinh", "admin", "51")
    client = app.test_client()
    login(client, "admin_tinh")
    listing = client.get("/staff/users").get_data(as_text=True)
    assert "staff_commune" in listing and "staff_elsewhere" not in listing and ">admin<" not in listing
    assert client.get(f"/staff/users/{world['staff_elsewhere']}/password").status_code == 403
    assert client.get(f"/staff/users/{world['admin']}/password").status_code == 403
    data = {"csrf_token": token(client), "username": "canbo2", "password": "Mat-khau-2027",
            "confirm": "Mat-khau-2027"}
    other = client.post("/staff/users/new", data=data | {"role": "staff", "unit_code": "00004"})
    assert other.status_code == 422
    admin = client.post("/staff/users/new", data=data | {"role": "admin", "unit_code": "21040"})
    assert admin.status_code == 422
    inside = client.post("/staff/users/new", data=data | {"role": "staff", "unit_code": "21043"})
    assert inside.status_code == 302


def test_cli_creates_users_with_a_scope(app, runner, world):
    result = runner.invoke(args=["users", "create", "kiemtra2", "--role", "auditor", "--unit", "51",
                                 "--password", "Kiem-tra-2026"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["users", "create", "x", "--role", "staff", "--password", "Kiem-tra-2026"])
    assert bad.exit_code == 1 and "phải gắn với một tỉnh hoặc một xã" in bad.output


def test_passwords_are_stored_as_argon2id_at_the_librarys_cost(monkeypatch):
    from argon2 import PasswordHasher

    from survey_app.services import accounts

    monkeypatch.undo()  # the suite hashes at minimal cost: this test looks at production's hasher
    default = PasswordHasher()
    assert (accounts.hasher.time_cost, accounts.hasher.memory_cost) == (default.time_cost, default.memory_cost)
    assert accounts.hash_password("Mat-khau-2026").startswith("$argon2id$")


def test_cli_resets_passwords_locks_and_lists_accounts(app, runner, world):
    weak = runner.invoke(args=["users", "password", "admin", "--password", "short"])
    assert weak.exit_code == 1 and "ít nhất 10 ký tự" in weak.output
    assert runner.invoke(args=["users", "password", "admin", "--password", "Quan-tri-2027"]).exit_code == 0
    assert login(app.test_client(), "admin", "Quan-tri-2027").status_code == 302
    assert runner.invoke(args=["users", "deactivate", "staff_commune"]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", "nobody"]).exit_code == 1
    listing = runner.invoke(args=["users", "list"]).output
    assert "staff_commune" in listing and "locked" in listing
    with app.app_context():
        actions = [e.action for e in db.session.query(AuditEntry).filter_by(actor_name="cli")]
    assert actions == ["user.password_reset", "user.deactivate"]


def test_an_expired_session_says_so_at_the_login_page(app, as_user):
    client = as_user("staff_commune")
    client.delete_cookie("session")  # what the browser does when the session's lifetime is over
    page = client.get("/staff/audit", follow_redirects=True).get_data(as_text=True)
    assert "Phiên làm việc đã hết hạn hoặc đã kết thúc. Vui lòng đăng nhập lại." in page
    again = client.get("/staff/audit", follow_redirects=True).get_data(as_text=True)
    assert "Vui lòng đăng nhập để tiếp tục." in again and "đã hết hạn" not in again  # said once
    fresh = app.test_client().get("/staff/audit", follow_redirects=True).get_data(as_text=True)
    assert "đã hết hạn" not in fresh
