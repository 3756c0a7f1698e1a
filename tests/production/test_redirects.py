"""Every redirect that follows a ``next`` address stays on this site, whatever the address holds."""
from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from survey_app.web import local_path
from tests.staff.accounts import PASSWORD, add_user, csrf_token

HOST = "survey.test"
FUZZ = settings(max_examples=60)
#: Starts that browsers read as another host or scheme, once they drop tabs and newlines and read "\" as "/".
TRICKS = ["/", "//", "/\\", "\\/", "\\\\", "/\t/", "/\n/", "/\r\n/", " /", " //", "\t//", "/%09/", "/%0a/",
          "/\x00/", "\x7f//", "/\x85/", "https:", "https://", "javascript:", "data:", "HTTP://", "/..//",
          "/./", "///", "/ /", "%2f%2f", "/\u3000/", "/\u202e/"]
NEXT = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.builds(lambda start, host, rest: start + host + rest, st.sampled_from(TRICKS),
              st.sampled_from(["evil.example", "evil.example/phish", "", "@evil.example", "survey.test"]),
              st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)),
)


def assert_stays_here(location: str) -> None:
    """The Location a browser would follow names this host, whatever it does with odd characters."""
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in location), location
    as_a_browser_reads_it = location.replace("\\", "/")
    parts = urlsplit(urljoin(f"http://{HOST}/staff/login", as_a_browser_reads_it))
    assert (parts.scheme, parts.netloc) == ("http", HOST), location


def assert_redirects_here(answer, target: str) -> None:
    """A redirect that stays here, or the plain 400 of any request carrying a NUL character."""
    if "\x00" in target and answer.status_code == 400:
        return
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    assert_stays_here(answer.headers["Location"])


@pytest.mark.parametrize("raw", ["/%09/evil.example/phish", "/%0A/evil.example", "/%0D%0A/evil.example",
                                 "%2F%2Fevil.example", "/%5Cevil.example", "%09//evil.example",
                                 "/%E2%80%A8/evil.example", "/\\evil.example"])
def test_the_reported_language_switch_redirects_stay_on_this_site(client, raw):
    answer = client.get(f"/ngon-ngu/vi?next={raw}")
    assert answer.status_code == 302
    assert_stays_here(answer.headers["Location"])


@FUZZ
@given(target=NEXT, lang=st.sampled_from(["vi", "en", "xx"]))
@example(target="/%09/evil.example/phish", lang="vi")
@example(target="/\t/evil.example", lang="en")
@example(target="/s/ABCD?x=1#top", lang="en")
def test_the_language_switch_never_leaves_the_site_nor_fails(client, target, lang):
    answer = client.get(f"/ngon-ngu/{lang}?next={quote(target, safe='/%:?=&#')}")
    assert_redirects_here(answer, target)


@pytest.fixture
def staff_login(app):
    """A real account, logged in through the form; returns a function posting the login with ``next``."""
    add_user(app, "lanh-dao", "admin", None)

    def log_in(target: str):
        client = app.test_client()
        page = client.get("/staff/login", query_string={"next": target})
        if page.status_code == 400:  # a NUL character: refused before any page
            return page
        assert page.status_code == 200
        return client.post("/staff/login", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                  "username": "lanh-dao", "password": PASSWORD, "next": target})
    return log_in


@FUZZ
@given(target=NEXT)
@example(target="/\t/evil.example")
@example(target="/staff/audit\n")
@example(target="/staff/\r\nSet-Cookie: x=1")
def test_a_login_never_sends_the_user_off_site_nor_fails_after_it_is_committed(staff_login, target):
    assert_redirects_here(staff_login(target), target)


def test_a_login_still_goes_back_to_a_local_page_asked_for(staff_login):
    assert staff_login("/staff/audit?page=2").headers["Location"] == "/staff/audit?page=2"
    assert staff_login("/staff/audit\n").headers["Location"] == "/staff/audit"


@pytest.mark.parametrize("target", [None, "", "staff", "//evil", "/\\evil", "http://x/", "/a\\b", "/" + "a" * 2001])
def test_local_path_refuses_anything_but_a_short_local_path(target):
    assert local_path(target, "/home") == "/home"


def test_local_path_keeps_a_local_path_with_its_query():
    assert local_path("/s/K7PX-3MQD-9T?x=1&y=%2F%2F", "/") == "/s/K7PX-3MQD-9T?x=1&y=%2F%2F"
