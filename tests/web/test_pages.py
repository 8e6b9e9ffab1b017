"""The web skeleton: landing page, language switch, login and logout, and the German catalog."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import translation
from pytest_django import Settings

from schwarmdesk.channels.kinds import ChannelKind
from schwarmdesk.conversations.models import Conversation, Priority, Visibility
from schwarmdesk.people.models import Agent, Customer

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "schwarmdesk"
GERMAN_CATALOG = PACKAGE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.po"


def german_catalogs() -> list[Path]:
    """The project catalog and every app's own one (``schwarmdesk/<app>/locale/de/...``)."""
    return sorted(PACKAGE_DIR.rglob("locale/de/LC_MESSAGES/django.po"))


HOME = "/"
LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
SET_LANGUAGE = "/i18n/setlang/"
INBOX = "/inbox/"
HELP_CENTER = "/help/"
COMMUNITY = "/community/"
SIGNUP = "/accounts/signup/"
MY_QUESTIONS = "/community/mine/"

GERMAN_HEADING = '<h1 id="hero-title">Kundenservice, gemeinsam</h1>'
ENGLISH_HEADING = '<h1 id="hero-title">Customer service, together</h1>'


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value or "" for name, value in attrs if name == "href")


def link_targets(html: str) -> list[str]:
    collector = _LinkCollector()
    collector.feed(html)
    return collector.hrefs


# --- landing page and language ---------------------------------------------------------------


@pytest.mark.django_db
def test_landing_page_is_german_by_default(client: Client) -> None:
    # given a visitor whose browser states no language preference
    # when they open the landing page
    response = client.get(HOME)

    # then it is served in German, with the German product pitch
    assert response.status_code == 200
    html = response.content.decode()
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in html
    assert GERMAN_HEADING in html
    assert ENGLISH_HEADING not in html
    assert '<a class="skip-link" href="#main">Zum Hauptinhalt springen</a>' in html
    assert '<main id="main" class="container site-main" tabindex="-1">' in html


@pytest.mark.django_db
def test_landing_page_is_english_for_accept_language_en(client: Client) -> None:
    # given a browser that prefers English
    # when it opens the landing page
    response = client.get(HOME, headers={"accept-language": "en"})

    # then the page is English
    assert response.status_code == 200
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert ENGLISH_HEADING in html
    assert GERMAN_HEADING not in html
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html


@pytest.mark.django_db
def test_language_switch_form_offers_both_languages(client: Client) -> None:
    # given the landing page in German
    html = client.get(HOME).content.decode()

    # then the switch posts to set_language, comes back to this page and marks German as current
    assert f'<form class="language-switch" method="post" action="{SET_LANGUAGE}">' in html
    assert '<input type="hidden" name="next" value="/">' in html
    assert (
        '<button class="language-switch__option" type="submit" name="language" value="de" '
        'lang="de" aria-current="true">Deutsch</button>'
    ) in html
    assert (
        '<button class="language-switch__option" type="submit" name="language" value="en" '
        'lang="en">English</button>'
    ) in html


@pytest.mark.django_db
def test_set_language_switches_to_english_and_back(client: Client) -> None:
    # given a visitor on the German landing page
    assert GERMAN_HEADING in client.get(HOME).content.decode()

    # when they choose English in the language switch
    response = client.post(SET_LANGUAGE, {"language": "en", "next": HOME})

    # then they are sent back to the page they came from, which is now English
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.cookies["django_language"].value == "en"
    html = client.get(HOME).content.decode()
    assert '<html lang="en">' in html
    assert ENGLISH_HEADING in html

    # when they choose German again, the page is German again
    client.post(SET_LANGUAGE, {"language": "de", "next": HOME})
    assert GERMAN_HEADING in client.get(HOME).content.decode()


@pytest.mark.django_db
def test_set_language_ignores_a_foreign_next_url(client: Client) -> None:
    # when the switch is posted with a next URL on another host
    response = client.post(SET_LANGUAGE, {"language": "en", "next": "https://evil.example.com/"})

    # then Django refuses the open redirect and goes home instead
    assert response.status_code == 302
    assert response["Location"] == HOME


@pytest.mark.django_db
def test_landing_page_links_only_to_pages_that_exist(client: Client) -> None:
    # given an anonymous visitor
    # when they open the landing page
    html = client.get(HOME).content.decode()

    # then the community and the help center are open to everyone; the inbox leads to the login
    assert link_targets(html) == [
        "#main",
        HOME,
        COMMUNITY,
        HELP_CENTER,
        f"{LOGIN}?next={HOME}",
        SIGNUP,
        COMMUNITY,
        HELP_CENTER,
        f"{LOGIN}?next={INBOX}",
    ]
    assert html.count('<span class="badge">In Vorbereitung</span>') == 0
    assert '<h3 class="card__title">Community</h3>' in html
    assert '<h3 class="card__title">Hilfe-Center</h3>' in html
    assert f'<a class="button" href="{HELP_CENTER}">Hilfe-Center öffnen</a>' in html
    assert f'<a class="button" href="{COMMUNITY}">Community öffnen</a>' in html


@pytest.mark.django_db
def test_inbox_card_links_staff_to_the_agent_inbox(client: Client, alice: Agent) -> None:
    # given a logged-in agent (agents are staff)
    client.force_login(alice.user)

    # when they open the landing page
    html = client.get(HOME).content.decode()

    # then the inbox card opens the agent inbox and the header offers the admin
    assert link_targets(html) == [
        "#main",
        HOME,
        COMMUNITY,
        HELP_CENTER,
        "/admin/",
        MY_QUESTIONS,
        COMMUNITY,
        HELP_CENTER,
        INBOX,
    ]
    assert f'<a class="button" href="{INBOX}">Posteingang öffnen</a>' in html


@pytest.mark.django_db
def test_inbox_card_tells_non_staff_users_it_is_for_agents(client: Client) -> None:
    # given a logged-in user who is not an agent
    user = User.objects.create_user(username="carol", password="carol-password")
    client.force_login(user)

    # when they open the landing page
    html = client.get(HOME).content.decode()

    # then nothing links to the inbox or the admin
    assert link_targets(html) == [
        "#main",
        HOME,
        COMMUNITY,
        HELP_CENTER,
        MY_QUESTIONS,
        COMMUNITY,
        HELP_CENTER,
    ]
    assert '<span class="account__name">carol</span>' in html
    assert "Nur Service-Mitarbeiter können den Posteingang öffnen." in html


@pytest.mark.django_db
def test_demo_banner_only_in_demo_mode(client: Client, settings: Settings) -> None:
    banner = "Dies ist eine Demonstration mit Beispieldaten."

    # given the test settings (development mode), there is no banner
    assert banner not in client.get(HOME).content.decode()

    # given demo mode, every page carries the banner
    settings.MODE = "demo"
    assert banner in client.get(HOME).content.decode()
    assert banner in client.get(LOGIN).content.decode()


@pytest.mark.parametrize("name", ["schwarmdesk/app.css", "schwarmdesk/favicon.svg"])
def test_static_files_are_found(name: str) -> None:
    # the base template links them; staticfiles (and WhiteNoise) must find them in our package
    assert finders.find(name) == str(PACKAGE_DIR / "static" / name)


# --- login and logout ------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_renders_labelled_fields_and_next(client: Client) -> None:
    # when a visitor opens the login page on their way to the inbox
    response = client.get(LOGIN, {"next": INBOX})

    # then the form has labelled fields, the CSRF token and the next URL
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="login-title">Anmelden</h1>' in html
    assert '<label for="id_username">Benutzername</label>' in html
    assert '<label for="id_password">Passwort</label>' in html
    assert 'id="id_username" value="" maxlength="150" autocomplete="username"' in html
    assert 'autocomplete="current-password" required>' in html
    assert f'<input type="hidden" name="next" value="{INBOX}">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'role="alert"' not in html


@pytest.mark.django_db
def test_login_with_a_wrong_password_shows_the_error(client: Client, alice: Agent) -> None:
    # when an agent types a wrong password
    response = client.post(LOGIN, {"username": "alice", "password": "wrong", "next": HOME})

    # then the form comes back with the translated error, the user name kept, nobody logged in
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="alert alert--error" role="alert" id="login-errors">' in html
    assert (
        "<p>Bitte Benutzername und Passwort eingeben. Beide Felder berücksichtigen die "
        "Groß-/Kleinschreibung.</p>"
    ) in html
    assert 'value="alice"' in html
    assert 'aria-describedby="login-errors"' in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_with_empty_fields_marks_them_invalid(client: Client) -> None:
    # when the form is sent empty (the form has novalidate: the server checks)
    html = client.post(LOGIN, {"username": "", "password": ""}).content.decode()

    # then each field says what is wrong and is linked to its message
    assert 'aria-invalid="true" aria-describedby="username-errors"' in html
    assert 'aria-invalid="true" aria-describedby="password-errors"' in html
    assert html.count("<li>Dieses Feld ist zwingend erforderlich.</li>") == 2
    assert "<p>Bitte korrigieren Sie die Fehler unten.</p>" in html


@pytest.mark.django_db
def test_staff_agent_logs_in_and_sees_name_and_logout_button(client: Client, alice: Agent) -> None:
    # given agent Alice on the login page
    # when she logs in
    response = client.post(LOGIN, {"username": "alice", "password": "alice-password", "next": HOME})

    # then she is sent to the landing page, which shows her name, initials and a logout button
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.session["_auth_user_id"] == str(alice.user.pk)
    html = client.get(HOME).content.decode()
    assert '<span class="avatar" aria-hidden="true">AA</span>' in html
    assert '<span class="account__name">Alice Albers</span>' in html
    assert f'<form class="inline-form" method="post" action="{LOGOUT}">' in html
    assert '<button class="button button--quiet" type="submit">Abmelden</button>' in html
    assert '<a class="site-nav__link" href="/admin/">Verwaltung</a>' in html
    assert f'href="{LOGIN}' not in html


@pytest.mark.django_db
def test_logout_needs_post_and_ends_the_session(client: Client, alice: Agent) -> None:
    # given Alice is logged in
    client.force_login(alice.user)

    # when something tries to log her out with a GET (a link, an image), nothing happens
    assert client.get(LOGOUT).status_code == 405
    assert client.session["_auth_user_id"] == str(alice.user.pk)

    # when she presses the logout button
    response = client.post(LOGOUT)

    # then she is logged out and back on the landing page, which offers the login again
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert "_auth_user_id" not in client.session
    html = client.get(HOME).content.decode()
    assert "Alice Albers" not in html
    assert f'<a class="site-nav__link" href="{LOGIN}?next={HOME}">Anmelden</a>' in html


# --- translations ----------------------------------------------------------------------------


def _compiled(catalog: polib.POFile | polib.MOFile) -> dict[tuple[str, str], tuple[str, ...]]:
    """The entries a .mo carries: translated, neither fuzzy nor obsolete; plus the header."""
    entries = {
        ("", ""): tuple(f"{name}: {value}" for name, value in sorted(catalog.metadata.items()))
    }
    for entry in catalog.translated_entries():
        key = (entry.msgctxt or "", entry.msgid)
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            entries[key] = (entry.msgid_plural, *(forms[index] for index in sorted(forms)))
        else:
            entries[key] = (entry.msgstr,)
    return entries


def test_translations_compiled() -> None:
    # given every catalog in the package
    catalogs = sorted(PACKAGE_DIR.rglob("locale/*/LC_MESSAGES/django.po"))
    assert GERMAN_CATALOG in catalogs

    for po_path in catalogs:
        # when it is compiled in memory and compared with the committed .mo
        mo_path = po_path.with_suffix(".mo")
        assert mo_path.exists(), f"{mo_path} is missing: run scripts/compile_translations.py"
        expected = _compiled(polib.pofile(str(po_path)))
        committed = _compiled(polib.mofile(str(mo_path)))

        # then they carry the same translations
        assert committed == expected, f"{mo_path} is stale: run scripts/compile_translations.py"


TRANSLATE_TAG = re.compile(r"""\{%\s*translate\s+(?P<quote>["'])(?P<msgid>.*?)(?P=quote)""")
BLOCKTRANSLATE_TAG = re.compile(
    r"\{%\s*blocktranslate(?P<options>[^%]*)%\}(?P<body>.*?)\{%\s*endblocktranslate\s*%\}",
    re.DOTALL,
)
TEMPLATE_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def template_msgids() -> set[str]:
    """Every msgid in {% translate %} and simple {% blocktranslate %} tags of our templates."""
    msgids: set[str] = set()
    for template in sorted(PACKAGE_DIR.rglob("templates/**/*.html")):
        source = template.read_text(encoding="utf-8")
        msgids.update(match["msgid"] for match in TRANSLATE_TAG.finditer(source))
        for match in BLOCKTRANSLATE_TAG.finditer(source):
            assert "trimmed" not in match["options"], "extend template_msgids() for trimmed"
            singular = re.split(r"\{%\s*plural\s*%\}", match["body"])[0]  # the msgid
            msgids.add(TEMPLATE_VARIABLE.sub(r"%(\1)s", singular))
    return msgids


def test_every_template_string_has_a_german_translation() -> None:
    # given the strings our templates mark for translation
    msgids = template_msgids()
    assert "Customer service, together" in msgids
    assert "Schwarmdesk %(version)s · open-source customer service, licensed under Apache-2.0" in (
        msgids
    )

    # when they are looked up in the German catalogs (the project's and the apps' own)
    translations = {
        entry.msgid: entry
        for path in german_catalogs()
        for entry in polib.pofile(str(path))
        if not entry.obsolete
    }

    # then each one has a German translation that is neither empty nor fuzzy
    missing = sorted(msgid for msgid in msgids if msgid not in translations)
    untranslated = sorted(
        msgid for msgid in msgids if msgid in translations and not translations[msgid].translated()
    )
    assert missing == []
    assert untranslated == []


def test_german_catalog_is_complete() -> None:
    # given the German catalogs (they also hold the models' verbose names and choices)
    catalogs = german_catalogs()
    assert GERMAN_CATALOG in catalogs

    for path in catalogs:
        catalog = polib.pofile(str(path))
        # then no entry is left untranslated or fuzzy
        assert [entry.msgid for entry in catalog.untranslated_entries()] == [], path
        assert [entry.msgid for entry in catalog.fuzzy_entries()] == [], path


def test_models_and_channels_speak_german_at_run_time() -> None:
    # when Django renders verbose names and choices in German, it finds them in our .mo
    with translation.override("de"):
        assert str(Conversation._meta.verbose_name_plural) == "Anliegen"
        assert str(Agent._meta.verbose_name_plural) == "Agenten"
        assert str(Customer._meta.get_field("note").verbose_name) == "Notiz für Agenten"
        assert str(Visibility.INTERNAL.label) == "interne Notiz"
        assert str(Priority.URGENT.label) == "dringend"
        assert str(ChannelKind.WEB_FORM.label) == "Webformular"
    with translation.override("en"):
        assert str(Conversation._meta.verbose_name_plural) == "conversations"
        assert str(ChannelKind.WEB_FORM.label) == "Web form"
