"""The public help center: pages in German and English, drafts hidden, live search, feedback."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from schwarmdesk.knowledge.actions import (
    archive_article,
    create_article,
    delete_article,
    record_feedback,
)
from schwarmdesk.knowledge.models import Article, ArticleFeedback, Category
from schwarmdesk.people.models import Agent

HELP = "/help/"
SEARCH = "/help/search/"
GERMAN = "/help/de/rechnungsadresse-aendern/"
ENGLISH = "/help/en/change-your-billing-address/"
DRAFT = "/help/de/neue-tarife-ab-maerz/"
FEEDBACK = f"{GERMAN}feedback/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def roaming(bob: Agent, billing: Category) -> Article:
    """An English-only article."""
    return create_article(
        bob.user,
        category=billing,
        language="en",
        title="Roaming in the EU",
        body="Roaming in the EU costs **nothing extra**: roam like at home.",
        publish=True,
    )


def page(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.content.decode()


# --- home and categories ---------------------------------------------------------------------


def test_home_lists_categories_with_counts_in_german(
    client: Client, german_article: Article, english_article: Article, roaming: Article
) -> None:
    html = page(client, HELP)

    assert '<h1 id="help-title">Hilfe-Center</h1>' in html
    assert '<label class="help-search__label" for="help-search-input">' in html
    assert f'<form class="help-search" role="search" method="get" action="{SEARCH}">' in html
    assert f'hx-get="{SEARCH}" hx-trigger="input changed delay:300ms, search"' in html
    assert 'src="/static/django_htmx/htmx-2.min.js"' in html
    # a German/English pair counts once; the English-only article counts too
    assert '<a href="/help/categories/rechnung-zahlung/">Rechnung &amp; Zahlung</a>' in html
    assert '<p class="category-card__count">2 Artikel</p>' in html
    assert "Rechnungen und Zahlungsarten." in html
    # popular articles: the German variant, and the English-only one marked as English
    assert f'<a class="article-list__title" href="{GERMAN}" lang="de">' in html
    assert ENGLISH not in html
    assert (
        '<a class="article-list__title" href="/help/en/roaming-in-the-eu/" lang="en">'
        'Roaming in the EU</a>\n    <span class="badge badge--language" lang="en">English</span>'
    ) in html


def test_home_in_english_names_categories_in_english(
    client: Client, german_article: Article, english_article: Article
) -> None:
    html = page(client, HELP, **{"accept-language": "en"})

    assert '<h1 id="help-title">Help center</h1>' in html
    assert '<a href="/help/categories/rechnung-zahlung/">Billing &amp; payment</a>' in html
    assert '<p class="category-card__count">1 article</p>' in html
    assert f'href="{ENGLISH}"' in html
    assert f'href="{GERMAN}"' not in html


def test_home_without_articles_says_so(client: Client, billing: Category) -> None:
    html = page(client, HELP)
    assert "<p>Es gibt noch keine Artikel.</p>" in html
    assert "category-card" not in html


def test_category_page_lists_the_readers_language_first(
    client: Client,
    german_article: Article,
    english_article: Article,
    roaming: Article,
    draft_article: Article,
) -> None:
    html = page(client, "/help/categories/rechnung-zahlung/")

    assert "<h1>Rechnung &amp; Zahlung</h1>" in html
    assert html.index(GERMAN) < html.index("/help/en/roaming-in-the-eu/")
    assert ENGLISH not in html
    assert DRAFT not in html  # drafts are never listed
    assert (
        '<p class="article-list__excerpt" lang="de">Ihre Rechnungsadresse ändern Sie im '
        "Kundenportal Mein Nordlicht. So geht es Anmelden. Persönliche Daten öffnen.</p>"
    ) in html

    english = page(client, "/help/categories/rechnung-zahlung/", **{"accept-language": "en"})
    assert english.index(ENGLISH) < english.index("/help/en/roaming-in-the-eu/")
    assert GERMAN not in english


def test_unknown_category_is_404(client: Client, billing: Category) -> None:
    assert client.get("/help/categories/nichts/").status_code == 404


# --- article page ----------------------------------------------------------------------------


def test_article_page_shows_text_author_date_and_translation(
    client: Client, german_article: Article, english_article: Article
) -> None:
    html = page(client, GERMAN)

    assert '<article class="article" lang="de" aria-labelledby="article-title">' in html
    assert '<h1 id="article-title">Rechnungsadresse ändern</h1>' in html
    assert (
        "<p>Ihre Rechnungsadresse ändern Sie im Kundenportal <strong>Mein Nordlicht</strong>.</p>"
    ) in html
    assert "<h2>So geht es</h2>" in html
    assert '<span class="avatar" aria-hidden="true">AA</span>' in html
    assert "<span>Alice Albers</span>" in html
    assert "Zuletzt aktualisiert <time datetime=" in html
    assert (
        'Auch verfügbar in:\n        <a href="/help/en/change-your-billing-address/" '
        'hreflang="en" lang="en">English</a>'
    ) in html
    assert '<a href="/help/categories/rechnung-zahlung/">Rechnung &amp; Zahlung</a>' in html
    assert '<legend class="feedback__title" id="feedback-title">War dieser Artikel hilfreich?' in (
        html
    )
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'hx-post="{FEEDBACK}" hx-target="#feedback" hx-swap="outerHTML"' in html
    assert '<button class="button" type="submit" name="helpful" value="yes">Ja</button>' in html
    assert "alert--draft" not in html

    english = page(client, ENGLISH, **{"accept-language": "en"})
    assert 'Also available in:\n        <a href="/help/de/rechnungsadresse-aendern/"' in english
    assert 'hreflang="de" lang="de">Deutsch</a>' in english
    assert "Was this article helpful?" in english


def test_article_page_links_related_articles_but_not_itself(
    client: Client,
    alice: Agent,
    billing: Category,
    german_article: Article,
    english_article: Article,
) -> None:
    create_article(
        alice.user,
        category=billing,
        language="de",
        title="Rechnungsadresse für Firmenkunden",
        body="Firmenkunden geben zusätzlich eine Kostenstelle an.",
        publish=True,
    )
    html = page(client, GERMAN)
    related = html[html.index('<section class="related"') :]
    assert 'href="/help/de/rechnungsadresse-fuer-firmenkunden/"' in related
    assert GERMAN not in related
    assert ENGLISH not in related


def test_markdown_with_scripts_renders_inert_on_the_page(
    client: Client, alice: Agent, billing: Category
) -> None:
    create_article(
        alice.user,
        category=billing,
        language="de",
        title="Gefährlich",
        body=(
            '<script>alert("x")</script>\n\n[Klick](javascript:alert(1))\n\n<b onclick="x">fett</b>'
        ),
        publish=True,
    )
    html = page(client, "/help/de/gefaehrlich/")
    body = html[html.index('<div class="article__body prose">') : html.index("</article>")]
    assert "<script" not in body
    assert body == (
        '<div class="article__body prose"><p>&lt;script&gt;alert("x")&lt;/script&gt;</p>\n'
        "<p>[Klick](javascript:alert(1))</p>\n"
        '<p>&lt;b onclick="x"&gt;fett&lt;/b&gt;</p>\n</div>\n  '
    )


@pytest.mark.parametrize("reader", ["anonymous", "customer"])
def test_drafts_and_archived_articles_are_404_for_readers(
    reader: str,
    carol_user: User,
    alice: Agent,
    german_article: Article,
    draft_article: Article,
) -> None:
    client = Client()
    if reader == "customer":
        client.force_login(carol_user)
    assert client.get(DRAFT).status_code == 404
    assert client.post(f"{DRAFT}feedback/", {"helpful": "yes"}).status_code == 404

    archive_article(alice.user, german_article)
    assert client.get(GERMAN).status_code == 404

    delete_article(alice.user, german_article)
    assert client.get(GERMAN).status_code == 404


def test_agents_see_drafts_with_a_banner(
    client: Client, alice: Agent, draft_article: Article, german_article: Article
) -> None:
    client.force_login(alice.user)
    html = page(client, DRAFT)
    assert '<div class="alert alert--draft" role="note">' in html
    assert (
        "<strong>Entwurf</strong> – Nur Agenten sehen diesen Artikel. Leser und die Suche "  # noqa: RUF001
        "finden ihn nicht."
    ) in html
    archive_article(alice.user, german_article)
    assert "<strong>Archiviert</strong>" in page(client, GERMAN)


# --- search ----------------------------------------------------------------------------------


def test_live_search_partial_finds_the_german_article(
    client: Client, german_article: Article, english_article: Article, draft_article: Article
) -> None:
    html = page(client, f"{SEARCH}?q=Rechnungsadresse+ändern", **HTMX)

    assert "<html" not in html  # a fragment for htmx to swap in
    assert html.lstrip().startswith('<p class="help-results__count">')
    assert (
        f'<a class="help-results__title" href="{GERMAN}" lang="de">Rechnungsadresse ändern</a>\n'
        '    <span class="badge badge--language" lang="de">Deutsch</span>'
    ) in html
    assert DRAFT not in html


def test_search_page_without_javascript_is_a_full_page(
    client: Client, german_article: Article
) -> None:
    html = page(client, f"{SEARCH}?q=Rechnungsadresse")

    assert '<html lang="de">' in html
    assert "<h1>Suche</h1>" in html
    assert 'value="Rechnungsadresse"' in html
    assert '<div id="search-results" class="help-results__region" aria-live="polite">' in html
    assert '<p class="help-results__count">1 Artikel zu „Rechnungsadresse“ gefunden</p>' in html
    assert f'href="{GERMAN}"' in html


def test_search_marks_english_hits_for_a_german_query(client: Client, roaming: Article) -> None:
    html = page(client, f"{SEARCH}?q=Roaming+im+Ausland", **HTMX)
    assert (
        '<a class="help-results__title" href="/help/en/roaming-in-the-eu/" lang="en">'
        'Roaming in the EU</a>\n    <span class="badge badge--language" lang="en">English</span>'
    ) in html


def test_search_without_hits_and_without_query(client: Client, german_article: Article) -> None:
    html = page(client, f"{SEARCH}?q=Zeppelin", **HTMX)
    assert '<p class="help-results__count">0 Artikel zu „Zeppelin“ gefunden</p>' in html
    assert "Versuchen Sie andere Wörter" in html
    assert page(client, f"{SEARCH}?q=++", **HTMX).strip() == ""


def test_search_query_is_escaped(client: Client, german_article: Article) -> None:
    html = page(client, f"{SEARCH}?q=<b>x</b>", **HTMX)
    assert "„&lt;b&gt;x&lt;/b&gt;“" in html
    assert "<b>x</b>" not in html


# --- "Was this helpful?" ---------------------------------------------------------------------


def test_feedback_without_javascript_redirects_and_counts_once(
    client: Client, german_article: Article
) -> None:
    # when a visitor answers "Yes" twice
    first = client.post(FEEDBACK, {"helpful": "yes"})
    second = client.post(FEEDBACK, {"helpful": "yes"})

    # then they go back to the article, which thanks them, and one answer is counted
    assert first.status_code == second.status_code == 302
    assert first["Location"] == f"{GERMAN}#feedback"
    german_article.refresh_from_db()
    assert (german_article.helpful_yes, german_article.helpful_no) == (1, 0)
    html = page(client, GERMAN)
    assert "Vielen Dank für Ihr Feedback!" in html
    assert "Schön, dass der Artikel geholfen hat." in html
    assert "War dieser Artikel hilfreich?" not in html

    # and another visitor still gets the question
    assert "War dieser Artikel hilfreich?" in page(Client(), GERMAN)


def test_feedback_with_htmx_swaps_in_the_thanks_and_asks_what_was_missing(
    client: Client, german_article: Article
) -> None:
    response = client.post(FEEDBACK, {"helpful": "no"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="feedback" id="feedback"')
    assert "Schade, dass der Artikel nicht geholfen hat." in html
    assert '<label for="feedback-comment">Was hat gefehlt? (freiwillig)</label>' in html

    done = client.post(FEEDBACK, {"helpful": "no", "comment": "Wo finde ich das?"}, headers=HTMX)
    thanks = "Danke – wir verbessern den Artikel mit Ihrem Hinweis."  # noqa: RUF001
    assert thanks in done.content.decode()
    feedback = ArticleFeedback.objects.get()
    assert (feedback.is_helpful, feedback.comment) == (False, "Wo finde ich das?")
    german_article.refresh_from_db()
    assert (german_article.helpful_yes, german_article.helpful_no) == (0, 1)


def test_feedback_needs_post_csrf_and_a_valid_answer(german_article: Article) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.get(FEEDBACK).status_code == 405
    assert client.post(FEEDBACK, {"helpful": "yes"}).status_code == 403
    assert Client().post(FEEDBACK, {"helpful": "maybe"}).status_code == 400
    assert ArticleFeedback.objects.count() == 0


def test_a_logged_in_readers_feedback_is_remembered_across_sessions(
    carol_user: User, german_article: Article
) -> None:
    record_feedback(carol_user, german_article, is_helpful=True)
    client = Client()
    client.force_login(carol_user)
    assert "Schön, dass der Artikel geholfen hat." in page(client, GERMAN)
