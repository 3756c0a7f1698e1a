"""Logins: what the audit log keeps of a failure, and throttles that no one can turn against another user."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.extensions import db
from survey_app.models import AuditEntry
from tests.production.helpers import all_cells

from .accounts import PASSWORD, login


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _audit(app, action: str) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.actor_name, e.details) for e in db.session.query(AuditEntry).filter_by(action=action)
                .order_by(AuditEntry.id)]


@settings(max_examples=25)
@given(typed=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=4, max_size=60)
       .filter(lambda text: text.strip() and len(text.strip()) >= 4))
def test_a_name_that_is_no_account_is_never_kept(app, world, typed):
    secret = "Mk-" + typed.strip()  # a password typed into the name box, say
    assert login(_client(app, "10.1.0.1"), secret, "whatever-1234").status_code == 200
    assert not any(secret.lower() in cell.lower() for cell in all_cells(app) if cell)
    assert _audit(app, "user.login_unknown_name")[-1] == ("?", {})


def test_a_failure_against_a_real_account_names_the_account_not_what_was_typed(app, world):
    assert login(_client(app, "10.1.0.2"), "  Staff_Commune ", "Mat-khau-sai-99").status_code == 200
    assert _audit(app, "user.login_failed") == [("staff_commune", {"user": "staff_commune"})]
    assert not any("Mat-khau-sai-99" in cell for cell in all_cells(app))


def test_a_name_at_one_address_gets_the_limit_then_waits_with_the_right_password_too(app, world):
    app.config["SURVEY_LOGIN_LIMIT"] = "3 per 5 minutes"
    guesser = _client(app, "10.2.0.1")
    assert [login(guesser, "admin", f"guess-{n}-xyz").status_code for n in range(3)] == [200, 200, 200]
    refused = login(guesser, "admin")  # the right password learns nothing now
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 300
    html = refused.get_data(as_text=True)
    assert "Quá nhiều lần thử đăng nhập sai" in html and "5 phút" in html and "bạn" not in html
    assert login(guesser, "staff_commune").status_code == 302  # another account from there still works
    assert login(_client(app, "10.2.0.2"), "admin").status_code == 302  # the owner, from elsewhere


def test_names_that_exist_and_names_that_do_not_are_throttled_alike(app, world):
    app.config["SURVEY_LOGIN_LIMIT"] = "2 per 5 minutes"
    for name in ("admin", "no-such-user"):
        client = _client(app, "10.3.0.1")
        assert [login(client, name, "guess-123456").status_code for _ in range(3)] == [200, 200, 429], name


def test_a_lockout_is_audited_once_per_window_without_the_address(app, world):
    app.config["SURVEY_LOGIN_LIMIT"] = "2 per 5 minutes"
    client = _client(app, "192.0.2.77")
    statuses = [login(client, "auditor_province", "guess-123456").status_code for _ in range(5)]
    assert statuses == [200, 200, 429, 429, 429]
    entries = _audit(app, "user.locked_out")
    assert len(entries) == 1
    actor, details = entries[0]
    assert actor == "auditor_province" and details["user"] == "auditor_province"
    assert details["limit"] == "name_at_address" and 0 < details["seconds"] <= 300
    assert not any("192.0.2.77" in cell for cell in all_cells(app))


def test_an_address_spraying_names_is_stopped_but_other_addresses_are_not(app, world):
    app.config["SURVEY_LOGIN_ADDRESS_LIMIT"] = "4 per 5 minutes"
    sprayer = _client(app, "10.4.0.1")
    names = ["admin", "staff_commune", "staff_province", "nobody", "auditor_province"]
    assert [login(sprayer, name, "Spring-2026").status_code for name in names] == [200] * 4 + [429]
    assert _audit(app, "user.locked_out")[-1][1]["limit"] == "address"
    assert login(_client(app, "10.4.0.2"), "staff_province").status_code == 302


def test_ipv6_clients_are_counted_by_their_64_network(app, world):
    app.config["SURVEY_LOGIN_LIMIT"] = "2 per 5 minutes"
    statuses = [login(_client(app, f"2001:db8:1:2::{n:x}"), "admin", "guess-123456").status_code
                for n in range(1, 4)]
    assert statuses == [200, 200, 429]
    assert login(_client(app, "2001:db8:1:3::1"), "admin").status_code == 302


def test_logout_is_audited(app, world):
    from .accounts import token

    client = _client(app, "10.5.0.1")
    assert login(client, "staff_commune").status_code == 302
    client.post("/staff/logout", data={"csrf_token": token(client)})
    assert _audit(app, "user.logout") == [("staff_commune", {})]
    assert login(client, "staff_commune", PASSWORD).status_code == 302
