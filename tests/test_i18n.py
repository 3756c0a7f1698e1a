"""Catalogs complete and in step with the code, locale selection, and Vietnamese/English formats and pages."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction
from importlib.metadata import entry_points

import pytest
from flask_babel import force_locale
from flask_login import login_user

from survey_app.cli.translate import (
    LOCALES,
    POT,
    SOURCE_LOCALE,
    compile_catalogs,
    extract_pot,
    po_path,
    read_catalog,
    unfinished,
)
from survey_app.extensions import db
from survey_app.formatting import date, datetime, number, percent
from survey_app.i18n_extract import extract_survey_templates, iter_messages, msgid, template_messages
from survey_app.models import Role, Survey, User
from survey_app.survey_templates import DEFAULT_DIR, load_all, templates_dir
from survey_app.web import select_locale, translate_text
from tests.resident import full_answers

FIX = ("run `flask --app wsgi translate update`, translate what `flask --app wsgi translate status --list` "
       "prints in translations/en/LC_MESSAGES/messages.po, then `make translations`")


def ids(catalog) -> set[str]:
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs():
    """Compile the .mo files if a .po changed since (what `make translations` does)."""
    compile_catalogs(stale_only=True)


@pytest.fixture(scope="module")
def catalogs():
    return {locale: read_catalog(po_path(locale), locale) for locale in LOCALES}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_no_untranslated_or_fuzzy_message(catalogs, locale):
    untranslated, fuzzy = unfinished(catalogs[locale])
    assert not untranslated, f"{len(untranslated)} untranslated in {locale}: {untranslated[:20]}; {FIX}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {locale}: {fuzzy[:20]}; review them and drop the fuzzy flag"


def test_vietnamese_is_the_source_language(catalogs):
    catalog = catalogs[SOURCE_LOCALE]
    differing = [m.id for m in catalog if m.id and not m.pluralizable and m.string != m.id]
    assert not differing, f"vi msgstr must repeat the msgid (Vietnamese is the source): {differing[:10]}"


def test_catalogs_compile_without_format_errors(catalogs):
    for locale, catalog in catalogs.items():
        errors = [(message.id, found) for message, found in catalog.check()]
        assert not errors, f"{locale}: {errors[:10]}"


def test_every_message_of_the_code_and_pages_is_in_the_catalogs(tmp_path, catalogs):
    assert extract_pot(tmp_path / "messages.pot") == 0
    extracted = ids(read_catalog(tmp_path / "messages.pot"))
    for locale, catalog in catalogs.items():
        missing = sorted(extracted - ids(catalog))
        assert not missing, f"{len(missing)} messages missing from {locale}: {missing[:20]}; {FIX}"
    assert ids(read_catalog(POT)) >= extracted


def test_the_surveys_extractor_is_registered_for_babel():
    found = {entry.name: entry.value for entry in entry_points(group="babel.extractors")}
    assert found.get("survey_templates") == "survey_app.i18n_extract:extract_survey_templates"


def test_extractor_yields_every_user_visible_string_of_a_template():
    path = templates_dir() / "xa-ntm-2021.yaml"
    with path.open("rb") as fileobj:
        extracted = list(extract_survey_templates(fileobj, {}, ["i18n:"], {}))
    template = load_all()["xa-ntm-2021"]
    assert [(line, text) for line, _, text, _ in extracted] == [
        (line, msgid(text)) for line, text, _ in iter_messages(template)]
    assert all(line > 0 and comments[0].startswith("i18n:") for line, _, _, comments in extracted)
    assert msgid("từ 90% trở lên") == "từ 90%% trở lên"


@pytest.mark.parametrize("key", sorted(load_all()))
def test_no_survey_template_string_escapes_the_catalogs(catalogs, key):
    wanted = {text for _, text, _ in template_messages(templates_dir() / f"{key}.yaml")}
    for locale, catalog in catalogs.items():
        missing = sorted(wanted - ids(catalog))
        assert not missing, f"{key}: {len(missing)} strings not in {locale}: {missing[:5]}; " + FIX


# --- locale selection ------------------------------------------------------------------------------------


@pytest.fixture
def user(app):
    with app.app_context():
        account = User(username="locale-test", password_hash="x", role=Role.ADMIN, unit_code=None,
                       full_name="")
        db.session.add(account)
        db.session.commit()
        return account.id


@pytest.mark.parametrize(
    ("signed_in", "user_locale", "cookie", "accept", "expected"),
    [
        (False, None, None, None, "vi"),
        (False, None, None, "en-US,en;q=0.9", "vi"),  # a resident's phone set to English: still Vietnamese
        (False, None, "en", "vi", "en"),  # unless they pick English with the switcher
        (False, None, "xx", "en", "vi"),
        (True, None, None, "fr-FR,fr;q=0.9", "vi"),
        (True, None, None, "en-US,en;q=0.9", "en"),  # staff: their browser's language
        (True, None, "vi", "en-US,en;q=0.9", "vi"),
        (True, "vi", "en", "en", "vi"),
        (True, "en", None, "vi", "en"),
    ],
)
def test_locale_is_the_users_setting_then_the_switcher_then_a_staff_browser(app, user, signed_in, user_locale,
                                                                            cookie, accept, expected):
    headers = {"Accept-Language": accept} if accept else {}
    if cookie:
        headers["Cookie"] = f"lang={cookie}"
    with app.test_request_context("/", headers=headers):
        if signed_in:
            account = db.session.get(User, user)
            account.locale = user_locale
            login_user(account)
        assert select_locale() == expected


def test_language_switcher_sets_a_cookie_and_returns_to_the_page(client):
    switched = client.get("/ngon-ngu/en", query_string={"next": "/?code="})
    assert switched.status_code == 302 and switched.headers["Location"] == "/?code="
    assert "lang=en" in switched.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    elsewhere = client.get("/ngon-ngu/vi", query_string={"next": "//evil.example/"})
    assert elsewhere.headers["Location"] == "/"
    assert '<html lang="vi">' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switcher_saves_the_setting_of_a_logged_in_user(app, user):
    with app.test_request_context("/ngon-ngu/en"):
        login_user(db.session.get(User, user))
        app.view_functions["set_language"]("en")
        assert db.session.get(User, user).locale == "en"


# --- formats ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "rate", "count", "day", "moment"),
    [
        ("vi", "93,19\u00a0%", "11.683", "07/03/2025", "00:30 08/03/2025"),
        ("en", "93.19%", "11,683", "07/03/2025", "00:30 08/03/2025"),
    ],
)
def test_formats_follow_the_locale(app, locale, rate, count, day, moment):
    with app.test_request_context("/"), force_locale(locale):
        assert percent(Fraction(10888, 11683)) == rate  # 93.1952... shown truncated
        assert number(11683) == count
        huge = number(10**25)  # a count typed by a person: shown, never a 500 (Babel's quantize overflowed)
        assert huge.replace(count[2], "") == "1" + "0" * 25 and huge.count(count[2]) == 8
        assert date(dt.date(2025, 3, 7)) == day
        assert datetime(dt.datetime(2025, 3, 7, 17, 30, tzinfo=dt.UTC)) == moment  # Asia/Ho_Chi_Minh, UTC+7
        assert datetime(dt.datetime(2025, 3, 7, 17, 30)) == moment  # naive values are UTC


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (Fraction(1808, 2009), "89,99\u00a0%", "89.99%"),  # 89.995... must not show as 90,00 %
        (0.29, "29,00\u00a0%", "29.00%"),  # the float 0.29 is 0.28999... in binary
        (Fraction(2, 3), "66,66\u00a0%", "66.66%"),
        (1, "100,00\u00a0%", "100.00%"),
        (0, "0,00\u00a0%", "0.00%"),
        (None, "–", "–"),
    ],
)
def test_percentages_are_truncated_never_rounded_up(app, value, vi, en):
    with app.test_request_context("/"):
        with force_locale("vi"):
            assert percent(value) == vi
        with force_locale("en"):
            assert percent(value) == en


def test_percent_digits(app):
    with app.test_request_context("/"), force_locale("vi"):
        assert percent(Fraction(99999, 100000), digits=1) == "99,9\u00a0%"
        assert percent(Fraction(1, 2), digits=0) == "50\u00a0%"


def test_survey_text_falls_back_to_vietnamese_when_not_in_the_catalog(app):
    with app.test_request_context("/"), force_locale("en"):
        unknown = "Câu này không có trong danh mục: 90% hộ"
        assert translate_text(unknown) == unknown
        assert translate_text("Hài lòng") == "Satisfied"
        assert translate_text("") == ""


# --- pages in both languages (English for residents only by the switcher's cookie) -----------------------


@pytest.mark.parametrize(
    ("accept", "texts"),
    [
        ("vi", ['<html lang="vi">', "Gửi phiếu", "Tiêu chí 1: Quy hoạch", "Xã nông thôn mới (2021–2025)",
                "Ông/Bà có hài lòng với việc lập và thực hiện quy hoạch xây dựng xã không?", ">Hài lòng<"]),
        ("en", ['<html lang="en">', "Submit the form", "Criterion 1: Planning",
                "New rural commune (2021–2025)",
                "Are you satisfied with how the commune&#39;s development plan was drawn up and carried out?",
                ">Satisfied<"]),
    ],
)
def test_phieu_in_vietnamese_and_english(app, client, accept, texts):
    from tests.factories import make_survey

    _, issued = make_survey(app, template="xa-ntm-2021")
    client.set_cookie("lang", accept)
    html = client.get(f"/s/{issued[0].display}").get_data(as_text=True)
    for text in texts:
        assert text in html
    assert "Xã Bình Sơn" in html  # place names stay as they are


@pytest.mark.parametrize(
    ("accept", "texts"),
    [
        ("vi", ["Số biên nhận", "Thời gian ghi nhận", "Xã nông thôn mới (2026–2030) – Xã Bình Sơn"]),
        ("en", ["Receipt number", "Time recorded", "New rural commune (2026–2030) – Xã Bình Sơn"]),
    ],
)
def test_receipt_in_vietnamese_and_english_with_the_time_in_vietnam(app, client, open_survey, accept, texts):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    posted = client.post(url, data=full_answers(client.get(url).get_data(as_text=True)))
    client.set_cookie("lang", accept)
    html = client.get(posted.headers["Location"]).get_data(as_text=True)
    for text in texts:
        assert text in html
    with app.app_context():
        from survey_app.models import Response

        submitted = db.session.execute(db.select(Response.submitted_at)).scalar_one()
    vietnam = dt.timezone(dt.timedelta(hours=7))
    local = submitted.replace(tzinfo=submitted.tzinfo or dt.UTC).astimezone(vietnam)
    assert local.strftime("%H:%M %d/%m/%Y") in html


def test_closed_survey_says_so_in_english_with_the_date(app, client):
    from tests.factories import make_survey

    survey_id, issued = make_survey(app, start=dt.date(2025, 1, 6))
    client.set_cookie("lang", "en")
    page = client.get(f"/s/{issued[0].display}")
    with app.app_context():
        end = db.session.get(Survey, survey_id).end_date
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert f"The survey ended on {end:%d/%m/%Y}, so no more forms are accepted." in html


def test_iter_messages_points_at_the_line_of_each_field():
    template = load_all()["xa-ntm-2026"]
    lines = (DEFAULT_DIR / "xa-ntm-2026.yaml").read_text(encoding="utf-8").splitlines()
    messages = iter_messages(template)
    texts = [text for _line, text, _comment in messages]
    for item in template.items:
        assert item.question in texts and item.criterion in texts
    for line, text, comment in messages:
        assert comment.startswith("i18n: ")
        field, _, value = lines[line - 1].strip().removeprefix("- ").partition(":")
        assert field in comment  # the key's line; a folded text (>-) starts on the next line
        assert text.split()[0] in value + lines[line], (line, text)
