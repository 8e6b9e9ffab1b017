"""Articles: versions, translations, publishing and the search index, permissions, feedback,
and Markdown that stays inert."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction

from schwarmdesk.core.errors import Conflict, DomainError, Invalid, NotFound
from schwarmdesk.core.markdown import markdown_to_text, render_markdown
from schwarmdesk.knowledge.actions import (
    access_article,
    archive_article,
    create_article,
    delete_article,
    make_slug,
    publish_article,
    record_feedback,
    unpublish_article,
    update_article,
)
from schwarmdesk.knowledge.models import Article, ArticleFeedback, ArticleVersion, Category
from schwarmdesk.people.actions import Actor
from schwarmdesk.people.models import Agent
from schwarmdesk.search.models import SearchDocument
from schwarmdesk.search.queries import search


def article_hits(text: str, reader: Actor = None) -> list[tuple[int, str, str]]:
    return [
        (hit.object_id, hit.title, hit.language) for hit in search(reader, text, kinds=("article",))
    ]


def index_row(article: Article) -> SearchDocument | None:
    return SearchDocument.objects.filter(kind="article", object_id=article.pk).first()


# --- writing, versions and addresses ---------------------------------------------------------


def test_a_new_article_has_version_one_and_an_ascii_address(
    alice: Agent, billing: Category
) -> None:
    # when Alice writes a draft
    article = create_article(
        alice.user,
        category=billing,
        language="de",
        title="  Rechnungsadresse   ändern ",
        body="Im Kundenportal.\r\n",
    )

    # then it is a draft with one version, by her, at a German address without umlauts
    assert (article.status, article.title, article.body) == (
        "draft",
        "Rechnungsadresse ändern",
        "Im Kundenportal.",
    )
    assert article.slug == "rechnungsadresse-aendern"
    assert article.get_absolute_url() == "/help/de/rechnungsadresse-aendern/"
    assert article.author == alice
    assert article.published_at is None
    assert list(article.versions.values_list("number", "title", "author")) == [
        (1, "Rechnungsadresse ändern", alice.pk)
    ]
    assert article.current_version == article.versions.get()
    assert index_row(article) is None


def test_updates_add_versions_and_keep_the_address(
    alice: Agent, bob: Agent, german_article: Article
) -> None:
    # when Alice and then Bob edit the article
    update_article(
        alice.user,
        german_article,
        title="Rechnungsadresse ändern",
        body="Neuer Text.",
        change_note="Text gekürzt",
    )
    article = update_article(
        bob.user,
        german_article,
        title="Rechnungsanschrift ändern",
        body="Neuer Text.",
        change_note="  Titel   angepasst ",
    )

    # then there are three versions, newest first, and the article shows the newest
    assert list(article.versions.values_list("number", "title", "change_note", "author")) == [
        (3, "Rechnungsanschrift ändern", "Titel angepasst", bob.pk),
        (2, "Rechnungsadresse ändern", "Text gekürzt", alice.pk),
        (1, "Rechnungsadresse ändern", "", alice.pk),
    ]
    assert article.current_version is not None
    assert article.current_version.number == 3
    stored = Article.objects.get(pk=german_article.pk)
    assert (stored.title, stored.body, stored.slug) == (
        "Rechnungsanschrift ändern",
        "Neuer Text.",
        "rechnungsadresse-aendern",
    )
    assert stored.author == alice  # the author stays; versions record who changed what


def test_an_update_without_changes_writes_no_version(alice: Agent, german_article: Article) -> None:
    update_article(alice.user, german_article, title=german_article.title, body=german_article.body)
    assert german_article.versions.count() == 1


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("   ", "Text", "needs a title"),
        ("Titel", " \n ", "needs a text"),
        ("x" * 201, "T", "at most"),
    ],
)
def test_empty_or_oversized_input_is_refused(
    alice: Agent, billing: Category, title: str, body: str, message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        create_article(alice.user, category=billing, language="de", title=title, body=body)
    assert Article.objects.count() == 0


def test_an_unknown_language_is_refused(alice: Agent, billing: Category) -> None:
    with pytest.raises(Invalid, match="language"):
        create_article(alice.user, category=billing, language="fr", title="Titre", body="Texte")
    assert Article.objects.count() == 0


def test_addresses_are_unique_per_language(alice: Agent, billing: Category) -> None:
    def write(language: str) -> str:
        return create_article(
            alice.user, category=billing, language=language, title="Router", body="Text"
        ).slug

    assert [write("de"), write("de"), write("en"), write("de")] == [
        "router",
        "router-2",
        "router",
        "router-3",
    ]
    assert make_slug("Größe & Maße: Übersicht!") == "groesse-masse-uebersicht"
    assert make_slug("???") == "article"


# --- translations ----------------------------------------------------------------------------


def test_a_translation_shares_the_group_of_its_original(
    german_article: Article, english_article: Article
) -> None:
    assert english_article.translation_group == german_article.translation_group
    assert english_article.slug == "change-your-billing-address"
    other = Article.objects.exclude(translation_group=german_article.translation_group)
    assert other.count() == 0


def test_a_second_variant_in_the_same_language_is_refused(
    bob: Agent, billing: Category, german_article: Article, english_article: Article
) -> None:
    # when Bob writes another English variant of the same article
    with pytest.raises(Conflict, match="already has a variant"):
        create_article(
            bob.user,
            category=billing,
            language="en",
            title="Update your billing address",
            body="Text",
            translation_of=german_article,
        )

    # then nothing was stored
    assert Article.objects.count() == 2
    assert ArticleVersion.objects.count() == 2


def test_the_database_allows_one_article_per_group_and_language(
    german_article: Article,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(
            category=german_article.category,
            language="de",
            translation_group=german_article.translation_group,
            slug="ein-anderer-text",
            title="Ein anderer Text",
            body="Text",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(
            category=german_article.category,
            language="de",
            slug=german_article.slug,
            title="Gleiche Adresse",
            body="Text",
        )
    assert Article.objects.count() == 1


# --- publishing and the search index ---------------------------------------------------------


def test_publishing_makes_the_article_findable_by_its_title(
    alice: Agent, draft_article: Article
) -> None:
    # given a draft, which search does not know
    assert article_hits("Neue Tarife") == []

    # when it is published
    article = publish_article(alice.user, draft_article)

    # then everybody finds it, and its index entry holds plain text and the category
    assert article.status == "published"
    assert article.published_at is not None
    assert article_hits("Neue Tarife") == [(article.pk, "Neue Tarife ab März", "de")]
    row = index_row(article)
    assert row is not None
    assert (row.audience, row.language, row.category, row.url) == (
        "public",
        "de",
        "rechnung-zahlung",
        "/help/de/neue-tarife-ab-maerz/",
    )
    assert row.body == "Ab März gibt es Flex XL."


def test_an_update_of_a_published_article_is_found_by_its_new_title(
    alice: Agent, german_article: Article
) -> None:
    update_article(alice.user, german_article, title="Anschrift für Rechnungen", body="Text")
    assert article_hits("Anschrift") == [(german_article.pk, "Anschrift für Rechnungen", "de")]


@pytest.mark.parametrize("hide", [archive_article, unpublish_article, delete_article])
def test_archived_unpublished_or_deleted_articles_are_not_found(
    alice: Agent, german_article: Article, hide: Callable[[Actor, Article], Article]
) -> None:
    # given a published article that search finds
    assert article_hits("Rechnungsadresse") == [
        (german_article.pk, "Rechnungsadresse ändern", "de")
    ]

    # when it is archived, unpublished or deleted
    hide(alice.user, german_article)

    # then neither readers nor agents find it in search
    assert article_hits("Rechnungsadresse") == []
    assert article_hits("Rechnungsadresse", alice.user) == []
    assert index_row(german_article) is None


def test_deleting_removes_versions_and_feedback(alice: Agent, german_article: Article) -> None:
    record_feedback("session-1", german_article, is_helpful=True)
    update_article(alice.user, german_article, title="Neu", body="Neu")

    deleted = delete_article(alice.user, german_article)

    assert deleted.pk is None
    assert Article.objects.count() == 0
    assert ArticleVersion.objects.count() == 0
    assert ArticleFeedback.objects.count() == 0


def test_republishing_keeps_the_first_publication_date(
    alice: Agent, german_article: Article
) -> None:
    first = german_article.published_at
    archive_article(alice.user, german_article)
    article = publish_article(alice.user, german_article)
    assert article.published_at == first
    assert article_hits("Rechnungsadresse") == [(article.pk, "Rechnungsadresse ändern", "de")]


# --- who may do what -------------------------------------------------------------------------

READERS = ["anonymous", "customer", "agent"]


def actor_for(name: str, *, carol_user: User, bob: Agent) -> Actor:
    actors: dict[str, Actor] = {
        "anonymous": AnonymousUser(),
        "customer": carol_user,
        "agent": bob.user,
    }
    return actors[name]


@pytest.mark.parametrize("reader", READERS)
def test_who_may_see_a_draft(
    reader: str, carol_user: User, bob: Agent, draft_article: Article
) -> None:
    actor = actor_for(reader, carol_user=carol_user, bob=bob)
    if reader == "agent":
        assert access_article(actor, draft_article.pk) == draft_article
    else:
        with pytest.raises(NotFound):
            access_article(actor, draft_article.pk)


@pytest.mark.parametrize("reader", READERS)
def test_everyone_sees_a_published_article(
    reader: str, carol_user: User, bob: Agent, german_article: Article
) -> None:
    actor = actor_for(reader, carol_user=carol_user, bob=bob)
    assert access_article(actor, german_article.pk) == german_article


def _create(actor: Actor, article: Article) -> object:
    return create_article(actor, category=article.category, language="en", title="New", body="New")


def _update(actor: Actor, article: Article) -> object:
    return update_article(actor, article, title="Changed", body="Changed")


def _publish(actor: Actor, article: Article) -> object:
    return publish_article(actor, article)


def _delete(actor: Actor, article: Article) -> object:
    return delete_article(actor, article)


WRITES: dict[str, tuple[Callable[[Actor, Article], object], type[DomainError]]] = {
    "create": (_create, Invalid),
    "update": (_update, NotFound),
    "publish": (_publish, NotFound),
    "delete": (_delete, NotFound),
}


@pytest.mark.parametrize("operation", list(WRITES))
@pytest.mark.parametrize("reader", READERS)
def test_only_agents_write_articles(
    reader: str, operation: str, carol_user: User, bob: Agent, draft_article: Article
) -> None:
    # given a draft by Bob and a snapshot of everything a write could change
    action, refusal = WRITES[operation]
    actor = actor_for(reader, carol_user=carol_user, bob=bob)

    def snapshot() -> list[tuple[object, ...]]:
        return [
            *Article.objects.values_list("pk", "title", "status").order_by("pk"),
            *ArticleVersion.objects.values_list("pk", "number").order_by("pk"),
            *SearchDocument.objects.values_list("pk", "title").order_by("pk"),
        ]

    before = snapshot()

    if reader == "agent":
        # then an agent (even one who did not write it) may do it
        action(actor, draft_article)
        assert snapshot() != before
    else:
        # then anybody else is refused and nothing changed
        with pytest.raises(refusal):
            action(actor, draft_article)
        assert snapshot() == before


def test_an_inactive_agent_writes_nothing(bob: Agent, draft_article: Article) -> None:
    User.objects.filter(pk=bob.user.pk).update(is_active=False)
    bob.user.refresh_from_db()
    with pytest.raises(NotFound):
        publish_article(bob.user, draft_article)
    assert Article.objects.get(pk=draft_article.pk).status == "draft"


# --- "Was this helpful?" ---------------------------------------------------------------------


def counters(article: Article) -> tuple[int, int]:
    article.refresh_from_db(fields=["helpful_yes", "helpful_no"])
    return article.helpful_yes, article.helpful_no


def quality(article: Article) -> float:
    row = index_row(article)
    assert row is not None
    return row.quality


def test_feedback_counts_once_per_session_and_moves_the_quality(
    german_article: Article,
) -> None:
    assert quality(german_article) == 0.0

    # when one session says "yes" twice, and another "yes" once
    record_feedback("session-a", german_article, is_helpful=True)
    record_feedback("session-a", german_article, is_helpful=True)
    record_feedback("session-b", german_article, is_helpful=True)

    # then two answers count, and the ranking prior rises to (2 - 0) / (2 + 0 + 5)
    assert counters(german_article) == (2, 0)
    assert ArticleFeedback.objects.count() == 2
    assert quality(german_article) == pytest.approx(2 / 7)

    # when the first session changes its mind, with a comment
    record_feedback("session-a", german_article, is_helpful=False, comment=" Zu kurz. ")

    # then its answer moves from yes to no, still counted once
    assert counters(german_article) == (1, 1)
    assert quality(german_article) == 0.0
    assert list(
        ArticleFeedback.objects.order_by("session_key").values_list(
            "session_key", "is_helpful", "comment"
        )
    ) == [("session-a", False, "Zu kurz."), ("session-b", True, "")]


def test_a_logged_in_reader_answers_once_whatever_the_session(
    carol_user: User, german_article: Article
) -> None:
    record_feedback(carol_user, german_article, is_helpful=False)
    record_feedback(carol_user, german_article, is_helpful=False)
    assert counters(german_article) == (0, 1)
    feedback = ArticleFeedback.objects.get()
    assert (feedback.user, feedback.session_key) == (carol_user, "")
    assert quality(german_article) == pytest.approx(-1 / 6)


def test_feedback_needs_a_published_article_and_a_reader(
    bob: Agent, german_article: Article, draft_article: Article
) -> None:
    with pytest.raises(NotFound):
        record_feedback("session-a", draft_article, is_helpful=True)
    with pytest.raises(NotFound):
        record_feedback(bob.user, draft_article, is_helpful=True)  # agents see it, but no
    with pytest.raises(Invalid):
        record_feedback("  ", german_article, is_helpful=True)
    with pytest.raises(Invalid):
        record_feedback(AnonymousUser(), german_article, is_helpful=True)
    assert ArticleFeedback.objects.count() == 0
    assert counters(german_article) == (0, 0)


# --- Markdown --------------------------------------------------------------------------------


def test_markdown_renders_the_usual_formatting() -> None:
    html = render_markdown(
        "## Schritte\n\n1. **Anmelden**\n2. `nordbox.local` öffnen\n\n"
        "[Portal](https://example.com/portal)\n\n| A | B |\n|---|---|\n| 1 | 2 |\n"
    )
    assert html == (
        "<h2>Schritte</h2>\n<ol>\n<li><strong>Anmelden</strong></li>\n"
        "<li><code>nordbox.local</code> öffnen</li>\n</ol>\n"
        '<p><a href="https://example.com/portal" rel="noopener noreferrer nofollow">Portal</a>'
        "</p>\n<table>\n<thead>\n<tr>\n<th>A</th>\n<th>B</th>\n</tr>\n</thead>\n<tbody>\n"
        "<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"
    )


def test_scripts_javascript_links_and_raw_html_render_inert() -> None:
    html = render_markdown(
        "Hallo <script>alert(1)</script>\n\n"
        "[klick](javascript:alert(1)) [auch](JAVASCRIPT:alert(2))\n\n"
        '<img src=x onerror="alert(3)">\n\n'
        "![bild](data:text/html;base64,PHNjcmlwdD4=)\n"
    )
    assert html == (
        "<p>Hallo &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        "<p>[klick](javascript:alert(1)) [auch](JAVASCRIPT:alert(2))</p>\n"
        '<p>&lt;img src=x onerror="alert(3)"&gt;</p>\n'
        "<p>![bild](data:text/html;base64,PHNjcmlwdD4=)</p>\n"
    )


def test_plain_text_drops_the_markdown_syntax() -> None:
    assert (
        markdown_to_text(
            "## Schritte\n\n1. **Anmelden** und\n   `Daten` öffnen\n\n```\nreboot\n```\n"
        )
        == "Schritte\nAnmelden und Daten öffnen\nreboot"
    )
